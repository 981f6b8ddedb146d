// The intake's overflow: runs that arrive while the queue is full wait in the store (intake_overflow) instead of being
// dropped, and move into the queue as workers free up. A burst (the nightly batch ending at once, a node flushing after
// an outage) is then worked off rather than left to reconciliation, and it costs memory only for the queue: the rest
// waits on disk, its rows written by the store's shared commit of each turn of the event loop. A run's row is deleted
// when it moves into the queue, so a restart takes up the rows left where it stopped. On the SQLite store only: the
// claims of a cluster are rows in PostgreSQL, where a run must be claimed before it waits anywhere.
//
// Bounded in bytes as well as rows (issue 75): a row keeps only the fields the processor reads, cut (overflow-row.ts);
// the rows of all together stay within `overflowMaxBytes`, and those of one source address within its share: at least
// `overflowMaxBytesPerSource`, and while few sources have runs waiting, the total less one such share for each of the
// others and one for a newcomer (issue 89). A node alone with a burst may then use three quarters of the overflow (on
// the defaults: 25,000 runs of a burst at 5,000 a second fit, where 7,700 did in its 4 MiB), and a flood, even one
// spoofing a node's address, is still bounded by the total on disk; each other source waiting takes a share back
// from what a source may add next. That borrowed room is for runs that look like the Scheduler's: a run with a field
// longer than any Scheduler line has (cut to fit, overflow-row.ts) waits only within its source's own share, so a
// flood of padded forgeries from a node's address fills 4 MiB, not 12 (issue 86: the store grows by 10 MB at most).
// Taken in turns by source: each source's n-th waiting run has turn n (counted from the turn being served when it came),
// so one sender's backlog of thousands never holds back another's failure: it is taken with the next refill.
import type { Logger } from "pino";
import type { SqlDb } from "../../platform/store/sql";
import { compactReport, exceedsCaps, MAX_ROW_BYTES, readReport, ROW_BYTES_SQL, rowBytes } from "./overflow-row";
import type { RunReport } from "../events/run-report";
import { createFullDiskLines } from "../../platform/store/full-disk-lines";
import type { QueueItem } from "./run-queue";

export interface OverflowLimits {
  maxRows: number;
  maxBytes: number;
  maxBytesPerSource: number;
}

/** The limits as `intake:` sets them. */
export const overflowLimitsOf = (cfg: { overflowSize: number; overflowMaxBytes: number; overflowMaxBytesPerSource: number }): OverflowLimits => ({
  maxRows: cfg.overflowSize,
  maxBytes: cfg.overflowMaxBytes,
  maxBytesPerSource: cfg.overflowMaxBytesPerSource,
});

/** Why `add` would not keep a run now: off (none configured, PostgreSQL, not loaded), full, or its source's share is. */
export type OverflowRoom = "ok" | "off" | "full" | "source_full";

export interface IntakeOverflow {
  /** Would `add` keep a run (from `source`, when given) now? */
  admits(source?: string): boolean;
  /** `report`, when given: the run itself, which may wait only within its source's own share (exceedsCaps). */
  room(source?: string, report?: RunReport): OverflowRoom;
  /** Keeps the run until the queue has room; `stored` is told once its row is committed, or that its key already waits here. */
  add(item: QueueItem, stored: (kept: boolean) => void): void;
  /** Runs waiting (in the store, or on their way there). */
  depth(): number;
  /** Runs of this source waiting. */
  waiting(source: string): number;
  /** Bytes the waiting rows weigh, in all and per source. */
  bytes(): { total: number; bySource: ReadonlyMap<string, number> };
  /** Counts the rows a previous process left (before the workers start). */
  load(): Promise<void>;
  /** Takes up to `n` runs out of the store, lowest turn first (their rows deleted in the same commit). */
  take(n: number): Promise<QueueItem[]>;
}

const Q = {
  insert: "INSERT INTO intake_overflow (key, source, report, turn) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
  next: `SELECT seq, key, source, report, turn, ${ROW_BYTES_SQL} AS bytes FROM intake_overflow ORDER BY turn, seq LIMIT ?`,
  perSource: `SELECT source, COUNT(*) AS n, SUM(${ROW_BYTES_SQL}) AS bytes, MAX(turn) AS last FROM intake_overflow GROUP BY source`,
  firstTurn: "SELECT MIN(turn) AS t FROM intake_overflow",
};
/** Rows deleted per statement (bound parameters). */
const DELETE_CHUNK = 500;

interface Share {
  bytes: number;
  rows: number;
  lastTurn: number;
}

