// The simulated Scheduler's own count of how busy each node is, hour by hour: how many runs were in progress and how
// many waited (Triggered or Queued, not yet started), integrated over time as the runs change state, and the most at
// once. Kept apart from the execution results QRS serves, so a test can hold what a reader of QRS made of them (the
// weekly report's busiest hours) against what the Scheduler itself went through. Bounded: 35 days of hours per node.
import type { ExecutionRecord } from "../repo/repository";

const HOUR = 3_600_000;
const KEEP_MS = 35 * 86_400_000;

export interface HourLoad {
  /** Start of the hour (UTC). */
  hourMs: number;
  /** Run-milliseconds in progress and waiting within the hour: divided by an hour, the mean number of runs. */
  runningMs: number;
  waitingMs: number;
  peakRunning: number;
  peakWaiting: number;
}

type Phase = "waiting" | "running";

interface NodeState {
  running: number;
  waiting: number;
  /** Counted up to here. */
  sinceMs: number;
  hours: Map<number, HourLoad>;
}

export interface NodeLoad {
  /** A run's attempt was triggered: it waits from its creation. */
  triggered(rec: ExecutionRecord): void;
  /** It left the queue (or never queued) and started at `rec.startMs`. */
  started(rec: ExecutionRecord): void;
  /** It ended at `atMs` (finished, aborted, went to Retry, or was cancelled while waiting). */
  ended(rec: ExecutionRecord, atMs: number): void;
  /** The node's hours that overlap [fromMs, toMs), counted up to `nowMs`. */
  hours(nodeId: string, fromMs: number, toMs: number, nowMs: number): HourLoad[];
}

export function createNodeLoad(): NodeLoad {
  const nodes = new Map<string, NodeState>();
  const phases = new Map<string, Phase>();

  const stateOf = (nodeId: string, atMs: number) => {
    let s = nodes.get(nodeId);
    if (!s) nodes.set(nodeId, (s = { running: 0, waiting: 0, sinceMs: atMs, hours: new Map() }));
    return s;
  };
  const hourOf = (s: NodeState, hourMs: number) => {
    let h = s.hours.get(hourMs);
    if (h) return h;
    s.hours.set(hourMs, (h = { hourMs, runningMs: 0, waitingMs: 0, peakRunning: s.running, peakWaiting: s.waiting }));
    for (const k of s.hours.keys()) if (k < hourMs - KEEP_MS) s.hours.delete(k);
    return h;
  };
  /** Adds the counts held since the last change, hour by hour, up to `atMs`. */
  const advance = (s: NodeState, atMs: number) => {
    let t = s.sinceMs;
    while (t < atMs) {
      const hourMs = Math.floor(t / HOUR) * HOUR;
      const end = Math.min(atMs, hourMs + HOUR);
      const h = hourOf(s, hourMs);
      h.runningMs += s.running * (end - t);
      h.waitingMs += s.waiting * (end - t);
      t = end;
    }
    if (atMs > s.sinceMs) s.sinceMs = atMs;
  };
  const change = (nodeId: string, atMs: number, from: Phase | undefined, to: Phase | undefined) => {
    const s = stateOf(nodeId, atMs);
    // A time before the last change (a run triggered at its due time by a late timer) counts from the last change.
    const at = Math.max(atMs, s.sinceMs);
    advance(s, at);
    if (from) s[from]--;
    if (to) s[to]++;
    const h = hourOf(s, Math.floor(at / HOUR) * HOUR);
    h.peakRunning = Math.max(h.peakRunning, s.running);
    h.peakWaiting = Math.max(h.peakWaiting, s.waiting);
  };

  return {
    triggered(rec) {
      if (phases.has(rec.id)) return;
      phases.set(rec.id, "waiting");
      change(rec.nodeId, rec.createdMs, undefined, "waiting");
    },
    started(rec) {
      if (phases.get(rec.id) !== "waiting") return;
      phases.set(rec.id, "running");
      change(rec.nodeId, rec.startMs ?? rec.createdMs, "waiting", "running");
    },
    ended(rec, atMs) {
      const phase = phases.get(rec.id);
      if (!phase) return;
      phases.delete(rec.id);
      change(rec.nodeId, atMs, phase, undefined);
    },
    hours(nodeId, fromMs, toMs, nowMs) {
      const s = nodes.get(nodeId);
      if (!s) return [];
      advance(s, nowMs);
      return [...s.hours.values()].filter((h) => h.hourMs + HOUR > fromMs && h.hourMs < toMs).sort((a, b) => a.hourMs - b.hourMs);
    },
  };
}
