// "How long this task usually takes", learned from its own successful runs: a robust centre (median) and spread
// (median absolute deviation), so one hung night or one quick no-op run does not move the limit.

export interface UsualDuration {
  medianMs: number;
  madMs: number;
  samples: number;
  /** Past this a run counts as running long: median + k·MAD, never below the floor. */
  limitMs: number;
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
}

export const DEFAULT_USUAL: UsualOptions = { minSamples: 5, k: 6, floorFactor: 2, floorMs: 10 * 60_000, window: 30 };

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
  const limitMs = Math.max(med + opts.k * mad, med * opts.floorFactor, opts.floorMs);
  return { medianMs: med, madMs: mad, samples: recent.length, limitMs: Math.round(limitMs) };
}
