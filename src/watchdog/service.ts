// The watchdog's loop: at each interval (on the Steward holding the watchdog lease in a cluster) it reads what
// changed in QRS, keeps the finished runs it learns from, evaluates the plan against them, and announces each
// condition it opens and closes exactly once: the decision is stored first, the event handed to the notifier
// (whose outbox ignores an event id it already has), then marked announced, so a crash in between repeats nothing.
import type { Logger } from "pino";
import type { WatchdogConfig } from "../config/sections/watchdog";
import type { Clock } from "../core/clock";
import { describeError } from "../core/errors";
import type { Component } from "../core/lifecycle";
import { createLoop } from "../core/loop";
import type { MetricsRegistry } from "../core/metrics";
import type { WatchCondition, WatchdogEvent } from "../events/types";
import type { QrsClient } from "../qlik/qrs-client";
import { type CloudTenantWatchState, type CloudWatch, type CloudWatchTenant, createCloudWatch } from "./cloud-watch";
import { type Evaluation, evaluate, type KnownCondition, type TaskView } from "./evaluate";
import { type Execution, fetchChanged, fetchRunning, isFinal, readExecutions, STATUS } from "./observations";
import { type Plan, planChanged, readPlan } from "./qrs-plan";
import type { WatchStore } from "./watch-store";
import { type WatchDetails, watchdogEvent } from "./watchdog-event";

export interface WatchdogDeps {
  cfg: WatchdogConfig;
  /** Qlik Sense Enterprise (QRS triggers and execution results); absent on a Qlik Cloud-only Steward. */
  qrs?: QrsClient;
  /** Qlik Cloud tenants whose Scheduling Tasks are watched too. */
  cloudTenants?: CloudWatchTenant[];
  store: WatchStore;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  emit(e: WatchdogEvent): Promise<void>;
  /** The Qlik Sense host, for events whose node is unknown. */
  host: string;
}

export interface WatchdogStatus {
  lastLookAt?: string;
  lastError?: string;
  planReadAt?: string;
  problems: string[];
  tasks: TaskView[];
  /** Each Qlik Cloud tenant's last look at its Scheduling Tasks. */
  cloud: CloudTenantWatchState[];
}

export interface Watchdog extends Component {
  /** One look now (the interval's work); resolves when its events are handed over. */
  look(): Promise<void>;
  status(): WatchdogStatus;
}

const CURSOR = "exec_cursor";
const CHECKED = "checked_until";
const SINCE = "watching_since";
/** Results changed this close to the cursor are read again (QRS commits a run's updates in several writes). */
const OVERLAP_MS = 10_000;
/** A first start reads this much history to learn from (QRS keeps only recent results anyway). */
const FIRST_LOOK_BACK_MS = 7 * 86_400_000;

