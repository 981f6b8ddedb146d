// The simulated tenant's Qlik Automate automations and their runs, kept apart from Steward's reading of them: its own
// records, its own plan of when a scheduled automation runs, and the outcome a test asks of the next run. Nothing
// here runs on a timer: a run's state is worked out from the tenant's clock whenever the tenant is asked (settle),
// so a busy machine cannot stretch a run. Field names and status words are the Automations API's (src/sim/README.md).
import { newGuid } from "../util/ids";

/** The run statuses of Qlik's automation run-ended event (com.qlik.v1.automation.run.ended); the sim ends in these. */
export type SimRunStatus = "running" | "finished" | "finished with warnings" | "failed" | "stopped" | "exceeded limit" | "not started";
/**
 * `notStarted`: the run is recorded with its start time and ends `not started` (it never ran a block);
 * `failUnstarted`: it fails before it starts, with no start time (Qlik's RunListObject allows one to be absent).
 */
export type SimRunOutcome = "finish" | "warn" | "fail" | "stop" | "limit" | "notStarted" | "failUnstarted";

/** One element of a run's `error` (Qlik documents an array; its elements' fields are inferred: the block and its message). */
export interface SimRunError {
  blockId: string;
  blockLabel: string;
  message: string;
}

export interface SimAutomation {
  id: string;
  name: string;
  ownerId: string;
  spaceId: string;
  /** `available` runs; `disabled` does not (POST …/actions/disable in the tenant). */
  state: "available" | "disabled";
  runMode: "manual" | "scheduled" | "triggered" | "webhook";
  /** A scheduled automation runs this often (ms of tenant time), from its creation. */
  everyMs?: number;
  createdAt: number;
  updatedAt: number;
  /** Who changed it last (a user id): recorded by the control API, as the tenant's audit log would. */
  updatedBy?: string;
  /** The outcome of its next runs until changed. */
  outcome: SimRunOutcome;
  /** The block a failing run stops at. */
  failingBlock: string;
  /** The app ids whose reloads a finished run starts (its "Do Reload" blocks). */
  reloads: string[];
}

export interface SimAutomationRun {
  id: string;
  automationId: string;
  title: string;
  status: SimRunStatus;
  context: "editor" | "api_sync" | "webhook" | "detail" | "test_run";
  scheduledStartTime: number;
  /** Absent for a run that failed before it started. */
  startTime?: number;
  stopTime?: number;
  executedById: string;
  outcome: SimRunOutcome;
  /** What went wrong, for a run that did not finish cleanly: each error with its block. */
  error?: SimRunError[];
}

const FINAL_OF: Record<SimRunOutcome, SimRunStatus> = {
  finish: "finished",
  warn: "finished with warnings",
  fail: "failed",
  stop: "stopped",
  limit: "exceeded limit",
  notStarted: "not started",
  failUnstarted: "failed",
};
const MAX_CATCH_UP = 500;

export interface SimAutomations {
  list: SimAutomation[];
  runs: SimAutomationRun[];
  add(a: {
    name: string;
    runMode?: SimAutomation["runMode"];
    everyMs?: number;
    outcome?: SimRunOutcome;
    failingBlock?: string;
    reloads?: string[];
  }): SimAutomation;
  /** Starts a run now (a person in the editor, or the API). Refused (undefined) while the automation is disabled. */
  runNow(id: string, context?: SimAutomationRun["context"]): SimAutomationRun | undefined;
  update(id: string, patch: { state?: SimAutomation["state"]; outcome?: SimRunOutcome; name?: string; updatedBy?: string }): SimAutomation;
  /** Starts the scheduled runs that are due and ends the runs whose time has come. */
  settle(nowMs: number): void;
}

