// Persistence of schedules in the store (SQLite or the cluster's PostgreSQL): row ↔ Schedule mapping, and the
// claims that make a fire happen once however many Stewards share the store.
import type { SqlExecutor } from "../../platform/store/sql";
import type { LastRun, MissedReport, Schedule, ScheduleDefinition, ScheduleState } from "./schedule-model";

export interface ScheduleRow {
  id: string;
  definition: ScheduleDefinition;
  created: string;
  updated?: string;
  state: ScheduleState;
  nextRunAt: number | null;
  /**
   * When nextRunAt was last set, by the store's clock (the database's on PostgreSQL; unset on SQLite, whose only
   * writer is this Steward, and on rows written before it was kept).
   */
  plannedAt?: number;
  lastRun?: LastRun;
  missed?: MissedReport;
}

export interface ScheduleRepo {
  all(): Promise<ScheduleRow[]>;
  get(id: string): Promise<ScheduleRow | undefined>;
  count(): Promise<number>;
  /** False when a schedule with that id exists (another Steward of a cluster imported it a moment ago). */
  insert(row: ScheduleRow): Promise<boolean>;
  replaceDefinition(id: string, def: ScheduleDefinition, updated: string, nextRunAt: number | null): Promise<void>;
  setState(id: string, state: ScheduleState, updated: string, nextRunAt: number | null): Promise<void>;
  /**
   * Sets the next planned fire only if it is still `expected`: true when this caller won (the fire claim). With
   * `missed`, the fires found missed are recorded in the same statement, so no reader (nor a crash between two
   * writes) sees the new plan without them.
   */
  claimNextRun(id: string, expected: number | null, next: number | null, missed?: MissedReport): Promise<boolean>;
  setLastRun(id: string, run: LastRun): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Records that an event fired a schedule; false when some Steward already did (one fire per event). */
  claimEventFire(id: string, eventId: string, at: number): Promise<boolean>;
  /** Forgets event-fire claims older than `before`. */
  pruneEventFires(before: number): Promise<number>;
  /** The same statements inside a transaction. */
  in(tx: SqlExecutor): ScheduleRepo;
}

export function toSchedule(r: ScheduleRow): Schedule {
  const d = r.definition;
  return {
    id: r.id,
    name: d.name,
    ...(d.cronSchedule !== undefined ? { cronSchedule: d.cronSchedule } : {}),
    timezone: d.timezone,
    qlikSenseTaskId: d.qlikSenseTaskId,
    startupState: d.startupState,
    tags: d.tags,
    created: r.created,
    lastKnownState: r.state,
    ...(d.startDate !== undefined ? { startDate: d.startDate } : {}),
    ...(d.endDate !== undefined ? { endDate: d.endDate } : {}),
    ...(d.timeWindow !== undefined ? { timeWindow: d.timeWindow } : {}),
    catchUp: d.catchUp,
    ...(d.trigger !== undefined ? { trigger: d.trigger } : {}),
    ...(r.updated !== undefined ? { updated: r.updated } : {}),
    nextRun: r.nextRunAt === null ? null : new Date(r.nextRunAt).toISOString(),
    ...(r.lastRun ? { lastRun: r.lastRun } : {}),
    ...(r.missed ? { missed: r.missed } : {}),
  };
}

/** The database's clock in epoch milliseconds, on PostgreSQL; SQLite keeps no planning time (see ScheduleRow.plannedAt). */
const PLANNED_NOW = "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

