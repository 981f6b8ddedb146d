// "How long this task usually takes", learned from its own successful runs, and the limit past which a run in
// progress is running long (issue 64: limits that know a task's own spread). Reload durations vary by a factor
// (a night with twice the data takes about twice as long), so the spread is measured in log space (robustly: a hung
// run that still succeeded does not widen it). A limit above the task's own high quantile leaves room for that
// spread, so a long-tailed task that takes 2–4 × its median on some nights is not paged at 4.2 ×, while a tight one
// is still paged at 5 ×. While few runs are seen the watchdog learns before it judges: past the limit it raises a
// notice, and pages only a clear hang (4.5 × the median: a run at 4 × is a notice, a hang at 5 × a page). Where a
// task's durations differ by kind of day (month-end, Mondays) the level of that day is learned from that day's own
// runs (duration-buckets.ts).
import { type DurationBucket, bucketMinRuns, bucketText } from "./duration-buckets";

export interface UsualDuration {
  medianMs: number;
  madMs: number;
  samples: number;
  /** The 90th and 95th percentiles of the recent runs (nearest rank), and the longest of them. */
  p90Ms: number;
  p95Ms: number;
  longestMs: number;
  /** How much its runs vary, in log space (1.4826 × the median of |ln d − ln median|: σ for a lognormal task). */
  logSpread: number;
  /** Past this a run is paged as running long: while learning, only a clear hang. */
  limitMs: number;
  /** Which term set the limit, for the watchdog's page ("1.25 × the 95th percentile", "a clear hang", …). */
  basis: string;
  /** The same as a word the page turns into a sentence (limit-words.ts): no factor like "the median × 127.56". */
  basisKind: LimitBasisKind;
  /** Fewer runs seen than `learnRuns`: past `noticeMs` a notice is raised (task.notice), a page only past `limitMs`. */
  learning: boolean;
  noticeMs?: number;
  /** The median and count of the runs per kind of day, for days whose level differs (limitFor). */
  buckets?: Partial<Record<DurationBucket, { medianMs: number; runs: number }>>;
}

/** Which term set the limit: the floor, twice the median, the runs' spread, their 95th percentile, the room given while few runs are seen, or a clear hang. */
export type LimitBasisKind = "floor" | "double" | "spread" | "reach" | "learning" | "hang";

export interface UsualOptions {
  /** Fewest successful runs to learn from; fewer gives no limit (the task is not judged yet). */
  minSamples: number;
  /** Fewer successful runs than this: still learning (a notice past the limit; a page only for a clear hang). */
  learnRuns: number;
  /** A run is never "long" before median × floorFactor … */
  floorFactor: number;
  /** … nor before this much time (so a 20-second task is not paged at 40 seconds). */
  floorMs: number;
  /** Only the most recent runs count (a task that grew stays judged by what it does now). */
  window: number;
  /** The limit is at least the median × e^(spreadZ × logSpread): this many of its own spreads above its median … */
  spreadZ: number;
  /** … counted up to this many times the longest run seen, so a task of two kinds of run is not given an endless limit. */
  spreadCap: number;
  /** The limit is at least the 95th percentile of recent runs × this (how far its runs reach) … */
  reach: number;
  /** … counted up to median × this, so one hung run that still succeeded cannot lift the limit without bound. */
  reachCap: number;
  /** While learning, the notice comes at median × (floorFactor + fewRuns / n) at the least: a handful of runs shows little. */
  fewRuns: number;
  /** While learning, a run past median × this is a clear hang, and paged. */
  hangFactor: number;
}

export const DEFAULT_USUAL: UsualOptions = {
  minSamples: 5,
  learnRuns: 10,
  floorFactor: 2,
  floorMs: 10 * 60_000,
  window: 30,
  spreadZ: 4,
  spreadCap: 3,
  reach: 1.25,
  reachCap: 4,
  fewRuns: 8,
  hangFactor: 4.5,
};

function median(sorted: readonly number[]): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}
/** Interpolated quantile of sorted values. */
function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[lo + 1] ?? sorted[lo]!) - sorted[lo]!);
}

/**
 * σ of log durations, robustly: the larger of the median absolute deviation's and the interquartile range's
 * estimate (both ignore a hung run that still succeeded; each alone is too small on some handfuls of runs).
 */
