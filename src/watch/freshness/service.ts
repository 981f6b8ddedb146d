// The freshness judge loop, on the Steward holding the watchdog lease: reads the apps' reloads and the upstream
// check-ins from the shared store, judges every promise, and announces each warning, breach and recovery once
// (stored first, then handed to the notifier, then marked announced, so a crash in between repeats nothing).
import type { Logger } from "pino";
import type { CheckinStore } from "../checkins/checkin-store";
import type { Clock } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { Component } from "../../platform/core/lifecycle";
import { createLoop } from "../../platform/core/loop";
import { inFlight } from "../../platform/core/stepped-clock";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { FreshnessCondition, WatchdogEvent } from "../../platform/events/types";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import { maxAgeBase } from "./judge-max-age";
import type { TaskView } from "../watchdog/evaluate";
import { createAppListReader } from "./app-list";
import { type ChainEta, chainEta, type PendingRun } from "./chain-eta";
import { freshnessEvent } from "./freshness-event";
import type { FreshnessConditionRow, FreshnessStore } from "./freshness-store";
import { type FreshnessFinding, type JudgedPromise, judgeFreshness, STARTED_WITH_CHECKIN_MS, type Upstream } from "./judge";
import { dataThrough, heldUpBy } from "./chain-feed";
import { type FreshnessProjection, projectFreshness } from "./projection";
import { createProjectionWriter } from "./projection-store";
import { newJudgeTerm } from "./judge-term";
import { createVerdictWriter, dataTimesOf, judgeVerdicts, readDataTimes } from "./verdicts";
import { createStopCauses, type HolderOfTasks } from "./stop-cause";
import type { RecordStore } from "./record-store";
import { createRecordWriter } from "./record-writer";
import { type OwnReload, type OwnReloadDone, recordOwnReloads, reloadsThrough, usualReloadMs } from "./own-reloads";

/** An unchanged projection is written again this often, so a reader can tell a current one from a forsaken one. */
export const projectionRefreshMs = (intervalMs: number): number => Math.max(5 * 60_000, 2 * intervalMs);

export interface FreshnessServiceDeps {
  promises: readonly JudgedPromise[];
  upstreams: readonly Upstream[];
  /** Per check: the apps it feeds, by name (for "the late job also feeds"). */
  feeds: ReadonlyMap<string, string[]>;
  store: FreshnessStore;
  /** Each deadline's judgement, for the promise's record on /status (record-store.ts). */
  record?: RecordStore;
  checkins?: CheckinStore;
  /** QRS, to know the promised apps (and their last reload) before Steward sees one of their reloads. */
  qrs?: QrsClient;
  /** The watchdog's view of the Qlik tasks (triggers, chains, usual durations), for when an app is now expected. */
  chainTasks?: () => readonly TaskView[];
  /** When the watchdog last looked (its view of the tasks is as of then); now when not told. */
  chainSeenAt?: () => number | undefined;
  /** The cause holding a task up (src/tell/grouping, through the composition root): named as what stops a chain. */
  holderOf?: HolderOfTasks;
  /**
   * The runs to come that Steward starts itself (src/start/remediation, through the composition root): the retries and
   * re-runs that are due keep a chain going; its own Engine reloads of an app, to come or running, end it at the app.
   */
  pendingRuns?: () => Promise<RunsToCome>;
  /** The app custom property a promise may be written in (freshness.customProperty). */
  customProperty?: string;
  intervalMs: number;
  clock: Clock;
  log: Logger;
  metrics: MetricsRegistry;
  host: string;
  emit(e: WatchdogEvent): Promise<void>;
  /** Times inside the events' sentences, in the site's zone (ISO-8601 when not given). */
  formatTime?: (ms: number) => string;
}

/** What Steward itself will start or runs: remediation's due task runs and its own Engine reloads. */
export interface RunsToCome {
  runs: readonly PendingRun[];
  reloads: readonly OwnReload[];
  /** Its reload jobs that succeeded lately: the app's reloads, recorded by the judge. */
  done: readonly OwnReloadDone[];
}
const NONE: RunsToCome = { runs: [], reloads: [], done: [] };

