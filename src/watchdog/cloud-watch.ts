// The watchdog's Qlik Cloud part: at each look (under the watchdog lease) it reads each tenant's Scheduling Tasks,
// works out the due times of the enabled time-scheduled ones and raises task.missed when a due time passed its grace
// without a run (task.on_track when one starts), and task.running_long for a run past its learned duration. A
// tenant that answers 401, 429, 5xx or garbage is paused and reported like the reload poller does; the others go on.
import type { Logger } from "pino";
import { CloudApiError } from "../cloud/cloud-client";
import type { WatchdogConfig } from "../config/sections/watchdog";
import type { Clock } from "../core/clock";
import { describeError } from "../core/errors";
import type { MetricsRegistry } from "../core/metrics";
import { nextOccurrence } from "../core/rrule";
import type { WatchCondition, WatchdogEvent } from "../events/types";
import { spanText } from "../notify/time-format";
import { type CloudPlanTask, readCloudTask, readRuns, runStatusCode } from "./cloud-plan";
import type { TaskView } from "./evaluate";
import { settingsFor } from "./task-settings";
import { DEFAULT_USUAL, learnUsualDuration } from "./usual";
import type { RunRow, WatchStore } from "./watch-store";
import { type CloudWatchTenant, createCloudTaskReader, MAX_SINGLE_CALLS } from "./cloud-task-list";
import { createCloudEvents } from "./cloud-watch-event";

export type { CloudWatchTenant } from "./cloud-task-list";

export interface ConditionSink {
  /** Stores the condition (unless open already) and announces it. */
  open(c: { key: string; type: WatchCondition; taskId: string; appId?: string; openedMs: number; event: WatchdogEvent }): Promise<void>;
  close(key: string, closedMs: number, event: WatchdogEvent): Promise<void>;
}

