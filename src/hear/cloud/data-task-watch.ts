// Watches one tenant's Qlik Talend Cloud data tasks inside the tenant's poll (at most once per `dataTasks.interval`):
// the data projects, their data tasks and each task's runtime state (Qlik's Data Integration Projects API). A run
// that failed or was stopped is announced once (claimed in the store with its event, so a restart or a second Steward
// says it once), with the datasets it did not update (runtime/state/datasets) and the apps whose on-dataset-updated
// Scheduling Tasks those datasets start; the run that completes after it is announced as the recovery. An API the
// key may not read (403) is this source's problem, said by /ready and `steward doctor`, not a refused key.
import type { Logger } from "pino";
import type { Clock } from "../../platform/core/clock";
import type { SiteEvent } from "../../platform/events/types";
import type { AppInfoLookup } from "./app-info";
import type { AutomationStore } from "./automation-store";
import { CloudApiError, type CloudClient } from "./cloud-client";
import type { CloudStore } from "./cloud-store";
import type { QlikCloudTenantConfig } from "./config";
import { type DataTaskRef, dataTaskFailedEvent, dataTaskRecoveredEvent, type FedApp } from "./data-task-events";
import {
  DATA_TASK_STATE,
  DataTaskDatasetsSchema,
  DataTaskListSchema,
  type DataTaskLastRun,
  DataTaskStateSchema,
  DiProjectListSchema,
  datasetTriggered,
  lastRunOf,
  readAnswer,
} from "./data-task-read";

type DataTasksConfig = NonNullable<QlikCloudTenantConfig["dataTasks"]>;

export interface DataTaskWatchState {
  /** Data projects and data tasks read at the last look. */
  projects: number;
  tasks: number;
  /** Data tasks whose last run failed or was stopped. */
  failing: number;
  lastLookAt?: string;
  /** Why the data tasks could not be read (the API refused the key's user, an answer Steward does not understand). */
  problem?: string;
}

export interface DataTaskWatchDeps {
  tenant: QlikCloudTenantConfig & { name: string };
  config: DataTasksConfig;
  client: CloudClient;
  store: CloudStore;
  claims: AutomationStore;
  clock: Clock;
  log: Logger;
  appInfo: AppInfoLookup;
  emit(e: SiteEvent): Promise<void>;
}

export interface DataTaskWatch {
  poll(now: number): Promise<void>;
  state(): DataTaskWatchState;
}

/** Scheduling Task pages read at most to find the apps a failed data task's datasets feed. */
const TASK_PAGES = 20;
/** A failure that ended longer ago than this when first read is not announced (its claim may be pruned). */
const OLDEST_MS = 25 * 86_400_000;

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : Number.NaN);

/** Why the API could not be read, for a Qlik administrator. */
export function dataTaskProblem(err: unknown): string {
  if (err instanceof CloudApiError && err.kind === "auth") {
    const code = /HTTP (\d{3})/.exec(err.message)?.[1] ?? "401/403";
    return `the tenant refused the Data Integration Projects API (HTTP ${code}): the key's user may not read data projects (give it access to the data projects' spaces); the reloads are still read`;
  }
  if (err instanceof CloudApiError && err.kind === "not-found")
    return "the tenant has no Data Integration Projects API (HTTP 404): Qlik Talend Cloud data integration is not on this tenant";
  return (err as Error).message;
}

