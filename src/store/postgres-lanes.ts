// The connections of the PostgreSQL store as "lanes": one pool of the `postgres` client per connection, with the
// choice of lane made here instead of inside one pool of N connections.
//
// Why: the client keeps a pool's idle and busy connections in queues that forget a taken entry by leaving a hole,
// and drop the holes only when a queue is emptied by taking from it. Under steady load with several connections
// that never happens, and every statement moves its connection between queues with a search (indexOf) over all
// the holes left so far: the CPU a statement costs grows with every statement the process has served (one pool of
// 10 connections under 50 concurrent callers: 20 µs per SELECT 1 at first, 54 µs after 320,000). A pool of one
// connection empties its queues with each statement it takes, so nothing builds up.
import type postgres from "postgres";

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
  use<T>(fn: (sql: Sql) => Promise<T>, transaction?: boolean): Promise<T>;
  end(timeoutSeconds: number): Promise<void>;
}

export function createLanes(count: number, open: () => Sql): Lanes {
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
  return {
    async use(fn, transaction = false) {
      const lane = pick();
      lane.busy++;
      if (transaction) lane.transactions++;
      try {
        try {
          return await fn(lane.sql);
        } catch (err) {
          if (!refusedBeforeSent(err)) throw err;
          return await fn(lane.sql);
        }
      } finally {
        lane.busy--;
        if (transaction) lane.transactions--;
      }
    },
    async end(timeoutSeconds) {
      await Promise.all(lanes.map((l) => l.sql.end({ timeout: timeoutSeconds })));
    },
  };
}

/**
 * A FATAL error from the server reaches a statement only when the statement was never run: a connection refused
 * at its start (the server shutting down), or, on a connection the server had ended, that end's error kept by the
 * client and handed to the first statement of the next connection (a FATAL while a statement runs reaches it as
 * CONNECTION_CLOSED). One more attempt is safe and, in the second case, succeeds; with one connection per lane the
 * kept error would otherwise fail the first statement on every lane after each restart of PostgreSQL.
 */
function refusedBeforeSent(err: unknown): boolean {
  return (err as { severity?: unknown } | null)?.severity === "FATAL";
}
