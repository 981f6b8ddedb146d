// A bounded in-memory queue between the socket and enrichment: a fixed number of workers, new items dropped
// (and reported) when full, a backpressure warning at most once a minute while the fill ratio is high.
import type { Logger } from "pino";
import { describeError } from "../core/errors";

export interface WorkQueueOptions<T> {
  name: string;
  size: number;
  concurrency: number;
  warnRatio: number;
  worker: (item: T) => Promise<void>;
  log: Logger;
  now?: () => number;
}

export interface WorkQueue<T> {
  /** False when the queue is full or stopped (the caller counts the drop). */
  push(item: T): boolean;
  /** Waiting items (not counting those being worked on). */
  depth(): number;
  active(): number;
  /** Stops taking items; waits for in-flight work up to budgetMs; returns the items never started. */
  stop(budgetMs: number): Promise<T[]>;
}

export function createWorkQueue<T>(o: WorkQueueOptions<T>): WorkQueue<T> {
  const items: T[] = [];
  const now = o.now ?? Date.now;
  let running = 0;
  let stopped = false;
  let lastWarn = -Infinity;
  let pressured = false;
  const idle: Array<() => void> = [];

  function pump() {
    while (!stopped && running < o.concurrency && items.length > 0) {
      const item = items.shift()!;
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
    const ratio = items.length / o.size;
    if (ratio >= o.warnRatio) {
      if (!pressured || now() - lastWarn >= 60_000) {
        lastWarn = now();
        o.log.warn({ queue: o.name, depth: items.length, size: o.size, active: running }, "intake queue is filling up: enrichment cannot keep up (is QRS slow?)");
      }
      pressured = true;
    } else if (pressured && ratio < o.warnRatio * 0.8) {
      pressured = false;
      o.log.info({ queue: o.name, depth: items.length }, "intake queue backpressure cleared");
    }
  }

  return {
    push(item) {
      if (stopped || items.length >= o.size) return false;
      items.push(item);
      checkPressure();
      pump();
      return true;
    },
    depth: () => items.length,
    active: () => running,
    async stop(budgetMs) {
      stopped = true;
      const left = items.splice(0);
      if (running > 0) {
        await Promise.race([new Promise<void>((r) => idle.push(r)), new Promise((r) => setTimeout(r, budgetMs).unref?.())]);
      }
      return left;
    },
  };
}
