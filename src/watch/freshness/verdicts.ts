// The judge's verdict for each promised app at its last look (issue 102: one truth for every page): fresh or not for the
// deadline at hand, and, when not, whether its data is held up (a run of its chain failed, its job failed). Written
// by the Steward judging the promises into the shared store, read by /status, the Freshness page, the morning report
// and the API, which all say the same state through freshnessState() instead of each judging "reloaded since …".
import type { AppFreshness, FreshnessStore, Level } from "./freshness-store";
import { heldUpBy } from "./chain-feed";
import { type FindingContext, findingFor, type JudgedPromise, type OpenFreshness, promisedApps, STARTED_WITH_CHECKIN_MS } from "./judge";
import { maxAgeVerdict } from "./max-age-verdict";
import type { FreshnessVerdict } from "./verdict";
import { readKeptRows } from "./projection-store";
import { type FreshnessState, stateOfLevel } from "./states";
import type { PendingRun } from "./chain-eta";

const KEY = "verdicts";

export type { FreshnessVerdict } from "./verdict";

/** The verdict of every promise's apps ("never older than" promises by their data's age through the chain). */
export function judgeVerdicts(input: {
  promises: readonly JudgedPromise[];
  apps: readonly AppFreshness[];
  open: readonly OpenFreshness[];
  context: FindingContext;
  /** A time in the administrator's words (the site's zone, as in the alerts); ISO-8601 when not given. */
  formatTime?: (ms: number) => string;
  /** Remediation's retries and re-runs due (chain-eta.ts): a failed task due to run again holds nothing up yet. */
  pending?: readonly PendingRun[];
  /** Since when each promise is watched (the judge's term): a "never older than" promise's data counts from then at most. */
  since?: ReadonlyMap<string, number>;
}): FreshnessVerdict[] {
  const at = input.formatTime ?? ((ms: number) => new Date(ms).toISOString());
  const openByKey = new Map(input.open.map((o) => [o.key, o]));
  const out: FreshnessVerdict[] = [];
  for (const p of input.promises) {
    if (p.maxAge) {
      out.push(...maxAgeVerdicts({ ...p, maxAge: p.maxAge }, input, at, openByKey));
      continue;
    }
    if (!p.deadlines) continue;
    for (const app of promisedApps(p, input.apps)) {
      const deadlineMs = openByKey.get(`freshness:${p.name}:${app.appId}`)?.deadlineMs ?? p.deadlines.after(input.context.nowMs);
      if (deadlineMs === undefined) continue;
      const f = findingFor(p, app, deadlineMs, input.context);
      const failedJob = f.upstream.find((u) => u.state === "failed");
      const held = heldUpBy(f.feed, deadlineMs, input.pending);
      const heldBy = f.fresh
        ? undefined
        : held
          ? `the run of "${held.task}" in its chain failed at ${at(held.atMs)}`
          : failedJob
            ? `the job "${failedJob.check}" failed`
            : undefined;
      out.push({
        promise: p.name,
        appId: app.appId,
        deadlineMs,
        fresh: f.fresh,
        ...(heldBy ? { heldBy } : {}),
        ...(f.broughtBy ? { broughtBy: f.broughtBy } : {}),
      });
    }
  }
  return out;
}

function maxAgeVerdicts(
  p: JudgedPromise & { maxAge: NonNullable<JudgedPromise["maxAge"]> },
  input: Parameters<typeof judgeVerdicts>[0],
  at: (ms: number) => string,
  openByKey: ReadonlyMap<string, OpenFreshness>,
): FreshnessVerdict[] {
  const { nowMs, tasks } = input.context;
  return promisedApps(p, input.apps).flatMap((app) => {
    const key = `freshness:${p.name}:${app.appId}`;
    const open = openByKey.get(key);
    const v = maxAgeVerdict({
      promise: p,
      app,
      ...(open ? { openDeadlineMs: open.deadlineMs } : {}),
      sinceMs: input.since?.get(p.name) ?? nowMs,
      nowMs,
      ...(tasks ? { tasks } : {}),
      ...(input.context.dataTimes?.has(key) ? { keptMs: input.context.dataTimes.get(key)! } : {}),
      ...(input.pending ? { pending: input.pending } : {}),
      slackMs: STARTED_WITH_CHECKIN_MS,
      at,
    });
    return v ? [v] : [];
  });
}

/**
 * The one state of a promised app, everywhere: an open condition says at risk or late; else the judge's verdict: not
 * fresh with its data held up is at risk (a reload of the old inputs is not "up to date"); else fresh once it loaded.
 */
export function freshnessState(level: Level | undefined, verdict: FreshnessVerdict | undefined, app: Pick<AppFreshness, "lastSuccessMs">): FreshnessState {
  if (level) return stateOfLevel(level);
  if (verdict && !verdict.fresh && verdict.heldBy) return "at_risk";
  return app.lastSuccessMs === undefined ? "unknown" : "fresh";
}

interface Kept {
  atMs: number;
  rows: FreshnessVerdict[];
}

/** Stores the look's verdicts when they changed, or when the last write is older than `refreshMs`. */
export function createVerdictWriter(store: Pick<FreshnessStore, "setMeta">, refreshMs: number) {
  let last: { json: string; atMs: number } | undefined;
  return async (rows: FreshnessVerdict[], nowMs: number): Promise<void> => {
    const json = JSON.stringify(rows);
    if (last && last.json === json && nowMs - last.atMs < refreshMs) return;
    await store.setMeta(KEY, JSON.stringify({ atMs: nowMs, rows } satisfies Kept));
    last = { json, atMs: nowMs };
  };
}

/**
 * The data time of each "never older than" promise's app at the judge's last look, by condition key: however long ago
 * (the data cannot have become newer without a reload that came through its chain, which the judge sees itself).
 */
export async function readDataTimes(store: Pick<FreshnessStore, "getMeta">, nowMs: number): Promise<Map<string, number>> {
  return dataTimesOf((await readKeptRows<FreshnessVerdict>(store, KEY, nowMs, Number.POSITIVE_INFINITY)).values());
}

/** The data times the verdicts hold, by condition key: what readDataTimes reads back once they are stored. */
export function dataTimesOf(rows: Iterable<FreshnessVerdict>): Map<string, number> {
  return new Map([...rows].flatMap((v) => (v.dataMs === undefined ? [] : [[`freshness:${v.promise}:${v.appId}`, v.dataMs] as const])));
}

/** The verdicts confirmed within `maxAgeMs`, by projectionKey; none when the judge has not looked lately. */
export async function readVerdicts(store: Pick<FreshnessStore, "getMeta">, nowMs: number, maxAgeMs: number): Promise<Map<string, FreshnessVerdict>> {
  return readKeptRows<FreshnessVerdict>(store, KEY, nowMs, maxAgeMs);
}
