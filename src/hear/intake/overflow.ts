// The intake's overflow: runs that arrive while the queue is full wait in the store (intake_overflow) instead of being
// dropped, up to `intake.overflowSize`, and move into the queue in arrival order as workers free up. A burst (the
// nightly batch ending at once, a node flushing after an outage) is then worked off rather than left to
// reconciliation, and it costs memory only for the queue: the rest waits on disk, its rows written by the store's
// shared commit of each turn of the event loop. A run's row is deleted when it moves into the queue (it is then a
// queued run like any other), so a restart takes up the rows left where it stopped. On the SQLite store only: the
// claims of a cluster are rows in PostgreSQL, where a run must be claimed before it waits anywhere.
import type { Logger } from "pino";
import type { SqlDb } from "../../platform/store/sql";
import { createFullDiskLines } from "../../platform/store/full-disk-lines";
import type { RunReport } from "../events/enrich-task-event";
import type { QueueItem } from "./run-queue";

export interface IntakeOverflow {
  /** Would `add` keep a run now? False when the overflow is off, full, or not loaded yet. */
  admits(): boolean;
  /** Keeps the run until the queue has room; `stored` is told once its row is committed, or that its key already waits here. */
  add(item: QueueItem, stored: (kept: boolean) => void): void;
  /** Runs waiting (in the store, or on their way there). */
  depth(): number;
  /** Counts the rows a previous process left (before the workers start). */
  load(): Promise<void>;
  /** Takes up to `n` of the oldest runs out of the store (their rows deleted in the same commit). */
  take(n: number): Promise<QueueItem[]>;
}

const Q = {
  insert: "INSERT INTO intake_overflow (key, source, report) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING",
  oldest: "SELECT seq, key, source, report FROM intake_overflow ORDER BY seq LIMIT ?",
  deleteUpTo: "DELETE FROM intake_overflow WHERE seq <= ?",
  count: "SELECT COUNT(*) AS n FROM intake_overflow",
};

export function createIntakeOverflow(db: SqlDb, o: { maxRows: number; log: Logger; now: () => number }): IntakeOverflow {
  const fullDisk = createFullDiskLines(o.now);
  const enabled = o.maxRows > 0 && db.dialect === "sqlite";
  /** Rows stored or on their way (inserts not yet answered count: the bound holds before their commit). */
  let depth = 0;
  let loaded = !enabled;

  return {
    admits: () => enabled && loaded && depth < o.maxRows,
    add(item, stored) {
      depth++;
      // heardAtMs is this process's clock: a run taken up after a restart was heard by another.
      const { heardAtMs: _, ...report } = item.report;
      db.run(Q.insert, [item.key, item.source, JSON.stringify(report)]).then(
        (r) => {
          if (r.changes === 0) depth--;
          stored(r.changes > 0);
        },
        (err: unknown) => {
          depth--;
          fullDisk("overflow", err, (said) =>
            o.log.error(
              { executionId: item.report.executionId, err: (err as Error).message, ...said },
              "could not keep a task run in the intake's overflow; reconciliation will pick it up",
            ),
          );
        },
      );
    },
    depth: () => depth,
    async load() {
      if (!enabled) return;
      depth = Number((await db.get<{ n: number }>(Q.count))?.n ?? 0);
      loaded = true;
      if (depth > 0) o.log.info({ runs: depth }, "task runs left in the intake's overflow by the last run are taken up");
    },
    async take(n) {
      if (!enabled || depth === 0 || n <= 0) return [];
      const rows = await db.all<{ seq: number; key: string; source: string; report: string }>(Q.oldest, [n]);
      if (rows.length === 0) return [];
      await db.run(Q.deleteUpTo, [rows[rows.length - 1]!.seq]);
      depth -= rows.length;
      return rows.map((r) => ({ key: r.key, source: r.source, report: JSON.parse(r.report) as RunReport }));
    },
  };
}