export function createScheduleRepo(db: SqlExecutor): ScheduleRepo {
  const planned = db.dialect === "postgres" ? `, planned_at = ${PLANNED_NOW}` : "";
  const q = {
    all: "SELECT * FROM schedules ORDER BY position",
    get: "SELECT * FROM schedules WHERE id = ?",
    count: "SELECT COUNT(*) AS n FROM schedules",
    insert: `INSERT INTO schedules (id, position, definition, created, updated, state, next_run_at, last_run, missed, planned_at) VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM schedules), ?, ?, ?, ?, ?, ?, ?, ${db.dialect === "postgres" ? PLANNED_NOW : "NULL"}) ON CONFLICT (id) DO NOTHING`,
    def: `UPDATE schedules SET definition = ?, updated = ?, next_run_at = ?${planned} WHERE id = ?`,
    state: `UPDATE schedules SET state = ?, updated = ?, next_run_at = ?${planned} WHERE id = ?`,
    // IS, not =, so an unset next fire (NULL) can be claimed too; PostgreSQL spells it IS NOT DISTINCT FROM.
    claim: `UPDATE schedules SET next_run_at = ?${planned} WHERE id = ? AND next_run_at ${db.dialect === "postgres" ? "IS NOT DISTINCT FROM" : "IS"} ?`,
    claimMissed: `UPDATE schedules SET next_run_at = ?, missed = ?${planned} WHERE id = ? AND next_run_at ${db.dialect === "postgres" ? "IS NOT DISTINCT FROM" : "IS"} ?`,
    last: "UPDATE schedules SET last_run = ? WHERE id = ?",
    del: "DELETE FROM schedules WHERE id = ?",
    eventFire: "INSERT INTO schedule_event_fires (schedule_id, event_id, fired_at) VALUES (?, ?, ?) ON CONFLICT (schedule_id, event_id) DO NOTHING",
    pruneEventFires: "DELETE FROM schedule_event_fires WHERE fired_at < ?",
  };
  const fromRow = (r: Record<string, unknown>): ScheduleRow => ({
    id: String(r.id),
    definition: JSON.parse(String(r.definition)) as ScheduleDefinition,
    created: String(r.created),
    ...(r.updated !== null ? { updated: String(r.updated) } : {}),
    state: r.state as ScheduleState,
    nextRunAt: r.next_run_at === null ? null : Number(r.next_run_at),
    ...(r.planned_at !== null && r.planned_at !== undefined ? { plannedAt: Number(r.planned_at) } : {}),
    ...(r.last_run !== null ? { lastRun: JSON.parse(String(r.last_run)) as LastRun } : {}),
    ...(r.missed !== null ? { missed: JSON.parse(String(r.missed)) as MissedReport } : {}),
  });
  return {
    all: async () => (await db.all<Record<string, unknown>>(q.all)).map(fromRow),
    async get(id) {
      const r = await db.get<Record<string, unknown>>(q.get, [id]);
      return r ? fromRow(r) : undefined;
    },
    count: async () => Number((await db.get<{ n: number }>(q.count))?.n ?? 0),
    async insert(row) {
      const r = await db.run(q.insert, [
        row.id,
        JSON.stringify(row.definition),
        row.created,
        row.updated ?? null,
        row.state,
        row.nextRunAt,
        row.lastRun ? JSON.stringify(row.lastRun) : null,
        row.missed ? JSON.stringify(row.missed) : null,
      ]);
      return r.changes > 0;
    },
    replaceDefinition: async (id, def, updated, nextRunAt) => void (await db.run(q.def, [JSON.stringify(def), updated, nextRunAt, id])),
    setState: async (id, state, updated, nextRunAt) => void (await db.run(q.state, [state, updated, nextRunAt, id])),
    claimNextRun: async (id, expected, next, missed) =>
      (await (missed ? db.run(q.claimMissed, [next, JSON.stringify(missed), id, expected]) : db.run(q.claim, [next, id, expected]))).changes > 0,
    setLastRun: async (id, run) => void (await db.run(q.last, [JSON.stringify(run), id])),
    delete: async (id) => (await db.run(q.del, [id])).changes > 0,
    claimEventFire: async (id, eventId, at) => (await db.run(q.eventFire, [id, eventId, at])).changes > 0,
    pruneEventFires: async (before) => (await db.run(q.pruneEventFires, [before])).changes,
    in: (tx) => createScheduleRepo(tx),
  };
}
