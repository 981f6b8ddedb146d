// The simulator's repository: fixture entities plus the runtime state the QRS serves (runs, script logs, reload times).
import type { AppModel, SiteModel, TaskModel } from "../site/model";
import { newGuid, stableGuid } from "../util/ids";
import type { SimService } from "./node-services";
import { expressionMap, type ExpressionValue } from "../engine/expressions";

export const EXEC_STATUS = {
  NeverStarted: 0,
  Triggered: 1,
  Started: 2,
  Queued: 3,
  AbortInitiated: 4,
  Aborting: 5,
  Aborted: 6,
  FinishedSuccess: 7,
  FinishedFail: 8,
  Skipped: 9,
  Retry: 10,
  Error: 11,
  Reset: 12,
  DistributionQueue: 13,
  DistributionRunning: 14,
} as const;

export type ExecStatus = (typeof EXEC_STATUS)[keyof typeof EXEC_STATUS];
export const FINAL_STATUSES: readonly number[] = [6, 7, 8, 9, 11, 12];

export interface DetailRecord {
  id: string;
  detailsType: 0 | 1 | 2;
  message: string;
  createdMs: number;
}

export interface ExecutionRecord {
  id: string;
  executionID: string;
  taskId: string;
  appId: string | undefined;
  nodeId: string;
  nodeName: string;
  status: number;
  startMs: number | undefined;
  stopMs: number | undefined;
  fileReferenceID: string;
  scriptLogLocation: string;
  scriptLogSize: number;
  details: DetailRecord[];
  createdMs: number;
  modifiedMs: number;
  /** Attempt number within the execution session (0 = first try, then retries). */
  attempt: number;
  /** The engine script log of this attempt (reload tasks only), CRLF line endings. */
  scriptLog: string | undefined;
}

export interface TaskState {
  model: TaskModel;
  modifiedMs: number;
  operationalId: string;
  lastExecutionResultId: string | undefined;
  /** executionID of the session currently running, if any. */
  runningSession: string | undefined;
  /** For outcome failThenSucceed(N): failed attempts still to come. */
  failuresLeft: number;
  nextExecutionMs: number | undefined;
  /** Next fire time of each schema trigger, by trigger id (what QRS shows as the trigger's operational.nextExecution). */
  triggerNextMs: Map<string, number>;
  /** When each trigger last fired and how often (QRS: operational.lastEventDate, timesTriggered). */
  triggerLastMs: Map<string, number>;
  triggerCount: Map<string, number>;
}

export interface AppState {
  model: AppModel;
  /** Evaluate/EvaluateEx values by expression text; the control API replaces them between reloads. */
  expressions: Map<string, ExpressionValue>;
  script: string;
  lastReloadMs: number;
  modifiedMs: number;
}

export interface DownloadRef {
  ref: string;
  executionResultId: string;
  createdMs: number;
}

/**
 * Execution results kept at least: past the bound the oldest ended ones are forgotten, so a long-running sim stays
 * small. A site with more tasks keeps twice its tasks (each task's last result, and about as many older ones).
 */
export const MIN_EXECUTIONS_KEPT = 5_000;

/** How many execution results a site of `tasks` tasks keeps: never fewer than its tasks' last results and as many again. */
export const executionsKept = (tasks: number, floor = MIN_EXECUTIONS_KEPT) => Math.max(floor, 2 * tasks);

/** A result that can be forgotten has ended: a final status, or Retry (its attempt over, the next one a new result). */
const ENDED: ReadonlySet<number> = new Set([...FINAL_STATUSES, EXEC_STATUS.Retry]);

export interface Repository {
  site: SiteModel;
  tasks: Map<string, TaskState>;
  apps: Map<string, AppState>;
  executions: Map<string, ExecutionRecord>;
  downloadRefs: Map<string, DownloadRef>;
  /** License allocations released through DELETE, by allocation id. */
  releasedAllocations: Set<string>;
  /** Per node id, the services the central Repository cannot reach (ServiceStatus NoCommunication). */
  servicesDown: Map<string, Set<SimService>>;
  findTask(id: string): TaskState | undefined;
  findApp(id: string): AppState | undefined;
  addExecution(rec: ExecutionRecord): void;
  /** The kept results of one run (its attempts), by its executionID in lower case, in the order they were added. */
  executionsOfRun(executionIdLower: string): readonly ExecutionRecord[];
  newDownloadRef(executionResultId: string, nowMs: number): string;
}

