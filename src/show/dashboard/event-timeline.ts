// The dashboard's memory of recent domain events: subscribes to the bus and keeps the newest N task and
// service events (with their payloads) for the timeline and the event detail page. With a history store the
// entries are written through and reloaded at start, so the timeline survives a restart.
import type { EventBus } from "../../platform/core/bus";
import type { Component } from "../../platform/core/lifecycle";
import type { DomainEvent, DomainEvents } from "../../platform/events/types";
import type { EventHistory } from "./event-history";

export interface TimelineEntry {
  seq: number;
  /** When the dashboard saw it (ms since epoch). */
  seenAt: number;
  event: DomainEvent;
  /** In a cluster: the Steward that handled it. */
  steward?: string;
}

export interface EventTimeline extends Component {
  /** Newest first. */
  entries(limit?: number): TimelineEntry[];
  get(seq: number): TimelineEntry | undefined;
  /** Events by kind seen since `sinceMs`. */
  countsSince(sinceMs: number): Record<string, number>;
  /** Called for every new entry (the demo's terminal); returns an unsubscribe function. */
  subscribe(listener: (e: TimelineEntry) => void): () => void;
  /** An event of the whole site, read from the cluster's shared feed (with `siteWide`); `json`: as stored there. */
  ingest(event: DomainEvent, seenAt: number, steward: string, json?: string): void;
}

/**
 * `siteWide`: in a cluster the entries come from the shared feed (ingest), so every Steward shows the whole site;
 * this Steward's own events still reach the subscribers (the demo's terminal) at once.
 */
export function createEventTimeline(
  bus: EventBus<DomainEvents>,
  opts: { max?: number; now?: () => number; history?: EventHistory; siteWide?: boolean } = {},
): EventTimeline {
  const max = opts.max ?? 500;
  const now = opts.now ?? Date.now;
  // A circular buffer of the newest `max`: `ring[newest]` is the newest. Putting each entry first moved the whole
  // array at every event (issue 89: at 1,000 datagrams a second, 500 entries moved a datagram).
  const ring: TimelineEntry[] = [];
  let newest = -1;
  const newestFirst = (limit: number): TimelineEntry[] => {
    const out: TimelineEntry[] = [];
    for (let i = 0; i < Math.min(limit, ring.length); i++) out.push(ring[(newest - i + ring.length) % ring.length]!);
    return out;
  };
  const listeners = new Set<(e: TimelineEntry) => void>();
  let seq = 0;
  let unsubscribe: (() => void) | undefined;

  const keep = (event: DomainEvent, seenAt: number, steward?: string, json?: string): TimelineEntry => {
    const seqOf = () => (opts.history ? opts.history.append(event, seenAt, steward, json) : ++seq);
    const entry: TimelineEntry = { seq: seqOf(), seenAt, event, ...(steward ? { steward } : {}) };
    newest = (newest + 1) % max;
    ring[newest] = entry;
    return entry;
  };
  const add = (event: DomainEvent) => {
    const seenAt = now();
    const entry = opts.siteWide ? { seq: 0, seenAt, event } : keep(event, seenAt);
    for (const l of listeners) l(entry);
  };

  return {
    name: "dashboard-timeline",
    async start() {
      if (opts.history && ring.length === 0) {
        ring.push(...opts.history.recent(max).reverse());
        newest = ring.length - 1;
      }
      unsubscribe ??= bus.onAny((_kind, payload) => add(payload as DomainEvent));
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      opts.history?.flush();
    },
    entries: (limit = max) => newestFirst(limit),
    get: (n) => ring.find((e) => e.seq === n),
    countsSince(sinceMs) {
      const out: Record<string, number> = {};
      for (const e of newestFirst(max)) {
        if (e.seenAt < sinceMs) break;
        out[e.event.kind] = (out[e.event.kind] ?? 0) + 1;
      }
      return out;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    ingest(event, seenAt, steward, json) {
      keep(event, seenAt, steward, json);
    },
  };
}

/** A one-line title for an event: the task name, or the service name. */
export { eventTitle } from "../../hear/events/event-title";