export function createWatchdog(d: WatchdogDeps): Watchdog {
  const { cfg, qrs, store, clock, log } = d;
  let plan: (Plan & { counts?: Record<string, number> }) | undefined;
  const reported = new Set<string>();
  let latencies: number[] = [];
  let lastLook: number | undefined;
  let lastError: string | undefined;
  let view: TaskView[] = [];

  const looks = d.metrics.counter("steward_watchdog_looks_total", "Watchdog looks at QRS, by result (ok, failed).");
  const raised = d.metrics.counter("steward_watchdog_events_total", "Watchdog events announced, by kind.");
  d.metrics.gaugeFn("steward_watchdog_tasks_watched", "Enabled tasks the watchdog watches (not StewardWatch=off).", () => view.filter((t) => t.watched).length);
  d.metrics.gaugeFnAsync("steward_watchdog_open_conditions", "Open watchdog conditions by type (missed, chain_broken, running_long, stale, …).", async () => {
    const open = await store.openConditions();
    const counts = new Map<string, number>();
    for (const c of open) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
    return (["missed", "skipped", "retrying", "chain_broken", "running_long", "stale"] as WatchCondition[]).map((type) => ({
      labels: { type },
      value: counts.get(type) ?? 0,
    }));
  });

  const startLatency = () => {
    if (latencies.length < 5) return 0;
    const s = [...latencies].sort((a, b) => a - b);
    return Math.round(3 * s[Math.floor(s.length / 2)]!);
  };

  const refs = (taskId: string | undefined, appId: string | undefined) => {
    const t = taskId ? plan?.tasks.get(taskId) : undefined;
    const a = appId ?? t?.appId;
    const app = a ? plan?.apps.get(a) : undefined;
    const { lastReloadMs: _drop, ...appRef } = app ?? ({} as NonNullable<typeof app>);
    return {
      ...(t ? { task: { id: t.id, name: t.name, tags: t.tags, customProperties: t.customProperties } } : {}),
      ...(app ? { app: appRef } : {}),
    };
  };

  async function announce(key: string, event: WatchdogEvent, phase: "open" | "close"): Promise<void> {
    await d.emit(event);
    raised.inc({ kind: event.kind });
    if (phase === "open") await store.markOpenAnnounced(key);
    else await store.markCloseAnnounced(key);
  }

  /** Decisions stored but not announced (a crash, or the notifier refused): announced now, same event ids. */
  async function announcePending(): Promise<void> {
    for (const c of await store.unannounced()) {
      if (!c.openAnnounced) await announce(c.key, c.openEvent, "open");
      if (c.closedMs !== undefined && !c.closeAnnounced && c.closeEvent) await announce(c.key, c.closeEvent, "close");
    }
  }

  async function refreshPlan(qrs: QrsClient, now: number): Promise<void> {
    let due = !plan || now - plan.readAtMs >= cfg.planRefresh;
    if (plan && !due) {
      const probe = await planChanged(qrs, plan);
      due = probe.changed;
      plan.counts = probe.counts;
    }
    if (!due) return;
    const counts = plan?.counts;
    plan = { ...(await readPlan(qrs, now)), ...(counts ? { counts } : {}) };
    for (const p of plan.problems) {
      if (reported.has(p)) continue;
      reported.add(p);
      log.warn({ problem: p }, `watchdog: ${p}`);
    }
  }

  async function openAndAnnounce(c: { key: string; type: WatchCondition; taskId?: string; appId?: string; openedMs: number; event: WatchdogEvent }) {
    const { event, ...row } = c;
    if (await store.open({ ...row, openEvent: event })) await announce(c.key, event, "open");
  }
  const cloud: CloudWatch | undefined = d.cloudTenants?.length
    ? createCloudWatch({
        cfg,
        tenants: d.cloudTenants,
        store,
        clock,
        log,
        metrics: d.metrics,
        sink: {
          open: openAndAnnounce,
          close: async (key, closedMs, event) => {
            if (await store.close(key, closedMs, event)) await announce(key, event, "close");
          },
        },
      })
    : undefined;

  /** One look: QRS (when configured), then each Qlik Cloud tenant (each reports its own errors); a QRS error is the look's. */
  async function lookOnce(): Promise<void> {
    await announcePending();
    let failure: unknown;
    if (qrs) await lookQrs(qrs).catch((err) => void (failure = err));
    if (cloud) await cloud.look();
    if (failure) throw failure;
  }

  async function lookQrs(qrs: QrsClient): Promise<void> {
    const now = clock.now();
    await refreshPlan(qrs, now);
    if (!plan) return;
    const cursor = Number((await store.getMeta(CURSOR)) ?? now - FIRST_LOOK_BACK_MS);
    const checkedUntil = Number((await store.getMeta(CHECKED)) ?? now);
    const since = await store.getMeta(SINCE);
    if (since === undefined) await store.setMeta(SINCE, String(now));
    const watchingSince = Number(since ?? now);
    // Runs in progress first, then what changed: a run that ends between the two reads is in the second as
    // finished. Read the other way round (or at once), a short run could be in neither and look as if it never started.
    const runningRows = await fetchRunning(qrs);
    const changedRows = await fetchChanged(qrs, cursor - OVERLAP_MS);
    const running = readExecutions(runningRows);
    const changed = readExecutions(changedRows);
    if (running.unreadable + changed.unreadable > 0)
      log.warn({ rows: running.unreadable + changed.unreadable }, "watchdog: QRS execution results Steward cannot read were skipped");
    const ended = changed.executions.filter((e) => isFinal(e.status) || e.status === STATUS.Retry || e.status === STATUS.Skipped);
    await store.addRuns(
      ended.map((e: Execution) => ({
        resultId: e.resultId,
        taskId: e.taskId,
        ...(e.appId ? { appId: e.appId } : {}),
        status: e.status,
        createdMs: e.createdMs,
        startMs: e.startMs ?? e.createdMs,
        stopMs: e.stopMs ?? e.modifiedMs,
      })),
    );
    // Qlik Cloud's conditions are judged by the Cloud part (cloud-watch.ts).
    const open = (await store.openConditions()).filter((c) => !c.key.startsWith("cloud:"));
    const known: KnownCondition[] = open.map((c) => ({
      key: c.key,
      type: c.type,
      ...(c.taskId ? { taskId: c.taskId } : {}),
      ...(c.appId ? { appId: c.appId } : {}),
      openedMs: c.openedMs,
      details: detailsOf(c.openEvent),
    }));
    const result: Evaluation = evaluate({
      cfg,
      plan,
      nowMs: now,
      checkedUntilMs: checkedUntil,
      watchingSinceMs: watchingSince,
      runs: await store.runsSince(now - cfg.keepRuns),
      running: running.executions,
      changed: changed.executions,
      open: known,
      startLatencyMs: startLatency(),
    });
    latencies = [...latencies, ...result.latencies].slice(-50);
    view = result.tasks;
    for (const o of result.opens) {
      const node = o.taskId ? running.executions.find((e) => e.taskId === o.taskId)?.node : undefined;
      const event = watchdogEvent({
        kind: KIND[o.type],
        condition: { type: o.type, key: o.key, openedAtMs: o.openedMs },
        nowMs: now,
        host: node ?? d.host,
        ...refs(o.taskId, o.appId),
        details: o.details,
      });
      if (
        await store.open({
          key: o.key,
          type: o.type,
          ...(o.taskId ? { taskId: o.taskId } : {}),
          ...(o.appId ? { appId: o.appId } : {}),
          openedMs: o.openedMs,
          openEvent: event,
        })
      )
        await announce(o.key, event, "open");
    }
    for (const c of result.closes) {
      const row = open.find((x) => x.key === c.key);
      if (!row) continue;
      const event = watchdogEvent({
        kind: "task.on_track",
        condition: { type: row.type as WatchCondition, key: row.key, openedAtMs: row.openedMs, closedAtMs: now },
        nowMs: now,
        host: row.openEvent.host,
        ...refs(row.taskId, row.appId),
        details: { ...detailsOf(row.openEvent), resolution: c.resolution },
      });
      if (await store.close(c.key, now, event)) await announce(c.key, event, "close");
    }
    const newest = changed.executions.reduce((m, e) => Math.max(m, e.modifiedMs, e.createdMs), cursor);
    await store.setMeta(CURSOR, String(Math.min(newest, now)));
    await store.setMeta(CHECKED, String(now));
    await store.prune(now - cfg.keepRuns, now - 7 * 86_400_000);
  }

  const loop = createLoop(
    "watchdog",
    () =>
      lookOnce()
        .then(() => {
          lastLook = clock.now();
          lastError = undefined;
          looks.inc({ result: "ok" });
        })
        .catch((err) => {
          lastError = describeError(err);
          looks.inc({ result: "failed" });
          log.warn({ err: lastError }, "watchdog look failed; the next look is at the usual time and catches up");
        }),
    () => cfg.interval,
  );

  return {
    name: "watchdog",
    start: () => loop.start(),
    stop: (budgetMs) => loop.stop(budgetMs),
    look: () => loop.runNow(),
    status: () => ({
      ...(lastLook !== undefined ? { lastLookAt: new Date(lastLook).toISOString() } : {}),
      ...(lastError ? { lastError } : {}),
      ...(plan ? { planReadAt: new Date(plan.readAtMs).toISOString() } : {}),
      problems: [...(plan?.problems ?? []), ...(cloud?.status().problems ?? [])],
      tasks: [...view, ...(cloud?.status().tasks ?? [])],
      cloud: cloud?.status().tenants ?? [],
    }),
  };
}

