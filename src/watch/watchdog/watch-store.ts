// What the watchdog remembers across restarts and shares in a cluster: the finished runs it learns durations and
// intervals from, the conditions it opened (announced once; their task.on_track once), and how far it has looked.
import type { WatchdogEvent } from "../../platform/events/types";
import type { MigrationSet } from "../../platform/store/database";
import type { SqlDb } from "../../platform/store/sql";
import { createKeptRuns, type KeptRuns } from "./kept-runs";
import { createRunReads, type RunReads } from "./run-reads";
import { countRun, type NodeHour, nodeHoursBetween, nodeHoursMigration, pruneNodeHours } from "./node-hours";
import type { RunRow } from "./run-row";
import type { ConditionRecords, StoredCondition } from "./condition-records";

export type { RunRow } from "./run-row";

export const watchdogMigrations: MigrationSet = {
  module: "watchdog",
  migrations: [
    {
      version: 1,
      name: "watchdog runs, conditions and cursors",
      sql: `
        CREATE TABLE watchdog_runs (
          result_id TEXT PRIMARY KEY,
          task_id TEXT NOT NULL,
          app_id TEXT,
          status INTEGER NOT NULL,
          created_ms INTEGER NOT NULL,
          start_ms INTEGER,
          stop_ms INTEGER NOT NULL
        );
        CREATE INDEX watchdog_runs_task ON watchdog_runs (task_id, stop_ms);
        CREATE INDEX watchdog_runs_stop ON watchdog_runs (stop_ms);
        CREATE TABLE watchdog_conditions (
          key TEXT PRIMARY KEY,
          type TEXT NOT NULL,
          task_id TEXT,
          app_id TEXT,
          opened_ms INTEGER NOT NULL,
          open_event TEXT NOT NULL,
          open_announced INTEGER NOT NULL DEFAULT 0,
          closed_ms INTEGER,
          close_event TEXT,
          close_announced INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX watchdog_conditions_closed ON watchdog_conditions (closed_ms);
        CREATE TABLE watchdog_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      `,
    },
    nodeHoursMigration,
    {
      version: 3,
      // The node a run ran on (QRS executingNodeName), so a condition of a task that is not running names the node of
      // its last run, and a maintenance window on that node holds it (issue 106). Runs stored before have none.
      name: "the node of each run",
      sql: "ALTER TABLE watchdog_runs ADD COLUMN node TEXT",
    },
  ],
};

export interface ConditionRow extends StoredCondition {
  taskId?: string;
  appId?: string;
}

export interface WatchStore extends RunReads, ConditionRecords<ConditionRow, { taskId?: string; appId?: string }> {
  /** Stores finished runs; a run stored for the first time adds its time to its node's hours. */
  addRuns(runs: readonly RunRow[]): Promise<void>;
  /** Each node's run-time in progress and waiting per hour, for the hours starting in [fromMs, toMs). */
  nodeHours(fromMs: number, toMs: number): Promise<NodeHour[]>;
  setMeta(key: string, value: string): Promise<void>;
  /** Drops the runs before `runsBeforeMs` and closed conditions; in memory, runs are held from `holdRunsFromMs` on. */
  prune(runsBeforeMs: number, closedBeforeMs: number, holdRunsFromMs?: number): Promise<void>;
  /** In memory, runs are held from `fromMs` on (what a prune does to memory, without touching the store). */
  holdRuns(fromMs: number): void;
}

type RawCondition = {
  key: string;
  type: string;
  task_id: string | null;
  app_id: string | null;
  opened_ms: number | string;
  open_event: string;
  open_announced: number | string;
  closed_ms: number | string | null;
  close_event: string | null;
  close_announced: number | string;
};

