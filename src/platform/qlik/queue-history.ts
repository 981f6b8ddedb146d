// What an execution result's details say about the Scheduler's queue: when the run left it (QRS's own line
// "Changing task state from Queued to …", with its detailCreatedDate; the latest wins, a retry queues again), and
// whether it ended there without ever starting. Qlik cancels a run that waits longer than the node's queue timeout
// ("cancelled due to timeout. It has to be triggered again", Qlik's KB "Concurrent Reload Settings in Qlik Sense
// Enterprise"). How QRS records that cancellation is not published, so the shape comes first: the run ended (failed,
// aborted or in error) with no "… to Started" line and no abort asked for, after a "Queued" state or a detail naming
// the queue. Such a run is called cancelled by the queue only when a detail says it timed out (time out, timeout,
// waited longer): a run that waited and then failed for a reason of its own (its details say "Failed to start
// session", an engine that refused it) is a failure with that reason, not the queue's doing (issue 77). The
// simulator's own choices (FinishedFail from Queued with a detail naming the timeout; or with the session's error)
// are one shape of each.

const FAILED_ENDS = new Set([6, 8, 11]);
const STARTED = /\bto (?:Started|DistributionRunning)\b/i;
const FROM_QUEUED = /from Queued to /i;
const NAMES_QUEUE = /\bqueue/i;
/** Someone aborted it (the QMC's Stop): an abort asked for, not a cancellation by the queue's timeout. */
const ABORT_ASKED = /\bto AbortInitiated\b/i;
/** A detail that says the wait ran out: the queue's timeout, not the run's own failure. */
const TIMED_OUT = /\btime[- ]?out\b|\btimeout\b|\btimed[- ]out\b|\bwaited longer\b/i;

export interface QueueHistory {
  /** When it left the queue, if it was ever queued. */
  leftMs?: number;
  /** Ended while waiting (never started) and a detail says the wait timed out: cancelled after waiting in the queue. */
  cancelled: boolean;
  /** Ended while waiting (never started) for another reason than the queue's timeout: a failure of its own. */
  failedWaiting?: true;
  /** The detail that says so, when one names the queue (for people). */
  message?: string;
}

const time = (s: unknown): number | undefined => {
  if (typeof s !== "string" || s.startsWith("1753-01-01")) return undefined;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : undefined;
};

export function queueHistory(details: unknown, status: number): QueueHistory | undefined {
  if (!Array.isArray(details) || details.length === 0) return undefined;
  let leftMs: number | undefined;
  let started = false;
  let aborted = false;
  let queued = false;
  let message: string | undefined;
  let timedOut = false;
  for (const d of details) {
    const text = (d as { message?: unknown } | null)?.message;
    if (typeof text !== "string") continue;
    if (STARTED.test(text)) started = true;
    if (TIMED_OUT.test(text)) timedOut = true;
    if (ABORT_ASKED.test(text)) aborted = true;
    if (FROM_QUEUED.test(text)) {
      queued = true;
      const ms = time((d as { detailCreatedDate?: unknown }).detailCreatedDate);
      if (ms !== undefined && (leftMs === undefined || ms > leftMs)) leftMs = ms;
    } else if (/\bto Queued\b/i.test(text)) queued = true;
    else if (NAMES_QUEUE.test(text) && message === undefined) message = text.slice(0, 500);
  }
  const endedWaiting = FAILED_ENDS.has(status) && !started && !aborted && (queued || message !== undefined);
  const cancelled = endedWaiting && timedOut;
  if (leftMs === undefined && !endedWaiting) return undefined;
  return {
    ...(leftMs !== undefined ? { leftMs } : {}),
    cancelled,
    ...(endedWaiting && !cancelled ? { failedWaiting: true as const } : {}),
    ...(message ? { message } : {}),
  };
}
