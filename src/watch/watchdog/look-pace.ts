// Whether the watchdog's looks keep their interval. The next look is due an interval after the last one ends, so a
// look that takes longer than the interval stretches the time between looks and every missed start is seen that much
// later: said on /v4/watchdog and /ui/watchdog instead of falling silently behind (issue 57, a member that cannot keep up).
import { formatDuration } from "../../platform/core/duration";

/** The interval's default (watchdog.interval): a longer one is shown as lengthened. */
export const DEFAULT_LOOK_INTERVAL_MS = 60_000;

export interface LookPace {
  /** watchdog.interval: the wait after a look ends before the next one starts. */
  intervalMs: number;
  interval: string;
  /** The admin set a longer interval than the default. */
  lengthened: boolean;
  lastLookStartedAt: string | null;
  lastLookDurationMs: number | null;
  /** A look in progress: when it started. */
  lookInProgressSince: string | null;
  /** The time from one look's start to the next's, as the last look made it (interval plus the look's own duration). */
  effectiveIntervalMs: number;
  /** A look took (or is taking) longer than the interval. */
  behind: boolean;
  /** What the admin does about it, when behind. */
  note: string | null;
}

export interface LookTimes {
  intervalMs: number;
  lastStartedMs?: number;
  lastDurationMs?: number;
  runningSinceMs?: number;
  nowMs: number;
}

export function lookPace(t: LookTimes): LookPace {
  const running = t.runningSinceMs !== undefined ? t.nowMs - t.runningSinceMs : 0;
  const took = Math.max(t.lastDurationMs ?? 0, running);
  const behind = took > t.intervalMs;
  const iso = (ms: number | undefined) => (ms !== undefined ? new Date(ms).toISOString() : null);
  const slowest =
    running > (t.lastDurationMs ?? 0) ? `the look in progress has taken ${formatDuration(running)}` : `the last look took ${formatDuration(took)}`;
  return {
    intervalMs: t.intervalMs,
    interval: formatDuration(t.intervalMs),
    lengthened: t.intervalMs > DEFAULT_LOOK_INTERVAL_MS,
    lastLookStartedAt: iso(t.lastStartedMs),
    lastLookDurationMs: t.lastDurationMs ?? null,
    lookInProgressSince: iso(t.runningSinceMs),
    effectiveIntervalMs: t.intervalMs + took,
    behind,
    note: behind
      ? `Looks are falling behind: ${slowest}, longer than watchdog.interval (${formatDuration(t.intervalMs)}), so a look starts only every ${formatDuration(t.intervalMs + took)} and missed starts are seen that much later. Lengthen watchdog.interval to at least ${formatDuration(2 * took)}, or run the watchdog on a Steward with CPU to spare (in a cluster, the member that holds the watchdog lease).`
      : null,
  };
}
