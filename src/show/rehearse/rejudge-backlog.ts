// Issue 105: each node's Scheduler queue judged again on the window's recorded runs with a config's backlog threshold.
// A run waited for an engine from when the Scheduler created it to when it got one (or Qlik cancelled it: the
// watchdog keeps such a run's start at its end); the runs' waits on a node, overlapping, are the queue's episodes, as
// the live queue watch (queue-watch.ts) sees them look by look. An episode longer than the threshold opens
// scheduler.queue_backlog at its start plus the threshold and closes with task.on_track when its last wait ended.
import { queueResolution } from "../../watch/watchdog/queue-event";
import { nodeKey } from "../../watch/watchdog/scheduler-settings";
import { watchdogEvent } from "../../watch/watchdog/watchdog-event";
import type { RecordedEvent } from "../noise/replay";

/** A run's wait in a node's queue (watchdog_runs: created → start). */
export interface QueueWait {
  node: string;
  createdMs: number;
  startMs: number;
}

export interface BacklogThreshold {
  enabled: boolean;
  backlogAfterMs: number;
}

/** What a re-judged backlog page was about, for the rehearsal's named lines. */
export interface BacklogLabel {
  node: string;
  key: string;
  /** Since when the queue was not empty, and when it emptied. */
  sinceMs: number;
  untilMs: number;
  thresholdMs: number;
}

export interface RejudgedBacklog {
  events: RecordedEvent[];
  labels: Map<string, BacklogLabel>;
}

/**
 * A run waiting less than this is no wait: the live watch counts a Triggered run only once it has waited a minute
 * (queue-watch.ts), and the recorded runs do not say which waits were Queued.
 */
export const MIN_WAIT_MS = 60_000;

interface Episode {
  node: string;
  sinceMs: number;
  untilMs: number;
  runs: number;
}

/** Each node's episodes: its overlapping waits merged, oldest first. */
export function queueEpisodes(waits: readonly QueueWait[]): Episode[] {
  const byNode = new Map<string, QueueWait[]>();
  for (const w of waits) {
    if (w.startMs - w.createdMs < MIN_WAIT_MS) continue;
    const k = nodeKey(w.node);
    (byNode.get(k) ?? byNode.set(k, []).get(k)!).push(w);
  }
  const out: Episode[] = [];
  for (const list of byNode.values()) {
    list.sort((a, b) => a.createdMs - b.createdMs);
    let cur: Episode | undefined;
    for (const w of list) {
      if (cur && w.createdMs <= cur.untilMs) {
        cur.untilMs = Math.max(cur.untilMs, w.startMs);
        cur.runs++;
        continue;
      }
      if (cur) out.push(cur);
      cur = { node: w.node, sinceMs: w.createdMs, untilMs: w.startMs, runs: 1 };
    }
    if (cur) out.push(cur);
  }
  return out.sort((a, b) => a.sinceMs - b.sinceMs);
}

/**
 * The backlog pages and drains `threshold` would have raised over [from, to]. `engineTimeoutMin`: each node's queue
 * timeout as its recorded pages said it (by nodeKey): the live threshold is never later than half of it.
 */
export function rejudgeBacklog(
  waits: readonly QueueWait[],
  threshold: BacklogThreshold,
  o: { from: number; to: number; engineTimeoutMin: ReadonlyMap<string, number> },
): RejudgedBacklog {
  const out: RejudgedBacklog = { events: [], labels: new Map() };
  if (!threshold.enabled) return out;
  for (const ep of queueEpisodes(waits)) {
    const timeout = o.engineTimeoutMin.get(nodeKey(ep.node));
    const thresholdMs = timeout !== undefined && timeout > 0 ? Math.min(threshold.backlogAfterMs, (timeout * 60_000) / 2) : threshold.backlogAfterMs;
    const openedAtMs = ep.sinceMs + thresholdMs;
    // A look at the threshold finds the queue still waiting only when the episode lasted past it.
    if (openedAtMs >= ep.untilMs || openedAtMs < o.from || openedAtMs > o.to) continue;
    const key = `queue:${nodeKey(ep.node)}`;
    const details = { node: ep.node, waitingSinceMs: ep.sinceMs, waitingNow: ep.runs, ...(timeout !== undefined ? { engineTimeoutMin: timeout } : {}) };
    const open = watchdogEvent({
      kind: "scheduler.queue_backlog",
      condition: { type: "queue_backlog", key, openedAtMs },
      nowMs: openedAtMs,
      host: ep.node,
      details,
    });
    out.events.push({ at: openedAtMs, event: open });
    out.labels.set(open.id, { node: ep.node, key, sinceMs: ep.sinceMs, untilMs: ep.untilMs, thresholdMs });
    if (ep.untilMs > o.to) continue;
    const closed = watchdogEvent({
      kind: "task.on_track",
      condition: { type: "queue_backlog", key, openedAtMs, closedAtMs: ep.untilMs },
      nowMs: ep.untilMs,
      host: ep.node,
      details: { ...details, resolution: queueResolution(details, ep.untilMs) },
    });
    out.events.push({ at: ep.untilMs, event: closed });
  }
  return out;
}
