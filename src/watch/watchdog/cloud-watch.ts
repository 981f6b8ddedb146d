// The watchdog's Qlik Cloud part: at each look (under the watchdog lease) it reads each tenant's Scheduling Tasks,
// works out the due times of the enabled time-scheduled ones and raises task.missed when a due time passed its grace
// without a run (task.on_track when one starts), and task.running_long for a run past its learned duration. A
// tenant that answers 401, 429, 5xx or garbage is paused and reported like the reload poller does; the others go on.
import type { Logger } from "pino";
import { CloudApiError } from "../../hear/cloud/cloud-client";
import type { WatchdogConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { MetricsRegistry } from "../../platform/core/metrics";
import { setImmediate } from "node:timers";
import type { CloudPlanTask } from "./cloud-plan";
import type { TaskView } from "./evaluate";
import { settingsFor } from "./task-settings";
import type { WatchStore } from "./watch-store";
import { type CloudWatchTenant, createCloudTaskReader } from "./cloud-task-list";
import { createCloudTurnedOff } from "./cloud-turned-off-watch";
import { createCloudEvents } from "./cloud-watch-event";
import { createCostlySchedules } from "./cloud-costly";
import { judgeApps } from "./cloud-judge-apps";
import { closeOver } from "./cloud-judge-closes";
import { COSTLY_REASON, judgeTask } from "./cloud-judge-task";
import { type CloudJudgeDeps, type ConditionSink, iso, type TenantLook } from "./cloud-tenant-look";
import { readTenantRuns } from "./cloud-tenant-runs";

export type { CloudWatchTenant } from "./cloud-task-list";
export type { ConditionSink } from "./cloud-tenant-look";

export interface CloudWatchDeps {
  cfg: WatchdogConfig;
  tenants: CloudWatchTenant[];
  store: WatchStore;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  sink: ConditionSink;
  /**
   * The tenant's tasks as this look read them, by the tenant's host: grouping follows Cloud chains through them from
   * the store, since in a cluster the Steward hearing a failed reload may not be this one.
   */
  tasksRead?: (tenant: { host: string; tasks: readonly CloudPlanTask[] }, now: number) => Promise<void>;
}

export interface CloudTenantWatchState {
  tenant: string;
  lastLookAt?: string;
  lastError?: string;
  pausedUntil?: string;
  tasks: number;
}

export interface CloudWatch {
  look(): Promise<void>;
  status(): { tenants: CloudTenantWatchState[]; problems: string[]; tasks: TaskView[] };
}

const MAX_BACKOFF_MS = 10 * 60_000;
const AUTH_RETRY_MS = 5 * 60_000;

export function createCloudWatch(d: CloudWatchDeps): CloudWatch {
  const { cfg, store, clock, log } = d;
  const looks = d.metrics.counter("steward_watchdog_cloud_looks_total", "Watchdog looks at Qlik Cloud tenants' Scheduling Tasks, by tenant and result.");
  const reported = new Set<string>();
  const problems = new Map<string, string[]>();
  const state = new Map<string, { pausedUntil: number; failures: number; lastLook?: number; lastError?: string; tasks: CloudPlanTask[]; view: TaskView[] }>();
  const taskList = createCloudTaskReader();
  /** Task definitions (tenant, id, updatedAt) whose schedule passed its budget: not computed again until changed. */
  const tooCostly = createCostlySchedules();
  const { event } = createCloudEvents(clock);
  const turnedOff = createCloudTurnedOff();
  const settingsOf = (task: { id: string; name: string; appId?: string }) => cloudTaskSettings(cfg, task);
  const judge: CloudJudgeDeps = { cfg, sink: d.sink, event, settingsOf, costly: tooCostly };
  for (const t of d.tenants) state.set(t.name, { pausedUntil: 0, failures: 0, tasks: [], view: [] });

  const report = (tenant: string, list: string[]) => {
    problems.set(tenant, list);
    for (const p of list) {
      if (reported.has(p)) continue;
      reported.add(p);
      log.warn({ tenant, problem: p }, `watchdog: ${p}`);
    }
  };

  async function lookTenant(t: CloudWatchTenant, now: number): Promise<void> {
    const prefix = `cloud:${t.name}:`;
    const st = state.get(t.name)!;
    const { tasks, complete, problems: bad } = await taskList.read(t);
    report(t.name, bad);
    // Kept before the judging: a failed reload heard meanwhile (maybe on another Steward) already finds its chain.
    await d.tasksRead?.({ host: new URL(t.url).host, tasks }, now);
    const since = await store.getMeta(`${prefix}watching_since`);
    if (since === undefined) await store.setMeta(`${prefix}watching_since`, String(now));
    const watchingSince = Number(since ?? now);
    const checkedUntil = Number((await store.getMeta(`${prefix}checked_until`)) ?? now);
    const runs = await readTenantRuns(t, tasks, store, cfg, prefix, now);
    const open = (await store.openConditions()).filter((c) => c.key.startsWith(prefix));
    const look: TenantLook = {
      t,
      prefix,
      now,
      checkedUntil,
      watchingSince,
      tasks,
      runs,
      open,
      openKeys: new Set(open.map((c) => c.key)),
      view: [],
      costly: [],
      judged: new Map(),
    };
    for (const task of tasks) {
      // Between tasks the event loop runs (requests, /health): one look is many short slices, not one long one.
      await new Promise<void>((resume) => setImmediate(resume));
      await judgeTask(judge, look, task);
    }
    const lastSuccessByApp = await judgeApps(judge, look);

    // ── Tasks turned off (task.disabled), chains that stopped, dataset triggers that started a task twice.
    const doubles = await turnedOff.look({
      cfg,
      tenant: t,
      prefix,
      tasks,
      complete,
      store,
      nowMs: now,
      checkedUntilMs: checkedUntil,
      watchingSinceMs: watchingSince,
      runsOf: (id) => runs.ends.get(id) ?? [],
      startsOf: (id) => runs.starts.get(id) ?? [],
      settingsOf,
      open,
      event: (task, spec) => event(t, task, spec),
      sinkOpen: (c) => d.sink.open(c),
      sinkClose: (key, closedMs, e) => d.sink.close(key, closedMs, e),
    });
    report(t.name, [...bad, ...doubles]);

    // ── What is over. A task disabled or deleted keeps its conditions open (task.disabled says why) until it runs
    // again or someone acknowledges them.
    await closeOver(judge, look, lastSuccessByApp);
    if (look.costly.length > 0) report(t.name, [...bad, ...look.costly]);
    const byId = new Map(tasks.map((x) => [x.id, x]));
    st.tasks = tasks;
    st.view = look.view.map((v) =>
      tooCostly.has(`${v.id}@${byId.get(v.id.slice(prefix.length))?.updatedAt}`) ? { ...v, watched: false, offReason: v.offReason ?? COSTLY_REASON } : v,
    );
    await store.setMeta(`${prefix}checked_until`, String(now));
  }

  return {
    async look() {
      for (const t of d.tenants) {
        const st = state.get(t.name)!;
        const now = clock.now();
        if (now < st.pausedUntil) continue;
        try {
          await lookTenant(t, now);
          st.lastLook = clock.now();
          if (st.lastError) log.info({ tenant: t.name }, "watchdog: the Qlik Cloud tenant's tasks can be read again");
          delete st.lastError;
          st.failures = 0;
          looks.inc({ tenant: t.name, result: "ok" });
        } catch (err) {
          const kind = err instanceof CloudApiError ? err.kind : "network";
          const message = describeError(err);
          looks.inc({ tenant: t.name, result: kind });
          const wait =
            kind === "rate-limited" || kind === "auth" ? retryWaitMs(err, kind) : Math.min(MAX_BACKOFF_MS, cfg.interval * 2 ** Math.min(++st.failures, 10));
          st.pausedUntil = clock.now() + wait;
          if (st.lastError !== message)
            log.warn({ tenant: t.name, err: message, nextTryInMs: wait }, "watchdog: the Qlik Cloud tenant's tasks could not be read; tried again later");
          st.lastError = message;
        }
      }
    },
    status() {
      const now = clock.now();
      return {
        tenants: d.tenants.map((t) => {
          const st = state.get(t.name)!;
          return {
            tenant: t.name,
            tasks: st.tasks.length,
            ...(st.lastLook !== undefined ? { lastLookAt: iso(st.lastLook) } : {}),
            ...(st.lastError ? { lastError: st.lastError } : {}),
            ...(st.pausedUntil > now ? { pausedUntil: iso(st.pausedUntil) } : {}),
          };
        }),
        problems: [...problems.values()].flat(),
        tasks: [...state.values()].flatMap((s) => s.view),
      };
    },
  };
}

/** A Cloud task's settings: config rules by id, name or app (QMC custom properties do not exist there). */
function cloudTaskSettings(cfg: WatchdogConfig, task: { id: string; name: string; appId?: string }) {
  return settingsFor(
    cfg,
    { id: task.id, name: task.name, taskType: 0, enabled: true, tags: ["Qlik Cloud"], customProperties: [], schedules: [], chains: [], overrides: {} },
    task.appId ? { id: task.appId, name: task.appId, tags: [], customProperties: [] } : undefined,
  );
}

/** How long a tenant that refused the look is left alone: as long as it asked (429), or a while for a key it refused. */
function retryWaitMs(err: unknown, kind: "rate-limited" | "auth"): number {
  return kind === "rate-limited" ? ((err as CloudApiError).retryAfterMs ?? 60_000) : AUTH_RETRY_MS;
}
