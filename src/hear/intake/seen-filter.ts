// Which runs surely have no seen mark, without asking the store (issue 89). On SQLite a run's claim reads its seen
// mark; at a thousand datagrams a second each arrives alone, so that read was a statement and a read transaction of
// its own for every datagram, though nearly every run is new. A Bloom filter over every key marked on this connection
// answers "never marked" for most of them in memory; "maybe" still reads the store (seen-looks.ts), so a wrong
// "maybe" costs only the read it would have cost anyway, and a mark is never missed: every key in the table at
// load, and every key marked since, is in the filter. Expired and purged marks stay in it until it is built again.
import { setImmediate } from "node:timers";
import type { SqlDb } from "../../platform/store/sql";

/** Hash probes per key: about 1 % wrong "maybe" at one key per 10 bits. */
const PROBES = 4;
/** The smallest filter, in bits (128 KiB): allocated on the first claim, not at start. */
export const MIN_BITS = 1 << 20;
/** Built again (from the table) once this many keys per bit were added: past it the wrong "maybe" share grows. */
const KEYS_PER_BIT = 1 / 10;
/** Keys read from the table per statement while the filter is built. */
export const PAGE = 5_000;

export interface SeenFilter {
  /** False only when `key` was surely never marked on this connection; true while the filter is being built. */
  mayHave(key: string): boolean;
  /** Called for every mark written (before its write is sent), so the filter never misses one. */
  add(key: string): void;
  /** Keys added since the last build, the bits, and whether it answers now (tests, /metrics). */
  readonly state: { readonly keys: number; readonly bits: number; readonly ready: boolean };
}

// Two 32-bit FNV-1a hashes of the key's UTF-16 units (seeds apart); probe i is h1 + i·h2 (double hashing).
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b | 1) >>> 0];
}

const byConnection = new WeakMap<SqlDb, SeenFilter>();

/** The filter of everything marked on `db` in this process (several intake stores on one connection share it). */
export function seenFilterOf(db: SqlDb): SeenFilter {
  let filter = byConnection.get(db);
  if (!filter) {
    filter = createSeenFilter(db);
    byConnection.set(db, filter);
  }
  return filter;
}

export function createSeenFilter(db: SqlDb): SeenFilter {
  let bits: Uint32Array | undefined;
  let mask = 0;
  let ready = false;
  let building = false;
  let keys = 0;

  const set = (key: string) => {
    const [h1, h2] = hashes(key);
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & mask;
      bits![bit >>> 5]! |= 1 << (bit & 31);
    }
  };

  /**
   * Reads every stored key into a new filter. The bits exist before the read is sent: a mark written after that
   * sets them itself, one written before is read (the seam runs a read behind the writes sent before it).
   */
  async function build(): Promise<void> {
    building = true;
    ready = false;
    try {
      const n = Number((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM intake_seen"))?.n ?? 0);
      let size = MIN_BITS;
      while (size * KEYS_PER_BIT < 2 * n) size *= 2;
      bits = new Uint32Array(size / 32);
      mask = size - 1;
      keys = 0;
      // A page at a time: a store of 72 hours of a busy site's marks is read without holding the event loop or
      // all its keys in memory at once. Rows marked meanwhile are in the pages still to come, or set their bits.
      for (let after = -1; ; ) {
        const rows = await db.all<{ id: number; key: string }>("SELECT rowid AS id, key FROM intake_seen WHERE rowid > ? ORDER BY rowid LIMIT ?", [
          after,
          PAGE,
        ]);
        for (const r of rows) set(String(r.key));
        if (rows.length < PAGE) break;
        after = Number(rows[rows.length - 1]!.id);
        // SQLite's reads answer at once: without a turn of the event loop between pages, datagrams would wait.
        await new Promise((r) => setImmediate(r));
      }
      ready = true;
    } catch {
      // Not built: every look reads the store, as without a filter; the next claim tries again.
      bits = undefined;
    } finally {
      building = false;
    }
  }

  return {
    mayHave(key) {
      if (!ready) {
        if (!building) void build();
        return true;
      }
      const [h1, h2] = hashes(key);
      for (let i = 0; i < PROBES; i++) {
        const bit = (h1 + Math.imul(i, h2)) & mask;
        if ((bits![bit >>> 5]! & (1 << (bit & 31))) === 0) return false;
      }
      return true;
    },
    add(key) {
      if (!bits) return;
      set(key);
      keys++;
      if (ready && !building && keys > (mask + 1) * KEYS_PER_BIT) void build();
    },
    get state() {
      return { keys, bits: bits ? mask + 1 : 0, ready };
    },
  };
}
