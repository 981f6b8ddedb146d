// "How long this task usually takes", learned from its own successful runs: a robust centre (median) and spread
// (median absolute deviation), so one hung night or one quick no-op run does not move the limit; and how far its
// runs reach (the 90th percentile, counted up to 4 × the median so one hung run that still succeeded moves it only
// so far), so a task that often takes twice its median is not paged at twice its median; and
// how many runs it has seen, so a judgement made on a handful of runs leaves room for what they have not shown yet.

export interface UsualDuration {
  medianMs: number;
  madMs: number;
  samples: number;
  /** The 90th percentile of the recent runs (nearest rank). */
  p90Ms: number;
  /** Past this a run counts as running long: the largest of the terms in `basis`, never below the floor. */
  limitMs: number;
  /** Which term set the limit, for the watchdog's page ("1.5 × the 90th percentile", "few runs seen", …). */
  basis: string;
}

export interface UsualOptions {
  /** Fewest successful runs to learn from; fewer gives no limit (the task is not judged yet). */
  minSamples: number;
  /** Spread multiplier. */
  k: number;
  /** A run is never "long" before median × floorFactor … */
  floorFactor: number;
  /** … nor before this much time (so a 20-second task is not paged at 40 seconds). */
  floorMs: number;
  /** Only the most recent runs count (a task that grew stays judged by what it does now). */
  window: number;
  /** A run is never "long" before the 90th percentile of recent runs × this (how far the task's runs reach)… */
  reach: number;
  /** … counted up to median × this, so one hung run that still succeeded cannot lift the limit without bound. */
  reachCap: number;
  /** With n runs seen, never before median × (floorFactor + fewRuns / n): a handful of runs shows little. */
  fewRuns: number;
}

export const DEFAULT_USUAL: UsualOptions = { minSamples: 5, k: 6, floorFactor: 2, floorMs: 10 * 60_000, window: 30, reach: 1.5, reachCap: 4, fewRuns: 8 };

function median(sorted: number[]): number {
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/** Durations are oldest first; non-finite and negative values are ignored. */
export function learnUsualDuration(durationsMs: readonly number[], opts: UsualOptions = DEFAULT_USUAL): UsualDuration | undefined {
  const recent = durationsMs.filter((d) => Number.isFinite(d) && d >= 0).slice(-opts.window);
  if (recent.length < opts.minSamples) return undefined;
  const sorted = [...recent].sort((a, b) => a - b);
  const med = median(sorted);
  const mad = median(sorted.map((d) => Math.abs(d - med)).sort((a, b) => a - b));
  const p90 = sorted[Math.max(0, Math.ceil(0.9 * sorted.length) - 1)]!;
  const n = recent.length;
  const terms: Array<[number, string]> = [
    [opts.floorMs, "the floor (runningLong.floor)"],
    [med * opts.floorFactor, `${opts.floorFactor} × the median`],
    [med + opts.k * mad, `the median + ${opts.k} × the spread`],
    [Math.min(p90 * opts.reach, med * opts.reachCap), `${opts.reach} × the 90th percentile (how far its runs reach)`],
    [med * (opts.floorFactor + opts.fewRuns / n), `the median × ${+(opts.floorFactor + opts.fewRuns / n).toFixed(2)} (only ${n} runs seen)`],
  ];
  const [limitMs, basis] = terms.reduce((a, b) => (b[0] > a[0] ? b : a));
  return { medianMs: med, madMs: mad, samples: n, p90Ms: p90, limitMs: Math.round(limitMs), basis };
}