/** `keepAtLeast`: the floor of executionsKept (tests lower it to reach the bound with a small site). */
export function createRepository(site: SiteModel, keepAtLeast = MIN_EXECUTIONS_KEPT): Repository {
  const tasks = new Map<string, TaskState>();
  for (const t of site.tasks) {
    tasks.set(t.id.toLowerCase(), {
      model: t,
      modifiedMs: Date.parse(t.createdDate) + 86_400_000,
      operationalId: stableGuid("operational", t.id),
      lastExecutionResultId: undefined,
      runningSession: undefined,
      failuresLeft: typeof t.outcome === "object" ? t.outcome.failThenSucceed : 0,
      nextExecutionMs: undefined,
      triggerNextMs: new Map(),
      triggerLastMs: new Map(),
      triggerCount: new Map(),
    });
  }
  const apps = new Map<string, AppState>();
  for (const a of site.apps) {
    apps.set(a.id.toLowerCase(), {
      model: a,
      expressions: expressionMap(a.expressions),
      script: a.script,
      lastReloadMs: Date.parse(a.lastReloadTime),
      modifiedMs: Math.max(Date.parse(a.lastReloadTime), Date.parse(a.createdDate)),
    });
  }
  const executions = new Map<string, ExecutionRecord>();
  const kept = executionsKept(site.tasks.length, keepAtLeast);
  // A client enriching a run asks for its attempts by executionID, once or twice for each of a large site's 18,000
  // runs a day: answered from here instead of a pass over the thousands of results kept.
  const byRun = new Map<string, ExecutionRecord[]>();
  const unindex = (e: ExecutionRecord) => {
    const key = e.executionID.toLowerCase();
    const rest = (byRun.get(key) ?? []).filter((x) => x !== e);
    if (rest.length > 0) byRun.set(key, rest);
    else byRun.delete(key);
  };
  /**
   * The oldest ended results, a tenth of the bound at a time (one pass over the map per that many new results, not
   * one per result). Never a run in progress, nor a task's last result (QRS's operational.lastExecutionResult): a
   * result forgotten while its run goes on, or the moment it was added, is a run QRS never shows, which a reader of
   * QRS can only take for a start that did not happen.
   */
  const forgetOldest = () => {
    const target = kept - Math.ceil(kept / 10);
    for (const [id, e] of executions) {
      if (executions.size <= target) break;
      if (!ENDED.has(e.status) || tasks.get(e.taskId)?.lastExecutionResultId === id) continue;
      executions.delete(id);
      unindex(e);
    }
  };
  const downloadRefs = new Map<string, DownloadRef>();

  return {
    site,
    tasks,
    apps,
    executions,
    downloadRefs,
    releasedAllocations: new Set(),
    servicesDown: new Map(),
    findTask: (id) => tasks.get(id.toLowerCase()),
    findApp: (id) => apps.get(id.toLowerCase()),
    addExecution(rec) {
      const was = executions.get(rec.id);
      if (was) unindex(was);
      executions.set(rec.id, rec);
      const key = rec.executionID.toLowerCase();
      byRun.set(key, [...(byRun.get(key) ?? []), rec]);
      if (executions.size > kept) forgetOldest();
    },
    executionsOfRun: (executionIdLower) => byRun.get(executionIdLower) ?? [],
    newDownloadRef(executionResultId, now) {
      const ref = newGuid();
      downloadRefs.set(ref, { ref, executionResultId, createdMs: now });
      // Refs are short-lived in Qlik; keep the map bounded.
      if (downloadRefs.size > 1_000) {
        const first = downloadRefs.keys().next().value;
        if (first !== undefined) downloadRefs.delete(first);
      }
      return ref;
    },
  };
}