const KIND: Record<WatchCondition, WatchdogEvent["kind"]> = {
  missed: "task.missed",
  skipped: "task.missed",
  retrying: "task.retrying",
  chain_broken: "task.chain_broken",
  running_long: "task.running_long",
  stale: "app.stale",
};

/** The details an opening event was built from, read back from its data (the event is what is stored). */
function detailsOf(e: WatchdogEvent): WatchDetails {
  const n = (k: string) => (typeof e.data[k] === "number" ? (e.data[k] as number) : undefined);
  const t = (k: string) => (typeof e.data[k] === "string" ? Date.parse(e.data[k] as string) : undefined);
  const s = (k: string) => (typeof e.data[k] === "string" ? (e.data[k] as string) : undefined);
  const out: WatchDetails = {};
  const set = <K extends keyof WatchDetails>(k: K, v: WatchDetails[K] | undefined) => {
    if (v !== undefined && !(typeof v === "number" && Number.isNaN(v))) out[k] = v;
  };
  set("expectedAtMs", t("expectedAt"));
  set("trigger", s("trigger"));
  set("graceMs", n("graceMs"));
  set("startedAtMs", t("startedAt"));
  set("executionId", s("executionId"));
  set("usualMs", n("usualMs"));
  set("limitMs", n("limitMs"));
  set("upstreamTask", s("upstreamTask"));
  set("upstreamOutcome", s("upstreamOutcome") as WatchDetails["upstreamOutcome"]);
  set("lastSuccessAtMs", t("lastSuccessAt"));
  set("expectWithinMs", n("expectWithinMs"));
  return out;
}