function spreadOf(logsSorted: readonly number[]): number {
  const m = median(logsSorted);
  const mad = 1.4826 * median(logsSorted.map((x) => Math.abs(x - m)).sort((a, b) => a - b));
  const iqr = (quantile(logsSorted, 0.75) - quantile(logsSorted, 0.25)) / 1.349;
  return Math.max(mad, iqr);
}
const rank = (sorted: readonly number[], q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
const largest = <T extends [number, string, LimitBasisKind]>(terms: T[]) => terms.reduce((a, b) => (b[0] > a[0] ? b : a));
const times = (x: number) => `${+x.toFixed(2)}`;

/**
 * Durations are oldest first; non-finite and negative values are ignored. `bucketOf`, when given, names the kind of
 * day each duration's run started on (same order), to learn the level of days that differ.
 */
export function learnUsualDuration(
  durationsMs: readonly number[],
  opts: UsualOptions = DEFAULT_USUAL,
  bucketOf?: ReadonlyArray<DurationBucket | undefined>,
): UsualDuration | undefined {
  const valid = durationsMs.flatMap((d, k) => (Number.isFinite(d) && d >= 0 ? [{ d, b: bucketOf?.[k] }] : []));
  const recent = valid.slice(-opts.window).map((x) => x.d);
  if (recent.length < opts.minSamples) return undefined;
  const sorted = [...recent].sort((a, b) => a - b);
  const med = median(sorted);
  const mad = median(sorted.map((d) => Math.abs(d - med)).sort((a, b) => a - b));
  const logSpread = spreadOf(sorted.map((d) => Math.log(Math.max(d, 1))));
  // A spread measured on few runs is often too small: the fewer runs, the more room (a prediction, not a fit).
  const z = opts.spreadZ * (1 + 1 / Math.sqrt(sorted.length));
  const p90 = rank(sorted, 0.9);
  const p95 = rank(sorted, 0.95);
  const longest = sorted[sorted.length - 1]!;
  const n = recent.length;
  const settled: Array<[number, string, LimitBasisKind]> = [
    [opts.floorMs, "the floor (runningLong.floor)", "floor"],
    [med * opts.floorFactor, `${opts.floorFactor} × the median`, "double"],
    [
      Math.min(med * Math.exp(z * logSpread), longest * opts.spreadCap),
      `the median × ${times(Math.min(Math.exp(z * logSpread), (longest * opts.spreadCap) / Math.max(med, 1)))} (room for how much its runs vary)`,
      "spread",
    ],
    [Math.min(p95 * opts.reach, med * opts.reachCap), `${opts.reach} × the 95th percentile (how far its runs reach)`, "reach"],
  ];
  const base = { medianMs: med, madMs: mad, samples: n, p90Ms: p90, p95Ms: p95, longestMs: longest, logSpread, ...bucketsOf(valid, med, opts.window) };
  if (n >= opts.learnRuns) {
    const [limitMs, basis, basisKind] = largest(settled);
    return { ...base, limitMs: Math.round(limitMs), basis, basisKind, learning: false };
  }
  const few = opts.floorFactor + opts.fewRuns / n;
  const [noticeMs, noticeBasis, noticeKind] = largest([...settled, [med * few, `the median × ${times(few)}`, "learning"]]);
  const hang = med * opts.hangFactor;
  const learningText = `still learning: ${n} of ${opts.learnRuns} runs seen`;
  if (noticeMs >= hang) return { ...base, limitMs: Math.round(noticeMs), basis: `${noticeBasis} (${learningText})`, basisKind: noticeKind, learning: true };
  return {
    ...base,
    limitMs: Math.round(hang),
    basis: `a clear hang: ${opts.hangFactor} × the median (${learningText}; a notice from ${noticeBasis})`,
    basisKind: "hang",
    learning: true,
    noticeMs: Math.round(noticeMs),
  };
}

function bucketsOf(valid: ReadonlyArray<{ d: number; b: DurationBucket | undefined }>, med: number, window: number): Pick<UsualDuration, "buckets"> {
  const by = new Map<DurationBucket, number[]>();
  for (const { d, b } of valid) if (b) (by.get(b) ?? by.set(b, []).get(b)!).push(d);
  const out: NonNullable<UsualDuration["buckets"]> = {};
  for (const [b, ds] of by) {
    const own = ds.slice(-window).sort((x, y) => x - y);
    const m = median(own);
    // Only a day that differs is kept: the rest are judged by all runs, as before.
    if (own.length >= bucketMinRuns(b) && m >= med * BUCKET_DIFFERS) out[b] = { medianMs: m, runs: own.length };
  }
  return Object.keys(out).length ? { buckets: out } : {};
}

/** A kind of day whose median is this many times the task's is learned apart; its level counts up to BUCKET_CAP. */
const BUCKET_DIFFERS = 1.25;
const BUCKET_CAP = 4;

export interface RunLimit {
  limitMs: number;
  noticeMs?: number;
  basis: string;
}

/** The limits for a run that started on a kind of day: scaled by that day's own level when it differs. */
export function limitFor(u: UsualDuration, bucket: DurationBucket | undefined): RunLimit {
  const own = bucket ? u.buckets?.[bucket] : undefined;
  const plain: RunLimit = { limitMs: u.limitMs, ...(u.noticeMs !== undefined ? { noticeMs: u.noticeMs } : {}), basis: u.basis };
  if (!own || u.medianMs <= 0) return plain;
  const f = Math.min(own.medianMs / u.medianMs, BUCKET_CAP);
  return {
    limitMs: Math.round(u.limitMs * f),
    ...(u.noticeMs !== undefined ? { noticeMs: Math.round(u.noticeMs * f) } : {}),
    basis: `${u.basis}, × ${times(f)} on ${bucketText(bucket!)} (its ${own.runs} runs there take that much longer)`,
  };
}
