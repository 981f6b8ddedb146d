// The connections of the PostgreSQL store as "lanes": one pool of the `postgres` client per connection, with the
// choice of lane made here instead of inside one pool of N connections.
//
// Why: the client keeps a pool's idle and busy connections in queues that forget a taken entry by leaving a hole,
// and drop the holes only when a queue is emptied by taking from it. Under steady load with several connections
// that never happens, and every statement moves its connection between queues with a search (indexOf) over all
// the holes left so far: the CPU a statement costs grows with every statement the process has served (one pool of
// 10 connections under 50 concurrent callers: 20 µs per SELECT 1 at first, 54 µs after 320,000). A pool of one
// connection empties its queues with each statement it takes, so nothing builds up.
//
// A lane whose connection was lost gets a new client. The client's connection object keeps state across a
// reconnect that can leave it unable to connect again: a write it had scheduled when the socket closed stays
// "scheduled" (its handle is cleared but not forgotten), so the next connection's startup message is never sent
// and every attempt ends in CONNECT_TIMEOUT; and the last connection's FATAL error is handed to the next one's first
// statement. Seen after PostgreSQL was killed under load: one lane failing every statement, for good.
//
// A statement (or a transaction) that gets no answer within the time limit, as on a network cut that closes
// nothing, gives its lane up the same way: the caller gets a STORE_TIMEOUT error at once (answered 503), the
// connection is dropped and the next statement opens a new one.
//
// A caller with a deadline (an HTTP request's, see core/deadline.ts) stops waiting at it, for its lane's queue, a
// connection and the statement alike, and gets a StoreDeadlineError (answered 503); the statement itself stays under
// the lane's time limit, which alone decides whether the connection is given up.
import type postgres from "postgres";
import type { Clock, Timer } from "../core/clock";
import { currentDeadline, untilDeadline } from "../core/deadline";
import { isDiskFull, isStoreUnavailable, StoreDeadlineError, StoreTimeoutError } from "./sql";

type Sql = postgres.Sql<Record<string, never>>;

interface Lane {
  sql: Sql;
  /** Statements and transactions sent through this lane and not yet answered. */
  busy: number;
  /** Transactions holding the lane's connection: statements sent meanwhile wait behind them. */
  transactions: number;
}

export interface Lanes {
  /** Runs `fn` on the least busy lane; `transaction` keeps other work off that lane while it runs. */
  /** `alive` restarts the time limit (a transaction's statement was answered). */
  use<T>(fn: (sql: Sql, alive: () => void) => Promise<T>, transaction?: boolean): Promise<T>;
  end(timeoutSeconds: number): Promise<void>;
}

export interface LaneTimeouts {
  clock: Clock;
  /** Longest wait for one statement's or one transaction's answer, connecting included. */
  timeoutMs: number;
}

export function createLanes(count: number, open: () => Sql, timeouts: LaneTimeouts): Lanes {
  const lanes: Lane[] = Array.from({ length: Math.max(1, count) }, () => ({ sql: open(), busy: 0, transactions: 0 }));
  // A lane holding a transaction is chosen only when every lane does.
  const load = (l: Lane) => l.busy + (l.transactions > 0 ? 1_000_000 : 0);
  /** The first idle lane (so the connections already open are reused first, as one pool would), else the least busy. */
  const pick = (): Lane => {
    let best = lanes[0]!;
    for (const lane of lanes) {
      if (lane.busy === 0) return lane;
      if (load(lane) < load(best)) best = lane;
    }
    return best;
  };
  let ended = false;
  /** After a lost connection: a new client for the lane, the old one closed (what still waits on it fails). */
  const renew = (lane: Lane, lost: Sql) => {
    if (ended || lane.sql !== lost) return;
    lane.sql = open();
    lost.end({ timeout: 0 }).catch(() => {});
  };
  /** Runs `fn` on the lane's client, noting which (`on.sql`) so a timeout drops the connection it waits on. */
  const attempt = async <T>(lane: Lane, fn: (sql: Sql) => Promise<T>, on: { sql: Sql }): Promise<T> => {
    const sql = lane.sql;
    on.sql = sql;
    try {
      return await fn(sql);
    } catch (err) {
      // A statement the server cancelled (its own statement_timeout), or refused for a full disk, leaves the connection sound.
      if (isStoreUnavailable(err) && !isDiskFull(err) && (err as { code?: unknown }).code !== QUERY_CANCELED) renew(lane, sql);
      throw err;
    }
  };
  /**
   * `work` answered within the time limit, or the connection it waits on dropped and a STORE_TIMEOUT error. The
   * limit counts from the last sign of life: a transaction's statements each report their answer (`alive`), so a
   * long transaction of quick statements is not cut short.
   */
  const bounded = <T>(lane: Lane, work: (on: { sql: Sql }, alive: () => void) => Promise<T>): Promise<T> => {
    let timer: Timer | undefined;
    const on = { sql: lane.sql };
    let fail!: (err: Error) => void;
    const timedOut = new Promise<never>((_, reject) => {
      fail = reject;
    });
    const arm = () => {
      if (timer) timeouts.clock.clearTimeout(timer);
      timer = timeouts.clock.setTimeout(() => {
        renew(lane, on.sql);
        fail(new StoreTimeoutError(timeouts.timeoutMs));
      }, timeouts.timeoutMs);
    };
    arm();
    const done = work(on, arm);
    // After a timeout the work still settles (its connection is ended), with nobody waiting for it.
    done.catch(() => {});
    return Promise.race([done, timedOut]).finally(() => {
      if (timer) timeouts.clock.clearTimeout(timer);
    });
  };
  return {
    async use(fn, transaction = false) {
      const deadline = currentDeadline();
      if (deadline) {
        // Past its deadline the caller has been (or is being) answered: nothing more is sent for it.
        if (deadline.remainingMs() <= 0) throw new StoreDeadlineError(deadline.storeUsed);
        deadline.storeUsed = true;
      }
      const lane = pick();
      lane.busy++;
      if (transaction) lane.transactions++;
      const guarded = bounded(lane, async (on, alive) => {
        try {
          return await attempt(lane, (sql) => fn(sql, alive), on);
        } catch (err) {
          if (!refusedBeforeSent(err)) throw err;
          return await attempt(lane, (sql) => fn(sql, alive), on);
        }
      }).finally(() => {
        // The lane is counted busy until its work settles, also after a caller stopped waiting for it.
        lane.busy--;
        if (transaction) lane.transactions--;
      });
      return deadline ? untilDeadline(guarded, deadline, () => new StoreDeadlineError(true)) : guarded;
    },
    async end(timeoutSeconds) {
      ended = true;
      await Promise.all(lanes.map((l) => l.sql.end({ timeout: timeoutSeconds })));
    },
  };
}

/** SQLSTATE of a statement the server cancelled (statement_timeout). */
const QUERY_CANCELED = "57014";

/**
 * A FATAL error from the server reaches a statement only when the statement was never run: a connection refused
 * at its start (the server shutting down), or, on a connection the server had ended, that end's error kept by the
 * client and handed to the first statement of the next connection (a FATAL while a statement runs reaches it as
 * CONNECTION_CLOSED). One more attempt (on the lane's new client) is safe.
 */
function refusedBeforeSent(err: unknown): boolean {
  return (err as { severity?: unknown } | null)?.severity === "FATAL";
}
