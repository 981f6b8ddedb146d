// One transaction for a piece of work that writes across several turns of the event loop (issue 89): an announce
// window's run records, the rows the bus's subscribers write for those runs (outbox, freshness, dashboard) and the
// seen marks. Through the seam each of these would be a commit of its own, or two at best: a caller is answered only
// after its commit, and the subscribers wait for theirs before the marks can go. Inside `run(fn)`, the writes fn
// makes (and the code it calls: the bus's subscribers) run at once in a transaction held open for fn and are answered
// as soon as they ran, not committed yet; the transaction commits when fn has settled and its writes have run. What
// fn hands on must wait for `committed()` before it counts as done (the run processor's seen mark does): a crash
// before that commit loses the whole window (records, outbox rows, marks together), and its runs are redone.
//
// The connection is the seam's alone meanwhile: other callers wait as they wait for any transaction. If fn awaits
// something an outside caller must first finish on the store (a read shared with a caller outside, a slow peer), it
// would wait for the window and the window for it: after MAX_HOLD_MS the transaction commits what it holds, and fn's
// later writes go through the seam as usual (each answered after its own commit).
import { AsyncLocalStorage } from "node:async_hooks";
import { setImmediate } from "node:timers";
import { wallClock } from "../core/clock";

/** Longest the connection is held for one shared transaction (wall time: holding the store is a matter of the wall). */
export const MAX_HOLD_MS = 50;

export type JobOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** A statement or transaction() call made inside a shared transaction. */
export interface ScopedJob {
  run(): Promise<{ outcome: JobOutcome; lost?: unknown }>;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

export interface SharedCommit {
  /**
   * Runs fn with its writes through the seam in one transaction, answered as they run and committed once fn has
   * settled (or after MAX_HOLD_MS: then what it wrote so far). Resolves with fn's value after that commit; rejects
   * with fn's error, or the commit's. Inside another run(), fn simply runs; while another run()'s transaction holds
   * the connection, fn joins it (and that transaction waits for fn too).
   */
  run<T>(fn: () => Promise<T>): Promise<T>;
  /**
   * Inside run(): settles once what was written so far is committed, and rejects if that commit failed or the
   * transaction was lost under it (its writes undone). Outside (or once the transaction was cut short): undefined,
   * writes being answered after their own commit.
   */
  committed(): Promise<void> | undefined;
  /** Shared transactions committed, writes answered inside them, and those cut short at MAX_HOLD_MS. */
  readonly stats: { readonly commits: number; readonly writes: number; readonly cutShort: number };
}

/** What the seam lends a shared transaction. */
export interface SharedCommitHost {
  /** Waits until no transaction of the seam is open, then holds the connection; the function returned lets it go. */
  take(): Promise<() => void>;
  begin(): void;
  /** COMMIT (with the writes waiting elsewhere that join it); throws, rolled back, if it failed. */
  commit(): void;
}

interface Scope {
  open: boolean;
  queue: ScopedJob[];
  /** A drain is armed or running: the scope cannot commit under it. */
  draining: boolean;
  /** Functions run in it (run() calls) not yet settled. */
  running: number;
  /** The error that ended the transaction under one of its writes: those answered before it were undone. */
  lost?: unknown;
  end(): void;
  committed: Promise<void>;
}

export function createSharedCommit(host: SharedCommitHost): SharedCommit & {
  /** The open shared transaction of the caller's context, if any. */
  current(): { enqueue(job: ScopedJob): void } | undefined;
} {
  const als = new AsyncLocalStorage<Scope>();
  const stats = { commits: 0, writes: 0, cutShort: 0 };
  /** The shared transaction holding the connection now, if any. */
  let current: Scope | undefined;

  /** Runs fn in the scope's context; resolves with its value once the scope has committed. */
  async function attach<T>(scope: Scope, fn: () => Promise<T>): Promise<T> {
    scope.running++;
    const result = als.run(scope, fn);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    void settled.then(() => {
      scope.running--;
      scope.end();
    });
    await settled;
    await scope.committed;
    return result;
  }

  /**
   * Runs the jobs queued in the scope by the last turn of the event loop, one after another (a transaction() call's
   * savepoint never holds another's statements). Once a turn, as the seam's batches do: answered in microtasks
   * alone, a burst's runs would go from write to write without ever letting the event loop read a socket or fire
   * a timer (an HTTP request waited 1.6 s behind 3,000 runs).
   */
  async function drain(scope: Scope): Promise<void> {
    const jobs = scope.queue.splice(0);
    try {
      for (const job of jobs) {
        const { outcome, lost } = await job.run();
        if (lost !== undefined) scope.lost ??= lost;
        stats.writes++;
        if (outcome.ok) job.resolve(outcome.value);
        else job.reject(outcome.error);
      }
    } finally {
      scope.draining = false;
      if (scope.queue.length > 0) arm(scope);
      else scope.end();
    }
  }

  function arm(scope: Scope): void {
    if (scope.draining) return;
    scope.draining = true;
    setImmediate(() => void drain(scope));
  }

  return {
    current() {
      // No shared transaction open: no caller can be in one (and the context is not looked up, on every statement).
      if (!current?.open) return undefined;
      const scope = als.getStore();
      if (!scope?.open) return undefined;
      return {
        enqueue(job) {
          scope.queue.push(job);
          arm(scope);
        },
      };
    },
    committed: () => {
      const scope = als.getStore();
      return scope?.open ? scope.committed : undefined;
    },
    async run<T>(fn: () => Promise<T>): Promise<T> {
      if (als.getStore()?.open) return fn();
      // Runs started while another shared transaction holds the connection join it: started one after another (an
      // announce window's runs handed on while others are announced), they would otherwise commit one by one.
      if (current?.open) return attach(current, fn);
      const release = await host.take();
      try {
        host.begin();
      } catch {
        // No transaction to share (a full disk, say): fn's writes go through the seam as usual.
        release();
        return fn();
      }
      let settleCommit!: (err?: unknown) => void;
      const committed = new Promise<void>((resolve, reject) => {
        settleCommit = (err) => (err === undefined ? resolve() : reject(err));
      });
      // Nobody may be waiting on it when it fails; its failure is also fn's caller's (run rejects).
      committed.catch(() => undefined);
      let ended = false;
      const scope: Scope = {
        open: true,
        queue: [],
        draining: false,
        running: 0,
        committed,
        end() {
          if (ended || scope.draining || scope.queue.length > 0 || (scope.open && scope.running > 0)) return;
          ended = true;
          scope.open = false;
          if (current === scope) current = undefined;
          wallClock.clearTimeout(timer);
          let error = scope.lost;
          try {
            host.commit();
            stats.commits++;
          } catch (err) {
            error ??= err;
          }
          release();
          settleCommit(error);
        },
      };
      // Past the bound, nothing more joins: the queued writes run, then the transaction commits.
      const timer = wallClock.setTimeout(() => {
        if (ended) return;
        stats.cutShort++;
        scope.open = false;
        scope.end();
      }, MAX_HOLD_MS);
      current = scope;
      return attach(scope, fn);
    },
    stats,
  };
}