export interface FreshnessService extends Component {
  judgeNow(): Promise<void>;
  /** The configured promises and those read from the apps' custom property. */
  promises(): readonly JudgedPromise[];
  lastError(): string | undefined;
}

/** When a warning began: its time before the deadline, or when the data became warnAfter old (in the promise's hours). */
function warnedAt(p: JudgedPromise | undefined, f: FreshnessFinding, sinceMs: number, nowMs: number): number {
  if (p?.maxAge?.warnAfterMs !== undefined) {
    const at = p.maxAge.hours.firstActiveAtOrAfter(
      maxAgeBase({ ...f.app, lastSuccessMs: f.dataAsOfMs ?? f.app.lastSuccessMs }, sinceMs) + p.maxAge.warnAfterMs,
    );
    return Math.min(at ?? nowMs, nowMs);
  }
  return f.deadlineMs - (p?.deadlines?.warnBeforeMs ?? 0);
}

/** When a condition opened: now when at risk, its warning time, or the deadline it breached. */
function openedAtOf(
  o: FreshnessFinding & { level: "warning" | "breached" },
  promises: readonly JudgedPromise[],
  since: ReadonlyMap<string, number>,
  now: number,
): number {
  if (o.atRisk) return now;
  if (o.level !== "warning") return o.deadlineMs;
  return warnedAt(
    promises.find((p) => p.name === o.promise),
    o,
    since.get(o.promise) ?? now,
    now,
  );
}

const withChain = <F extends FreshnessFinding>(f: F, etaOf: (f: FreshnessFinding) => ChainEta | undefined): F => {
  const eta = etaOf(f);
  return eta ? { ...f, chain: eta } : f;
};
const isoTime = (ms: number) => new Date(ms).toISOString();

/**
 * The chain's projection as the judgement sees it (issue 102): while the data has not come through, the app's own
 * reload earlier in the cycle is not the chain's end (the chain is read from after it); while a run upstream failed and
 * nothing planned runs it before the deadline, no planned reload of the app (its own 07:00 schedule) brings the data,
 * so none is expected.
 */
function heldChainEta(f: FreshnessFinding, tasks: readonly TaskView[], now: number, seenAtMs: number, toCome: RunsToCome): ChainEta | undefined {
  const cycle = f.cycleStartMs ?? now - 86_400_000;
  const through = dataThrough(f.feed, f.app, STARTED_WITH_CHECKIN_MS);
  const from = !through && f.app.lastSuccessMs !== undefined ? Math.max(cycle, f.app.lastSuccessMs + 1) : cycle;
  const pending = toCome.runs;
  // Steward's own Engine reload brings the data only as a reload of the app would (after its chain's runs).
  const reloads = reloadsThrough(f.feed, toCome.reloads, STARTED_WITH_CHECKIN_MS);
  const own = reloads.length > 0 ? { own: { reloads, usualMs: usualReloadMs(f.app.appId, tasks, f.app) } } : {};
  const eta = chainEta(f.app.appId, tasks, from, now, seenAtMs, { deadlineMs: f.deadlineMs, pending, ...own });
  const b = heldUpBy(f.feed, f.deadlineMs, pending);
  if (!eta || !b) return eta;
  const { expectedMs: _planned, ...held } = eta;
  const named = held.problems.some((p) => p.taskId === b.taskId);
  return { ...held, problems: named ? held.problems : [{ task: b.task, taskId: b.taskId, state: "failed", atMs: b.atMs }, ...held.problems] };
}

/** Each finding's chain at this look, with remediation's pending runs (none without the watchdog's view of the tasks). */
function chainReader(
  d: FreshnessServiceDeps,
  tasks: readonly TaskView[] | undefined,
  now: number,
  toCome: RunsToCome,
): (f: FreshnessFinding) => ChainEta | undefined {
  if (!tasks) return () => undefined;
  const seenAtMs = Math.min(now, d.chainSeenAt?.() ?? now);
  return (f) => heldChainEta(f, tasks, now, seenAtMs, toCome);
}