export function createSimAutomations(deps: {
  now: () => number;
  durationMs: () => number;
  ownerId: string;
  spaceId: string;
  /** A finished run starts the reloads of its apps (as its "Do Reload" blocks would). */
  reload: (appId: string, atMs: number) => void;
}): SimAutomations {
  const list: SimAutomation[] = [];
  const runs: SimAutomationRun[] = [];
  /** When each scheduled automation was last due (its schedule is counted from there). */
  const lastDue = new Map<string, number>();
  /** When each running run ends, planned when it starts. */
  const endAt = new Map<SimAutomationRun, number>();
  const byId = (id: string) => {
    const a = list.find((x) => x.id === id);
    if (!a) throw new Error(`no automation ${id}`);
    return a;
  };
  const start = (a: SimAutomation, at: number, context: SimAutomationRun["context"]): SimAutomationRun => {
    const r: SimAutomationRun = {
      id: newGuid().replace(/-/g, "").slice(0, 24),
      automationId: a.id,
      title: a.name,
      status: "running",
      context,
      scheduledStartTime: at,
      startTime: at,
      executedById: a.ownerId,
      outcome: a.outcome,
    };
    runs.push(r);
    endAt.set(r, at + deps.durationMs());
    return r;
  };
  const finish = (a: SimAutomation, r: SimAutomationRun, at: number) => {
    r.status = FINAL_OF[r.outcome];
    r.stopTime = at;
    const block = { blockId: `${a.id.slice(0, 8)}-blk`, blockLabel: a.failingBlock };
    if (r.outcome === "fail") r.error = [{ ...block, message: "the request was refused (HTTP 403: the connection's token has expired)" }];
    else if (r.outcome === "warn")
      r.error = [
        { ...block, message: "item 12 could not be written and was skipped" },
        { ...block, message: "item 31 could not be written and was skipped" },
      ];
    else if (r.outcome === "limit") r.error = [{ ...block, message: "the tenant's automation run limit for this month is reached" }];
    else if (r.outcome === "stop") r.error = [{ ...block, message: "stopped by a user" }];
    else if (r.outcome === "failUnstarted") {
      delete r.startTime;
      r.error = [{ blockId: "", blockLabel: "Start", message: "the automation's connection to Snowflake could not be opened" }];
    }
    if (r.outcome === "finish" || r.outcome === "warn") for (const appId of a.reloads) deps.reload(appId, at);
  };
  const self: SimAutomations = {
    list,
    runs,
    add(spec) {
      const now = deps.now();
      const a: SimAutomation = {
        id: newGuid().replace(/-/g, ""),
        name: spec.name,
        ownerId: deps.ownerId,
        spaceId: deps.spaceId,
        state: "available",
        runMode: spec.runMode ?? (spec.everyMs ? "scheduled" : "manual"),
        ...(spec.everyMs ? { everyMs: spec.everyMs } : {}),
        createdAt: now,
        updatedAt: now,
        outcome: spec.outcome ?? "finish",
        failingBlock: spec.failingBlock ?? "Write to Snowflake",
        reloads: spec.reloads ?? [],
      };
      list.push(a);
      if (a.everyMs) lastDue.set(a.id, now);
      return a;
    },
    runNow(id, context = "api_sync") {
      const a = byId(id);
      if (a.state === "disabled") return undefined;
      return start(a, deps.now(), context);
    },
    update(id, patch) {
      const a = byId(id);
      if (patch.state !== undefined && patch.state !== a.state) {
        a.state = patch.state;
        // A schedule that comes back counts from now: the runs it missed while disabled never happen.
        if (patch.state === "available" && a.everyMs) lastDue.set(a.id, deps.now());
      }
      if (patch.outcome !== undefined) a.outcome = patch.outcome;
      if (patch.name !== undefined) a.name = patch.name;
      if (patch.updatedBy !== undefined) a.updatedBy = patch.updatedBy;
      a.updatedAt = deps.now();
      return a;
    },
    settle(nowMs) {
      for (const a of list) {
        const every = a.everyMs;
        if (!every || a.state === "disabled") continue;
        let due = (lastDue.get(a.id) ?? a.createdAt) + every;
        for (let i = 0; due <= nowMs && i < MAX_CATCH_UP; i++, due += every) {
          start(a, due, "detail");
          lastDue.set(a.id, due);
        }
      }
      for (const [r, end] of [...endAt].sort((x, y) => x[1] - y[1])) {
        if (end > nowMs) continue;
        endAt.delete(r);
        finish(byId(r.automationId), r, end);
      }
    },
  };
  return self;
}
