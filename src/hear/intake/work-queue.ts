// A bounded in-memory queue between the socket and enrichment: a fixed number of workers, a backpressure warning
// at most once a minute while the fill ratio is high, and a shedding rule for when it is full. Items have a
// priority (task failures above successes); the highest is served first, and when the queue is full a new item
// takes the place of the most recently queued item of a lower priority, which is handed back to be counted.
// So an overload sheds successes before it loses a failure, and it costs O(1) per item either way. With `fairBy`,
// the items of one priority are served in turns by their key (the sender): one sender's thousands queued ahead do
// not hold back another's one, and a full queue sheds from the sender with the most queued.
import { wallClock } from "../../platform/core/clock";
import type { Logger } from "pino";
import { describeError } from "../../platform/core/errors";

export interface WorkQueueOptions<T> {
  name: string;
  size: number;
  concurrency: number;
  warnRatio: number;
  worker: (item: T) => Promise<void>;
  log: Logger;
  now?: () => number;
  /** Higher is kept longer and served sooner; all items are equal without it. Small non-negative integers. */
  priority?: (item: T) => number;
  /** Items of one priority are served in turns by this key (e.g. the sender); in arrival order without it. */
  fairBy?: (item: T) => string;
}

export type Offer<T> = { accepted: true; shed?: T } | { accepted: false };

export interface WorkQueue<T> {
  /** False when the queue is full or stopped (the caller counts the drop). Never sheds a queued item. */
  push(item: T): boolean;
  /**
   * Queues the item; when full, it takes the place of the most recently queued item of a lower priority, which
   * is returned as `shed` (the caller counts it and releases what it held). Refused when nothing ranks lower.
   */
  offer(item: T): Offer<T>;
  /**
   * As `offer`; and when nothing ranks lower, an item whose sender has fewer queued at its rank than the sender with
   * the most (by two or more) takes the place of that sender's newest item, handed back as `displaced` for the caller
   * to keep elsewhere (not a drop). Without `fairBy` it is `offer`.
   */
  offerFair(item: T): Offer<T> | { accepted: true; displaced: T };
  /** Would `offerFair` accept an item of this priority from this sender (its `fairBy` key) now? */
  admitsFair(priority: number, key: string): boolean;
  /** Would `offer` accept an item of this priority now? A cheap check before any other work on it. */
  admits(priority: number): boolean;
  /** Waiting items (not counting those being worked on). */
  depth(): number;
  active(): number;
  /** Stops taking items; waits for in-flight work up to budgetMs; returns the items never started. */
  stop(budgetMs: number): Promise<T[]>;
}

/** A FIFO that takes from the front and sheds from the back, both O(1) amortised. */
class Lane<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  pop(): T | undefined {
    return this.length > 0 ? this.items.pop() : undefined;
  }
  drain(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}

/**
 * The items of one priority, a FIFO per key served in turns: each key with items waits once in `turns`, goes to its
 * back after it is served, and leaves it when it has nothing more. Shedding takes the newest item of the key with
 * the most (one key: the newest item, as a plain FIFO would).
 */
class FairLane<T> {
  private byKey = new Map<string, Lane<T>>();
  private turns = new Lane<string>();
  private size = 0;
  constructor(private readonly keyOf: (item: T) => string) {}
  get length(): number {
    return this.size;
  }
  push(item: T): void {
    const key = this.keyOf(item);
    let l = this.byKey.get(key);
    if (!l) {
      this.byKey.set(key, (l = new Lane<T>()));
      this.turns.push(key);
    }
    l.push(item);
    this.size++;
  }
  shift(): T | undefined {
    // Passes over the keys pop() emptied: at most one turn each.
    for (let key = this.turns.shift(); key !== undefined; key = this.turns.shift()) {
      const l = this.byKey.get(key);
      if (!l || l.length === 0) {
        this.byKey.delete(key);
        continue;
      }
      const item = l.shift();
      this.size--;
      if (l.length > 0) this.turns.push(key);
      else this.byKey.delete(key);
      return item;
    }
    return undefined;
  }
  /** Items of this key queued. */
  countOf(key: string): number {
    return this.byKey.get(key)?.length ?? 0;
  }
  /** Items of the key with the most queued. */
  largest(): number {
    let most = 0;
    for (const l of this.byKey.values()) most = Math.max(most, l.length);
    return most;
  }
  pop(): T | undefined {
    let most: Lane<T> | undefined;
    // Bounded by the keys with items queued (at most the queue's size).
    for (const l of this.byKey.values()) if (!most || l.length > most.length) most = l;
    const item = most?.pop();
    if (item === undefined) return undefined;
    this.size--;
    // A key left empty keeps its place in `turns`; shift() passes over it.
    return item;
  }
  drain(): T[] {
    const out = [...this.byKey.values()].flatMap((l) => l.drain());
    this.byKey.clear();
    this.turns.drain();
    this.size = 0;
    return out;
  }
}