/** Judges and projects; once more when a chain that stopped or runs past its deadline has a cause to name. */
async function withCauses<R, P>(judge: () => R, project: () => P, resolve: () => Promise<boolean>): Promise<{ result: R; projected: P }> {
  const first = { result: judge(), projected: project() };
  return (await resolve()) ? { result: judge(), projected: project() } : first;
}

/**
 * Each promised app's projection as of now with `extra` runs due besides remediation's pending ones (a preview of an
 * action not approved yet): reads only, nothing announced or written.
 */
export async function projectWith(d: FreshnessServiceDeps, promises: readonly JudgedPromise[], extra: readonly PendingRun[]): Promise<FreshnessProjection[]> {
  const now = d.clock.now();
  const tasks = d.chainTasks?.();
  if (!tasks) return [];
  const toCome = d.pendingRuns ? await d.pendingRuns() : NONE;
  const pending = { ...toCome, runs: [...toCome.runs, ...extra] };
  const { etaOf } = createStopCauses(chainReader(d, tasks, now, pending), d.holderOf, d.formatTime ?? isoTime, now);
  const open = (await d.store.openConditions()).map((r) => ({ key: r.key, deadlineMs: r.deadlineMs, level: r.level }));
  const checkStates = d.checkins ? await d.checkins.states() : new Map();
  const context = { upstreams: d.upstreams, checkStates, nowMs: now, tasks };
  return projectFreshness({ promises, apps: await d.store.apps(), open, context, etaOf });
}

