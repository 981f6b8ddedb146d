// "Was this run announced already?" for the claims of one turn of the event loop as one statement (issue 89). On
// SQLite a run's claim is held in memory and its only read is this look at its seen mark; a burst's claims are made
// together (the datagrams of one socket read, a refill from the overflow: hundreds at once), and one look each was a
// statement per datagram. Each look still answers for its own time: a mark counts until its expiry.
import type { SqlDb } from "../../platform/store/sql";

/** Keys per statement (bound parameters). */
const CHUNK = 512;
/** A statement asks for 1, 8, 64 or 512 keys (the last one repeated), so four texts are prepared, not one per count. */
const SIZES = [1, 8, 64, CHUNK];
const LOOK_SQL = new Map(SIZES.map((n) => [n, `SELECT key, expires_at FROM intake_seen WHERE key IN (${Array(n).fill("?").join(", ")})`]));

interface Look {
  key: string;
  now: number;
  resolve(seen: boolean): void;
  reject(err: unknown): void;
}

/** Returns the look: true when `key` has a seen mark that has not expired at `now`. */
export function createSeenLooks(db: SqlDb): (key: string, now: number) => Promise<boolean> {
  let waiting: Look[] = [];

  async function answer(looks: Look[]): Promise<void> {
    for (let i = 0; i < looks.length; i += CHUNK) {
      const part = looks.slice(i, i + CHUNK);
      try {
        const keys = [...new Set(part.map((l) => l.key))];
        const size = SIZES.find((n) => n >= keys.length) ?? CHUNK;
        while (keys.length < size) keys.push(keys[keys.length - 1]!);
        const rows = await db.all<{ key: string; expires_at: number }>(LOOK_SQL.get(size)!, keys);
        const expiry = new Map(rows.map((r) => [String(r.key), Number(r.expires_at)]));
        for (const l of part) l.resolve((expiry.get(l.key) ?? Number.NEGATIVE_INFINITY) > l.now);
      } catch (err) {
        for (const l of part) l.reject(err);
      }
    }
  }

  return (key, now) =>
    new Promise<boolean>((resolve, reject) => {
      waiting.push({ key, now, resolve, reject });
      if (waiting.length > 1) return;
      // The claims made in this turn so far, and those made before its microtasks run, go together.
      queueMicrotask(() => {
        const looks = waiting;
        waiting = [];
        void answer(looks);
      });
    });
}