export function createDataTaskWatch(d: DataTaskWatchDeps): DataTaskWatch {
  const { tenant, client, store, claims, log } = d;
  const name = tenant.name;
  /** Announcements are claimed under their own name in the claims table, apart from the automations'. */
  const claimTenant = `${name}#data-tasks`;
  const only = d.config.only ? new Set(d.config.only.map((s) => s.toLowerCase())) : undefined;
  let state: DataTaskWatchState = { projects: 0, tasks: 0, failing: 0 };
  let nextLookAt = 0;

  const read = async <S extends Parameters<typeof readAnswer>[0]>(schema: S, path: string) =>
    readAnswer(schema, await client.dataIntegration(path), `GET /api/v1/di-projects${path}`) as ReturnType<typeof readAnswer<S>>;

  /** The apps whose on-dataset-updated tasks start on an update of these datasets, with their names. */
  async function fedApps(datasetIds: ReadonlySet<string>): Promise<FedApp[]> {
    const found: FedApp[] = [];
    let next: string | undefined;
    for (let page = 0; page < TASK_PAGES; page++) {
      const p = await client.listTasks(next);
      found.push(...datasetTriggered(p.tasks, datasetIds));
      next = p.next;
      if (!next) break;
    }
    for (const a of found) {
      const info = await d.appInfo(a.appId);
      if (info.info?.name) a.appName = info.info.name;
    }
    return found;
  }

  async function failed(task: DataTaskRef, run: DataTaskLastRun, now: number): Promise<void> {
    const key = `${task.id}:${run.startTime ?? run.endTime}:${run.state}`;
    const metaKey = `${name}:datatask:${task.id}`;
    // The run is still the failed one already said: nothing to read again (a failing task costs one call a look).
    const seenKey = `${name}:datatask-seen:${task.id}`;
    if ((await store.getMeta(seenKey)) === key) return;
    const base = `/${encodeURIComponent(task.projectId)}/di-tasks/${encodeURIComponent(task.id)}`;
    const ds = await read(DataTaskDatasetsSchema, `${base}/runtime/state/datasets`);
    const datasets = (ds.datasets ?? []).flatMap((x) => (x.datasetId ? [{ id: x.datasetId, name: x.name ?? x.datasetId }] : []));
    let apps: FedApp[] = [];
    let linkProblem: string | undefined;
    try {
      apps = await fedApps(new Set(datasets.map((x) => x.id.toLowerCase())));
    } catch (err) {
      if (err instanceof CloudApiError && err.kind === "rate-limited") throw err;
      linkProblem = `the tenant's Scheduling Tasks could not be read (${(err as Error).message})`;
    }
    const event = dataTaskFailedEvent({ tenant, task, nowMs: now }, run, datasets, apps, linkProblem);
    if (await claims.claim(claimTenant, key, task.id, now, JSON.stringify(event))) {
      await store.setMeta(metaKey, run.startTime ?? run.endTime ?? String(now));
      await d.emit(event);
      await claims.markAnnounced(claimTenant, key);
    }
    await store.setMeta(seenKey, key);
  }

  async function judge(task: DataTaskRef, run: DataTaskLastRun | undefined, now: number, firstLook: boolean): Promise<boolean> {
    if (!run) return false;
    const meaning = DATA_TASK_STATE[run.state];
    const metaKey = `${name}:datatask:${task.id}`;
    if (meaning === "failed" || meaning === "stopped") {
      const ended = ms(run.endTime ?? run.startTime);
      const old = Number.isFinite(ended) && (ended < now - OLDEST_MS || (firstLook && ended < now - tenant.lookBack));
      // Older than the look back on the first look: seen, not announced (as the tenant's reloads).
      if (old) await claims.claim(claimTenant, `${task.id}:${run.startTime ?? run.endTime}:${run.state}`, task.id, now, null);
      else await failed(task, run, now);
      return true;
    }
    if (meaning === "ok") {
      const open = await store.getMeta(metaKey);
      if (!open) return false;
      const key = `${task.id}:${run.startTime ?? run.endTime}:recovered`;
      const event = dataTaskRecoveredEvent({ tenant, task, nowMs: now }, run, open);
      if (await claims.claim(claimTenant, key, task.id, now, JSON.stringify(event))) {
        await d.emit(event);
        await claims.markAnnounced(claimTenant, key);
      }
      await store.setMeta(metaKey, "");
    }
    return false;
  }

  async function look(now: number): Promise<void> {
    for (const p of await claims.unannounced(claimTenant)) {
      await d.emit(JSON.parse(p.event) as SiteEvent);
      await claims.markAnnounced(claimTenant, p.key);
    }
    const firstLook = (await store.getMeta(`${name}:datatasks:since`)) === undefined;
    const projects = (await read(DiProjectListSchema, "")).projects ?? [];
    let tasks = 0;
    let failing = 0;
    const problems: string[] = [];
    for (const p of projects) {
      const list = (await read(DataTaskListSchema, `/${encodeURIComponent(p.id)}/di-tasks`)).dataTasks ?? [];
      for (const t of list) {
        if (only && !only.has(t.id.toLowerCase()) && !only.has((t.name ?? "").toLowerCase())) continue;
        if (tasks >= d.config.maxTasks) break;
        tasks++;
        const path = `/${encodeURIComponent(p.id)}/di-tasks/${encodeURIComponent(t.id)}/runtime/state`;
        const ref: DataTaskRef = { id: t.id, name: t.name ?? t.id, projectId: p.id, projectName: p.name ?? p.id, ...(t.type ? { type: t.type } : {}) };
        try {
          const run = lastRunOf(await read(DataTaskStateSchema, path), `GET /api/v1/di-projects${path}`);
          if (await judge(ref, run, now, firstLook)) failing++;
        } catch (err) {
          // One task's answer Steward does not understand is that task's problem: the others are still judged.
          if (err instanceof CloudApiError) throw err;
          problems.push(`data task "${ref.name}": ${(err as Error).message}`);
        }
      }
    }
    await store.setMeta(`${name}:datatasks:since`, String(now));
    state = {
      projects: projects.length,
      tasks,
      failing,
      lastLookAt: new Date(now).toISOString(),
      ...(problems.length ? { problem: problems.join("; ") } : {}),
    };
    if (problems.length) log.warn({ tenant: name, problems }, "Qlik Cloud: data tasks Steward could not judge");
  }

  return {
    async poll(now) {
      if (now < nextLookAt) return;
      nextLookAt = now + d.config.interval;
      try {
        await look(now);
      } catch (err) {
        // A rate limit pauses the whole tenant's polling; anything else is this source's problem only.
        if (err instanceof CloudApiError && err.kind === "rate-limited") throw err;
        const problem = dataTaskProblem(err);
        if (problem !== state.problem) log.warn({ tenant: name, problem }, "Qlik Cloud: the data tasks could not be read");
        state = { ...state, problem };
      }
    },
    state: () => state,
  };
}