export function createIntakeOverflow(db: SqlDb, o: OverflowLimits & { log: Logger; now: () => number }): IntakeOverflow {
  const fullDisk = createFullDiskLines(o.now);
  const enabled = o.maxRows > 0 && db.dialect === "sqlite";
  /** Rows stored or on their way (inserts not yet answered count: the bounds hold before their commit). */
  let depth = 0;
  let total = 0;
  /** Per source with rows waiting: its bytes, rows and the turn of its last row. */
  const shares = new Map<string, Share>();
  /** The turn of the last row taken: a source with nothing waiting starts here, not behind the others' backlog. */
  let served = 0;
  let loaded = !enabled;

  /** What the rows of `source` may weigh now: its own share, or more while few other sources have rows waiting. */
  function shareOf(source: string, report: RunReport | undefined): number {
    if (report !== undefined && exceedsCaps(report)) return o.maxBytesPerSource;
    const others = shares.size - (shares.has(source) ? 1 : 0);
    return Math.max(o.maxBytesPerSource, o.maxBytes - o.maxBytesPerSource * (others + 1));
  }

  function room(source?: string, report?: RunReport): OverflowRoom {
    if (!enabled || !loaded) return "off";
    if (depth >= o.maxRows || total + MAX_ROW_BYTES > o.maxBytes) return "full";
    if (source !== undefined && (shares.get(source)?.bytes ?? 0) + MAX_ROW_BYTES > shareOf(source, report)) return "source_full";
    return "ok";
  }

  function release(source: string, bytes: number): void {
    depth--;
    total -= bytes;
    const s = shares.get(source);
    if (!s) return;
    s.bytes -= bytes;
    if (--s.rows <= 0) shares.delete(source);
  }

  function add(item: QueueItem, stored: (kept: boolean) => void): void {
    const report = compactReport(item.report);
    const bytes = rowBytes(item.key, item.source, report);
    const share = shares.get(item.source) ?? { bytes: 0, rows: 0, lastTurn: served };
    const turn = Math.max(share.lastTurn + 1, served);
    depth++;
    total += bytes;
    shares.set(item.source, { bytes: share.bytes + bytes, rows: share.rows + 1, lastTurn: turn });
    db.run(Q.insert, [item.key, item.source, report, turn]).then(
      (r) => {
        if (r.changes === 0) release(item.source, bytes);
        stored(r.changes > 0);
      },
      (err: unknown) => {
        release(item.source, bytes);
        // A full disk fails every row: said once a minute with a count, not once a run.
        fullDisk("overflow", err, (said) =>
          o.log.error(
            { executionId: item.report.executionId, err: (err as Error).message, ...said },
            "could not keep a task run in the intake's overflow; reconciliation will pick it up",
          ),
        );
      },
    );
  }

  async function load(): Promise<void> {
    if (!enabled) return;
    const rows = await db.all<{ source: string; n: number; bytes: number; last: number }>(Q.perSource);
    for (const r of rows) {
      shares.set(r.source, { bytes: Number(r.bytes), rows: Number(r.n), lastTurn: Number(r.last) });
      depth += Number(r.n);
      total += Number(r.bytes);
    }
    served = Number((await db.get<{ t: number | null }>(Q.firstTurn))?.t ?? 0);
    loaded = true;
    if (depth > 0) o.log.info({ runs: depth, bytes: total }, "task runs left in the intake's overflow by the last run are taken up");
  }

  async function take(n: number): Promise<QueueItem[]> {
    if (!enabled || depth === 0 || n <= 0) return [];
    const rows = await db.all<{ seq: number; key: string; source: string; report: string; turn: number; bytes: number }>(Q.next, [n]);
    if (rows.length === 0) return [];
    for (let i = 0; i < rows.length; i += DELETE_CHUNK) {
      const seqs = rows.slice(i, i + DELETE_CHUNK).map((r) => r.seq);
      await db.run(`DELETE FROM intake_overflow WHERE seq IN (${seqs.map(() => "?").join(", ")})`, seqs);
    }
    for (const r of rows) release(r.source, Number(r.bytes));
    served = Math.max(served, Number(rows[rows.length - 1]!.turn));
    return rows.map((r) => ({ key: r.key, source: r.source, report: readReport(r.report) }));
  }

  return {
    admits: (source) => room(source) === "ok",
    room,
    add,
    depth: () => depth,
    waiting: (source) => shares.get(source)?.rows ?? 0,
    bytes: () => ({ total, bySource: new Map([...shares].map(([source, s]) => [source, s.bytes])) }),
    load,
    take,
  };
}