export function createFreshnessService(d: FreshnessServiceDeps): FreshnessService {
  const { store, clock } = d;
  const raised = d.metrics.counter("steward_freshness_events_total", "Freshness events announced, by kind.");
  let lastErr: string | undefined;

  const send = async (key: string, e: WatchdogEvent, what: "warn" | "breach" | "close") => {
    await d.emit(e);
    raised.inc({ kind: e.kind });
    await store.markAnnounced(key, what);
  };

  const build = (
    kind: WatchdogEvent["kind"] & `app.freshness_${string}`,
    level: FreshnessCondition,
    f: FreshnessFinding,
    openedAtMs: number,
    now: number,
    closedAtMs?: number,
  ) => {
    const late = new Set(f.upstream.filter((u) => u.state !== "done").map((u) => u.check));
    const alsoFeeds = [...new Set([...late].flatMap((c) => d.feeds.get(c) ?? []))].filter((a) => a.toLowerCase() !== f.app.appName.toLowerCase());
    return freshnessEvent({
      ...(d.formatTime ? { formatTime: d.formatTime } : {}),
      kind,
      level,
      finding: f,
      promiseText: allPromises().find((p) => p.name === f.promise)?.text ?? "",
      openedAtMs,
      ...(closedAtMs !== undefined ? { closedAtMs } : {}),
      nowMs: now,
      host: d.host,
      alsoFeeds,
    });
  };

  let term = newJudgeTerm(store);

  const appList = createAppListReader({
    promises: d.promises,
    store,
    log: d.log,
    ...(d.qrs ? { qrs: d.qrs } : {}),
    ...(d.customProperty ? { customProperty: d.customProperty } : {}),
  });
  const allPromises = () => [...d.promises, ...appList.ownPromises()];
  const projections = createProjectionWriter(store, projectionRefreshMs(d.intervalMs));
  const writeVerdicts = createVerdictWriter(store, projectionRefreshMs(d.intervalMs));
  const writeRecord = d.record ? createRecordWriter(d.record) : undefined;

  async function judgeOnce(): Promise<void> {
    await term.announcePending(send);
    const now = clock.now();
    await appList.read(now);
    const since = await term.since(allPromises(), now);
    const openRows: FreshnessConditionRow[] = await store.openConditions();
    const tasks = d.chainTasks?.();
    const toCome = d.pendingRuns ? await d.pendingRuns() : NONE;
    const pending = toCome.runs;
    const raw = chainReader(d, tasks, now, toCome);
    const { etaOf, resolve } = createStopCauses(raw, d.holderOf, d.formatTime ?? isoTime, now);
    const known = await store.apps();
    // Steward's own reload that succeeded is the app's reload: judged at this look, not when QRS's app list is read.
    const apps = (await recordOwnReloads(store, known, toCome.done)) ? await store.apps() : known;
    const checkStates = d.checkins ? await d.checkins.states() : new Map();
    const open = openRows.map((r) => ({ key: r.key, deadlineMs: r.deadlineMs, level: r.level }));
    // Only "never older than" promises remember their data's time: a site without one reads nothing more each look.
    const dataTimes = allPromises().some((p) => p.maxAge !== undefined) ? await term.dataTimes(() => readDataTimes(store, now)) : new Map<string, number>();
    const context = { upstreams: d.upstreams, checkStates, nowMs: now, dataTimes, ...(tasks ? { tasks } : {}) };
    const judge = () => judgeFreshness({ etaOf, promises: allPromises(), apps, open, since, ...context });
    // What /status and the Freshness page show: when each promised app not fresh yet is now expected.
    const project = () => projectFreshness({ promises: allPromises(), apps, open, context, etaOf });
    const { result, projected } = await withCauses(judge, project, resolve);
    await projections.write(projected, now);
    // What every page says of each app's state: this look's verdict, not a "reloaded since" of its own.
    const verdicts = judgeVerdicts({ promises: allPromises(), apps, open, context, pending, since, formatTime: d.formatTime ?? isoTime });
    await writeVerdicts(verdicts, now);
    term.keepDataTimes(dataTimesOf(verdicts));
    // What the task chain says: which run upstream failed or runs long, and when the app will be fresh.
    result.opens = result.opens.map((f) => withChain(f, etaOf));
    result.escalations = result.escalations.map((f) => withChain(f, etaOf));
    await writeRecord?.({ promises: allPromises(), apps, open, since, context, result });
    for (const o of result.opens) {
      const level: FreshnessCondition = o.level === "warning" ? "freshness_warning" : "freshness_breached";
      const openedAt = openedAtOf(o, allPromises(), since, now);
      const e = build(o.level === "warning" ? "app.freshness_warning" : "app.freshness_breached", level, o, openedAt, now);
      if (await store.open({ key: o.key, promise: o.promise, appId: o.app.appId, deadlineMs: o.deadlineMs, level: o.level, openedMs: openedAt, event: e }))
        await send(o.key, e, o.level === "warning" ? "warn" : "breach");
    }
    for (const f of result.escalations) {
      const row = openRows.find((r) => r.key === f.key)!;
      const e = build("app.freshness_breached", "freshness_breached", f, row.openedMs, now);
      if (await store.escalate(f.key, e)) await send(f.key, e, "breach");
    }
    for (const f of result.closes) {
      const row = openRows.find((r) => r.key === f.key)!;
      const level: FreshnessCondition = row.level === "warning" ? "freshness_warning" : "freshness_breached";
      const e = build("app.freshness_recovered", level, f, row.openedMs, now, now);
      if (await store.close(f.key, now, e)) await send(f.key, e, "close");
    }
    await term.prune(now);
  }

  const loop = createLoop(
    "freshness",
    // On a stepped clock, time waits for the judgement (its store reads and writes) to end.
    () =>
      inFlight(
        clock,
        judgeOnce()
          .then(() => {
            lastErr = undefined;
          })
          .catch((err) => {
            term.failed();
            lastErr = describeError(err);
            d.log.warn({ err: lastErr }, "freshness judgement failed; the next one is at the usual time and catches up");
          }),
        "freshness judgement",
      ),
    () => d.intervalMs,
    clock,
  );
  return {
    name: "freshness",
    start: () => {
      term = newJudgeTerm(store);
      return loop.start();
    },
    stop: (b) => loop.stop(b),
    judgeNow: () => loop.runNow(),
    promises: allPromises,
    lastError: () => lastErr,
  };
}