const toCondition = (r: RawCondition): ConditionRow => ({
  key: r.key,
  type: r.type,
  ...(r.task_id ? { taskId: r.task_id } : {}),
  ...(r.app_id ? { appId: r.app_id } : {}),
  openedMs: Number(r.opened_ms),
  openEvent: JSON.parse(r.open_event) as WatchdogEvent,
  openAnnounced: Number(r.open_announced) === 1,
  ...(r.closed_ms !== null ? { closedMs: Number(r.closed_ms) } : {}),
  ...(r.close_event ? { closeEvent: JSON.parse(r.close_event) as WatchdogEvent } : {}),
  closeAnnounced: Number(r.close_announced) === 1,
});

const COND_COLS = "key, type, task_id, app_id, opened_ms, open_event, open_announced, closed_ms, close_event, close_announced";

/** One per SQLite store, whatever number of watch stores use it (see kept-runs.ts); none on PostgreSQL. */
const keptRunsOf = new WeakMap<SqlDb, KeptRuns>();

/**
 * The open conditions as last read, per SQLite store, until any watch store on it writes a condition. A look asks
 * for them four to five times (its judgements, the turned-off check, the Cloud part, acknowledgements, the gauge),
 * and each read parsed every open condition's stored event: on a day with hundreds open at once (a node down at ten
 * times the rich site) that was most of the look. Only this module writes the table, and a SQLite file has one
 * Steward; on PostgreSQL other members write it, so every read goes to the store there.
 */
type OpenConditionsCache = { rows: readonly ConditionRow[] | undefined; writes: number };
const openConditionsOf = new WeakMap<SqlDb, OpenConditionsCache>();