export function createWorkQueue<T>(o: WorkQueueOptions<T>): WorkQueue<T> {
  const priorityOf = o.priority ?? (() => 0);
  const fairBy = o.fairBy ?? (() => "");
  // One lane per priority, highest first.
  const lanes = new Map<number, FairLane<T>>();
  let ordered: Array<[number, FairLane<T>]> = [];
  let count = 0;
  const now = o.now ?? Date.now;
  let running = 0;
  let stopped = false;
  let lastWarn = -Infinity;
  let pressured = false;
  const idle: Array<() => void> = [];

  function lane(p: number): FairLane<T> {
    let l = lanes.get(p);
    if (!l) {
      l = new FairLane<T>(fairBy);
      lanes.set(p, l);
      ordered = [...lanes.entries()].sort((a, b) => b[0] - a[0]);
    }
    return l;
  }

  function takeNext(): T | undefined {
    for (const [, l] of ordered) {
      if (l.length > 0) {
        count--;
        return l.shift();
      }
    }
    return undefined;
  }

  /** The lowest non-empty lane below priority p, or undefined. */
  function lowerLane(p: number): FairLane<T> | undefined {
    for (let i = ordered.length - 1; i >= 0; i--) {
      const [q, l] = ordered[i]!;
      if (q >= p) return undefined;
      if (l.length > 0) return l;
    }
    return undefined;
  }

  function pump() {
    while (!stopped && running < o.concurrency && count > 0) {
      const item = takeNext()!;
      if (pressured) checkPressure();
      running++;
      void o
        .worker(item)
        .catch((err) => o.log.error({ queue: o.name, err: describeError(err) }, "queue worker failed"))
        .finally(() => {
          running--;
          if (running === 0) idle.splice(0).forEach((f) => f());
          pump();
        });
    }
  }

  function checkPressure() {
    const ratio = count / o.size;
    if (ratio >= o.warnRatio) {
      if (!pressured || now() - lastWarn >= 60_000) {
        lastWarn = now();
        o.log.warn({ queue: o.name, depth: count, size: o.size, active: running }, "intake queue is filling up: enrichment cannot keep up (is QRS slow?)");
      }
      pressured = true;
    } else if (pressured && ratio < o.warnRatio * 0.8) {
      pressured = false;
      o.log.info({ queue: o.name, depth: count }, "intake queue backpressure cleared");
    }
  }

  function enqueue(item: T, p: number): void {
    lane(p).push(item);
    count++;
    checkPressure();
    pump();
  }

  function offer(item: T): Offer<T> {
    if (stopped) return { accepted: false };
    const p = priorityOf(item);
    if (count < o.size) {
      enqueue(item, p);
      return { accepted: true };
    }
    const victimLane = lowerLane(p);
    if (!victimLane) return { accepted: false };
    const shed = victimLane.pop()!;
    count--;
    enqueue(item, p);
    return { accepted: true, shed };
  }

  return {
    push(item) {
      if (stopped || count >= o.size) return false;
      enqueue(item, priorityOf(item));
      return true;
    },
    offer,
    offerFair(item) {
      const first = offer(item);
      if (first.accepted || stopped) return first;
      const l = lanes.get(priorityOf(item));
      if (!l || l.largest() < l.countOf(fairBy(item)) + 2) return first;
      const displaced = l.pop()!;
      count--;
      enqueue(item, priorityOf(item));
      return { accepted: true, displaced };
    },
    admitsFair(p, key) {
      if (stopped) return false;
      if (count < o.size || lowerLane(p) !== undefined) return true;
      const l = lanes.get(p);
      return l !== undefined && l.largest() >= l.countOf(key) + 2;
    },
    admits(p) {
      return !stopped && (count < o.size || lowerLane(p) !== undefined);
    },
    depth: () => count,
    active: () => running,
    async stop(budgetMs) {
      stopped = true;
      const left = ordered.flatMap(([, l]) => l.drain());
      count = 0;
      if (running > 0) {
        await Promise.race([new Promise<void>((r) => idle.push(r)), new Promise<void>((r) => wallClock.setTimeout(r, budgetMs).unref?.())]);
      }
      return left;
    },
  };
}
