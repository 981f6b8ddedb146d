// A request's deadline for the work it waits on (the store), carried with the request's async context: the HTTP core
// sets it around each request, and the PostgreSQL store stops waiting at it, so a silent database answers the caller
// with a 503 before the HTTP server's idle timeout closes the connection without an answer. Work started outside a
// request (timers, the outbox, leases) carries none and keeps the store's own time limits.
import { AsyncLocalStorage } from "node:async_hooks";
import { type Timer, wallClock } from "./clock";

/**
 * How long a request may wait on the store in all, from its arrival: a connection, a queue behind other
 * statements and the statements themselves. Below the HTTP server's idle timeout (10 s, which its 4 s timer ticks
 * enforce from 8 s on), with room to build and send the 503.
 */
export const STORE_DEADLINE_MS = 6_000;
/** Every request that needs the store is answered within this (docs/cluster.md states it). */
export const STORE_ANSWER_BOUND_MS = 7_000;

export interface Deadline {
  /** When the waiting stops, on the monotonic clock (performance.now()'s milliseconds): real time, as on the wall. */
  readonly at: number;
  /** Milliseconds left, 0 when past. */
  remainingMs(): number;
  /** Set once work was sent to the store for this request: a write refused later may follow one that was applied. */
  storeUsed: boolean;
}

/**
 * One per request: a class, so that a request makes one object here (its method is shared, not a closure). The HTTP
 * core's request state extends it, so that a request's state and its deadline are one object (issue 89).
 */
export class RequestDeadline implements Deadline {
  storeUsed = false;
  ended = false;
  constructor(readonly at: number) {}
  remainingMs(): number {
    return Math.max(0, this.at - performance.now());
  }
}

const current = new AsyncLocalStorage<RequestDeadline>();

/**
 * Runs `fn` with a deadline `ms` from `startedAt` (a performance.now() reading, now when not given) in real time (a
 * deadline on real I/O, whatever clock Steward runs on). The HTTP core passes the reading it took when the request
 * arrived: one clock read a request fewer. Once `fn` has settled the deadline no longer applies: work it left running
 * in the background (a batch of audit rows, a retry timer) carries the async context on, and must then get the
 * store's own limits, not a passed deadline. A synchronous `fn` is answered synchronously (a request that awaits
 * nothing, a ping, takes no promise here).
 */
export function withDeadline<T>(ms: number, fn: () => Promise<T>, startedAt?: number): Promise<T>;
export function withDeadline<T>(ms: number, fn: () => T | Promise<T>, startedAt?: number): T | Promise<T>;
export function withDeadline<T>(ms: number, fn: () => T | Promise<T>, startedAt = performance.now()): T | Promise<T> {
  return withDeadlineCall(ms, startedAt, fn, undefined, undefined);
}

/**
 * withDeadline for `fn(a, b)`: the HTTP core hands its request's context and route this way, so that a request makes
 * no closure to carry them (issue 89: a function and its scope on the heap for every ping).
 */
export function withDeadlineCall<A, B, T>(ms: number, startedAt: number, fn: (a: A, b: B) => T | Promise<T>, a: A, b: B): T | Promise<T> {
  return underDeadline(new RequestDeadline(startedAt + ms), fn, a, b);
}

/** `fn(a, b)` under `deadline`, one not yet used (the HTTP core's request state is its request's deadline). */
export function underDeadline<A, B, T>(deadline: RequestDeadline, fn: (a: A, b: B) => T | Promise<T>, a: A, b: B): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = current.run(deadline, fn, a, b);
  } catch (err) {
    deadline.ended = true;
    throw err;
  }
  if (!(result instanceof Promise)) {
    deadline.ended = true;
    return result;
  }
  return result.then(
    (value) => {
      deadline.ended = true;
      return value;
    },
    (err: unknown) => {
      deadline.ended = true;
      throw err;
    },
  );
}

/** The deadline of the request this code runs for, while that request is being handled. */
export function currentDeadline(): Deadline | undefined {
  const deadline = current.getStore();
  return deadline && !deadline.ended ? deadline : undefined;
}

/**
 * `work`'s outcome, or `expired()`'s error at the deadline (at once when it has passed); `work` goes on, with nobody
 * waiting for it.
 */
export function untilDeadline<T>(work: Promise<T>, deadline: Deadline, expired: () => Error): Promise<T> {
  let timer: Timer | undefined;
  work.catch(() => {});
  const late = new Promise<never>((_, reject) => {
    // Wall time: the deadline bounds a wait on a socket, whatever clock Steward runs on.
    timer = wallClock.setTimeout(() => reject(expired()), deadline.remainingMs());
  });
  return Promise.race([work, late]).finally(() => wallClock.clearTimeout(timer));
}