/** Rows shared between callers cannot be changed by one of them under the others. */
function frozenCondition(row: ConditionRow): ConditionRow {
  deepFreeze(row.openEvent);
  if (row.closeEvent) deepFreeze(row.closeEvent);
  return Object.freeze(row);
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

export function createWatchStore(db: SqlDb): WatchStore {
  let kept: KeptRuns | undefined;
  let openCache: OpenConditionsCache | undefined;
  if (db.dialect === "sqlite") {
    kept = keptRunsOf.get(db);
    if (!kept) keptRunsOf.set(db, (kept = createKeptRuns()));
    openCache = openConditionsOf.get(db);
    if (!openCache) openConditionsOf.set(db, (openCache = { rows: undefined, writes: 0 }));
  }
  /** Wraps a write to the conditions: the cached list is dropped before it and again after it, whatever its outcome. */
  const writing = async <T>(write: () => Promise<T>): Promise<T> => {
    if (!openCache) return write();
    openCache.rows = undefined;
    openCache.writes++;
    try {
      return await write();
    } finally {
      openCache.rows = undefined;
      openCache.writes++;
    }
  };
  return {
    async addRuns(runs) {
      if (runs.length === 0) return;
      const done = kept?.writing();
      try {
        // The runs new to the store, as it now holds them (not the caller's objects, which it may go on using).
        const inserted: RunRow[] = [];
        await db.transaction(async (tx) => {
          inserted.length = 0;
          for (const r of runs) {
            const stored = await tx.run(
              "INSERT INTO watchdog_runs (result_id, task_id, app_id, status, created_ms, start_ms, stop_ms, node) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (result_id) DO NOTHING",
              [r.resultId, r.taskId, r.appId ?? null, r.status, r.createdMs, r.startMs ?? null, r.stopMs, r.node ?? null],
            );
            // Counted once: a run read again (the looks overlap, another Steward took over) is already stored.
            if (stored.changes !== 1) continue;
            inserted.push(r);
            if (r.node)
              await countRun(tx, { node: r.node, createdMs: r.createdMs, ...(r.startMs !== undefined ? { startMs: r.startMs } : {}), stopMs: r.stopMs });
          }
        });
        kept?.added(inserted);
      } finally {
        done?.();
      }
    },
    nodeHours: (fromMs, toMs) => nodeHoursBetween(db, fromMs, toMs),
    ...createRunReads(db, kept),
    async open(row) {
      // A closed condition under the same key is history: a new occurrence replaces it, the same one (read again
      // after a restart or by another Steward) does not open twice.
      return writing(() =>
        db.transaction(async (tx) => {
          const had = await tx.get<{ closed_ms: number | string | null; opened_ms: number | string }>(
            "SELECT closed_ms, opened_ms FROM watchdog_conditions WHERE key = ?",
            [row.key],
          );
          if (had && (had.closed_ms === null || Number(had.opened_ms) === row.openedMs)) return false;
          if (had) await tx.run("DELETE FROM watchdog_conditions WHERE key = ?", [row.key]);
          await tx.run(
            "INSERT INTO watchdog_conditions (key, type, task_id, app_id, opened_ms, open_event, open_announced, close_announced) VALUES (?, ?, ?, ?, ?, ?, 0, 0)",
            [row.key, row.type, row.taskId ?? null, row.appId ?? null, row.openedMs, JSON.stringify(row.openEvent)],
          );
          return true;
        }),
      );
    },
    markOpenAnnounced: (key) => writing(async () => void (await db.run("UPDATE watchdog_conditions SET open_announced = 1 WHERE key = ?", [key]))),
    close: (key, closedMs, closeEvent) =>
      writing(async () => {
        const r = await db.run("UPDATE watchdog_conditions SET closed_ms = ?, close_event = ? WHERE key = ? AND closed_ms IS NULL", [
          closedMs,
          JSON.stringify(closeEvent),
          key,
        ]);
        return r.changes > 0;
      }),
    markCloseAnnounced: (key) => writing(async () => void (await db.run("UPDATE watchdog_conditions SET close_announced = 1 WHERE key = ?", [key]))),
    async openConditions() {
      if (openCache?.rows) return [...openCache.rows];
      // A write that starts while this read is on its way makes what it read old: it is then answered but not kept.
      const writesBefore = openCache?.writes;
      const raw = await db.all<RawCondition>(`SELECT ${COND_COLS} FROM watchdog_conditions WHERE closed_ms IS NULL ORDER BY opened_ms`);
      if (!openCache) return raw.map(toCondition);
      const rows = raw.map((r) => frozenCondition(toCondition(r)));
      if (openCache.writes === writesBefore) openCache.rows = rows;
      return [...rows];
    },
    unannounced: async () =>
      (
        await db.all<RawCondition>(
          `SELECT ${COND_COLS} FROM watchdog_conditions WHERE open_announced = 0 OR (closed_ms IS NOT NULL AND close_announced = 0) ORDER BY opened_ms`,
        )
      ).map(toCondition),
    recentlyClosed: async (sinceMs) =>
      (await db.all<RawCondition>(`SELECT ${COND_COLS} FROM watchdog_conditions WHERE closed_ms >= ? ORDER BY closed_ms DESC`, [sinceMs])).map(toCondition),
    getMeta: async (key) => (await db.get<{ value: string }>("SELECT value FROM watchdog_meta WHERE key = ?", [key]))?.value,
    setMeta: async (key, value) =>
      void (await db.run("INSERT INTO watchdog_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [key, value])),
    async prune(runsBeforeMs, closedBeforeMs, holdRunsFromMs) {
      const done = kept?.writing();
      try {
        await db.run("DELETE FROM watchdog_runs WHERE stop_ms < ?", [runsBeforeMs]);
        kept?.pruned(runsBeforeMs, holdRunsFromMs);
      } finally {
        done?.();
      }
      await pruneNodeHours(db, runsBeforeMs);
      // Only closed conditions go, which the open list does not hold.
      await db.run("DELETE FROM watchdog_conditions WHERE closed_ms IS NOT NULL AND closed_ms < ? AND close_announced = 1", [closedBeforeMs]);
    },
    holdRuns(fromMs) {
      const done = kept?.writing();
      try {
        kept?.hold(fromMs);
      } finally {
        done?.();
      }
    },
  };
}