export interface CloudWatchDeps {
  cfg: WatchdogConfig;
  tenants: CloudWatchTenant[];
  store: WatchStore;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  sink: ConditionSink;
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

/** Starts before a due time by this much still answer it (clocks differ a little). */
const EARLY_MS = 60_000;
const MAX_DUE_PER_TASK = 500;
const MAX_BACKOFF_MS = 10 * 60_000;
const AUTH_RETRY_MS = 5 * 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

export function createCloudWatch(d: CloudWatchDeps): CloudWatch {
  const { cfg, store, clock, log } = d;
  const looks = d.metrics.counter("steward_watchdog_cloud_looks_total", "Watchdog looks at Qlik Cloud tenants' Scheduling Tasks, by tenant and result.");
  const reported = new Set<string>();
  const problems = new Map<string, string[]>();
  const state = new Map<string, { pausedUntil: number; failures: number; lastLook?: number; lastError?: string; tasks: CloudPlanTask[]; view: TaskView[] }>();
  const taskList = createCloudTaskReader();
  const { event } = createCloudEvents(clock);
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
    const since = await store.getMeta(`${prefix}watching_since`);
    if (since === undefined) await store.setMeta(`${prefix}watching_since`, String(now));
    const watchingSince = Number(since ?? now);
    const checkedUntil = Number((await store.getMeta(`${prefix}checked_until`)) ?? now);

    // What the list says of each task's last run: a finished one is kept to learn durations from.
    const rowOf = (task: CloudPlanTask, run: { id?: string; startedMs: number; endedMs: number; status: string }): RunRow => ({
      resultId: `${prefix}${task.id}:${run.id ?? run.startedMs}`,
      taskId: `${prefix}${task.id}`,
      ...(task.appId ? { appId: task.appId } : {}),
      status: runStatusCode(run.status),
      createdMs: run.startedMs,
      startMs: run.startedMs,
      stopMs: run.endedMs,
    });
    await store.addRuns(tasks.flatMap((task) => (task.last?.endedMs !== undefined ? [rowOf(task, { ...task.last, endedMs: task.last.endedMs })] : [])));
    const runs = (await store.runsSince(now - cfg.keepRuns)).filter((r) => r.taskId.startsWith(prefix));
    const starts = new Map<string, number[]>();
    const ends = new Map<string, RunRow[]>();
    for (const r of runs) {
      const id = r.taskId.slice(prefix.length);
      (starts.get(id) ?? starts.set(id, []).get(id)!).push(r.createdMs);
      (ends.get(id) ?? ends.set(id, []).get(id)!).push(r);
    }
    for (const task of tasks) if (task.last) (starts.get(task.id) ?? starts.set(task.id, []).get(task.id)!).push(task.last.startedMs);
    const running = (task: CloudPlanTask) => (task.last && task.last.endedMs === undefined ? task.last : undefined);
    let single = 0;
    const fetched = new Set<string>();
    /** The task's recent runs (when the last one alone cannot tell whether a due time was met). */
    const fetchRuns = async (task: CloudPlanTask) => {
      if (fetched.has(task.id) || single >= MAX_SINGLE_CALLS) return;
      fetched.add(task.id);
      single++;
      const got = readRuns(await t.client.taskRuns(task.id, 100));
      for (const r of got) (starts.get(task.id) ?? starts.set(task.id, []).get(task.id)!).push(r.startedMs);
      await store.addRuns(got.flatMap((r) => (r.endedMs !== undefined ? [rowOf(task, { ...r, endedMs: r.endedMs })] : [])));
    };

    const open = (await store.openConditions()).filter((c) => c.key.startsWith(prefix));
    const openKeys = new Set(open.map((c) => c.key));
    const view: TaskView[] = [];
    for (const task of tasks) {
      const pseudo = {
        id: task.id,
        name: task.name,
        taskType: 0,
        enabled: task.enabled,
        tags: ["Qlik Cloud"],
        customProperties: [],
        ...(task.appId ? { appId: task.appId } : {}),
        schedules: [],
        chains: [],
        overrides: {},
      };
      const s = settingsFor(cfg, pseudo, task.appId ? { id: task.appId, name: task.appId, tags: [], customProperties: [] } : undefined);
      const watched = task.enabled && s.watch && task.schedule !== undefined;
      const grace = s.graceMs ?? cfg.grace;
      const durations = (ends.get(task.id) ?? []).filter((r) => r.status === 7).map((r) => r.stopMs - (r.startMs ?? r.createdMs));
      const usual = learnUsualDuration(durations, { ...DEFAULT_USUAL, minSamples: cfg.runningLong.minRuns, floorMs: cfg.runningLong.floor });
      const now1 = running(task);
      const lastEnded = (ends.get(task.id) ?? []).at(-1);
      const next = task.schedule && task.enabled ? nextOccurrence(task.schedule, now) : undefined;
      view.push({
        id: `${prefix}${task.id}`,
        name: `${task.name} (Qlik Cloud, ${t.name})`,
        ...(task.appId ? { appId: task.appId } : {}),
        watched,
        ...(next !== undefined ? { nextExpectedMs: next } : {}),
        ...(usual ? { usual } : {}),
        ...(lastEnded ? { lastRunMs: lastEnded.stopMs, lastStatus: lastEnded.status } : {}),
        ...(now1 ? { runningSinceMs: now1.startedMs } : {}),
      });
      if (!watched) continue;

      // ── Due times whose grace ended since the last look, each answered by a start within [due − 1 min, due + grace].
      const missedKey = `${prefix}missed:${task.id}`;
      let due = nextOccurrence(task.schedule!, Math.max(checkedUntil - grace, now - cfg.keepRuns, watchingSince - 1, (task.createdMs ?? 0) - 1));
      for (let n = 0; due !== undefined && due + grace <= now && n < MAX_DUE_PER_TASK && !openKeys.has(missedKey); n++) {
        const answered = () => (starts.get(task.id) ?? []).some((x) => x >= due! - EARLY_MS && x <= due! + grace);
        const later = () => (starts.get(task.id) ?? []).some((x) => x > due! + grace);
        if (!answered() && later()) await fetchRuns(task); // the list shows only the newest run
        const busy = (ends.get(task.id) ?? []).some((r) => r.createdMs < due! && r.stopMs > due!) || (now1 !== undefined && now1.startedMs < due);
        if (!answered() && !busy && (await stillAsRead(t, task))) {
          const event0 = await event(t, task, {
            kind: "task.missed",
            type: "missed",
            key: missedKey,
            openedMs: due + grace,
            details: { expectedAtMs: due, ...(task.scheduleText ? { trigger: task.scheduleText } : {}), graceMs: grace },
          });
          await d.sink.open({
            key: missedKey,
            type: "missed",
            taskId: task.id,
            ...(task.appId ? { appId: task.appId } : {}),
            openedMs: due + grace,
            event: event0,
          });
          openKeys.add(missedKey);
        }
        due = nextOccurrence(task.schedule!, due);
      }

      // ── A run past what this task usually takes, while it runs.
      const limit = s.maxDurationMs ?? (cfg.runningLong.enabled ? usual?.limitMs : undefined);
      if (now1 && limit !== undefined && now - now1.startedMs > limit) {
        const key = `${prefix}long:${task.id}:${now1.startedMs}`;
        if (!openKeys.has(key)) {
          const e = await event(t, task, {
            kind: "task.running_long",
            type: "running_long",
            key,
            openedMs: now1.startedMs,
            details: {
              startedAtMs: now1.startedMs,
              limitMs: limit,
              limitFrom: s.maxDurationFrom ?? "learned",
              ...(usual ? { usualMs: Math.round(usual.medianMs) } : {}),
            },
          });
          await d.sink.open({ key, type: "running_long", taskId: task.id, ...(task.appId ? { appId: task.appId } : {}), openedMs: now1.startedMs, event: e });
        }
      }
    }

    // ── What is over: a start after the missed due time, a long run that ended, a task disabled or deleted.
    const byId = new Map(tasks.map((x) => [x.id, x]));
    for (const c of open) {
      const task = c.taskId ? byId.get(c.taskId) : undefined;
      const expected = typeof c.openEvent.data.expectedAt === "string" ? Date.parse(c.openEvent.data.expectedAt) : c.openedMs;
      let resolution: string | undefined;
      if (!task && complete) resolution = "the task was deleted";
      else if (task && !task.enabled) resolution = "the task was disabled";
      else if (task && c.type === "missed") {
        const first = (starts.get(task.id) ?? []).filter((x) => x >= expected - EARLY_MS).sort((a, b) => a - b)[0];
        if (first !== undefined) resolution = `started at ${iso(first)}, ${spanText(first - expected)} after it was due`;
      } else if (task && c.type === "running_long") {
        const startedAt = typeof c.openEvent.data.startedAt === "string" ? Date.parse(c.openEvent.data.startedAt) : c.openedMs;
        const r = running(task);
        if (!r || r.startedMs !== startedAt) {
          const ended = (ends.get(task.id) ?? []).find((x) => x.createdMs === startedAt);
          const how = ended ? (ended.status === 7 ? "succeeded" : ended.status === 8 ? "failed" : "ended") : "is no longer running";
          resolution = `the run ${how}${ended ? ` after ${spanText(ended.stopMs - startedAt)}` : ""}`;
        }
      }
      if (resolution === undefined) continue;
      const e = await event(t, task, {
        kind: "task.on_track",
        type: c.type as WatchCondition,
        key: c.key,
        openedMs: c.openedMs,
        closedMs: now,
        ...(c.openEvent.task ? { taskRef: c.openEvent.task } : {}),
        ...(c.appId ? { appId: c.appId } : {}),
        details: { ...(Number.isFinite(expected) && c.type === "missed" ? { expectedAtMs: expected } : {}), resolution },
      });
      await d.sink.close(c.key, now, e);
    }
    st.tasks = tasks;
    st.view = view;
    await store.setMeta(`${prefix}checked_until`, String(now));
  }

  /** Asked once more before a task is called missed: it still exists, is enabled and has the definition judged. */
  async function stillAsRead(t: CloudWatchTenant, task: CloudPlanTask): Promise<boolean> {
    try {
      const r = readCloudTask(await t.client.getTask(task.id));
      return r.ok && r.task.enabled && r.task.updatedAt === task.updatedAt;
    } catch (err) {
      if (err instanceof CloudApiError && err.kind === "not-found") return false;
      throw err;
    }
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
            kind === "rate-limited"
              ? ((err as CloudApiError).retryAfterMs ?? 60_000)
              : kind === "auth"
                ? AUTH_RETRY_MS
                : Math.min(MAX_BACKOFF_MS, cfg.interval * 2 ** Math.min(++st.failures, 10));
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
