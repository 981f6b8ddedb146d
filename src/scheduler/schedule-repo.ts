// Persistence of schedules in the store: plain row ↔ Schedule mapping with prepared statements.
import type { DatabaseSync } from "node:sqlite";
import type { LastRun, MissedReport, Schedule, ScheduleDefinition, ScheduleState } from "./schedule-model";

export interface ScheduleRow {
  id: string;
  definition: ScheduleDefinition;
  created: string;
  updated?: string;
  state: ScheduleState;
  nextRunAt: number | null;
  lastRun?: LastRun;
  missed?: MissedReport;
}

export interface ScheduleRepo {
  all(): ScheduleRow[];
  get(id: string): ScheduleRow | undefined;
  count(): number;
  insert(row: Omit<ScheduleRow, "nextRunAt">): void;
  replaceDefinition(id: string, def: ScheduleDefinition, updated: string): void;
  setState(id: string, state: ScheduleState, updated: string): void;
  setNextRun(id: string, at: number | null): void;
  setLastRun(id: string, run: LastRun): void;
  setMissed(id: string, missed: MissedReport | null): void;
  delete(id: string): boolean;
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

export function createScheduleRepo(db: DatabaseSync): ScheduleRepo {
  const q = {
    all: db.prepare("SELECT * FROM schedules ORDER BY position"),
    get: db.prepare("SELECT * FROM schedules WHERE id = ?"),
    count: db.prepare("SELECT COUNT(*) AS n FROM schedules"),
    insert: db.prepare(
      "INSERT INTO schedules (id, position, definition, created, updated, state, next_run_at, last_run, missed) VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM schedules), ?, ?, ?, ?, NULL, ?, ?)",
    ),
    def: db.prepare("UPDATE schedules SET definition = ?, updated = ? WHERE id = ?"),
    state: db.prepare("UPDATE schedules SET state = ?, updated = ? WHERE id = ?"),
    next: db.prepare("UPDATE schedules SET next_run_at = ? WHERE id = ?"),
    last: db.prepare("UPDATE schedules SET last_run = ? WHERE id = ?"),
    missed: db.prepare("UPDATE schedules SET missed = ? WHERE id = ?"),
    del: db.prepare("DELETE FROM schedules WHERE id = ?"),
  };
  const fromRow = (r: Record<string, unknown>): ScheduleRow => ({
    id: String(r.id),
    definition: JSON.parse(String(r.definition)) as ScheduleDefinition,
    created: String(r.created),
    ...(r.updated !== null ? { updated: String(r.updated) } : {}),
    state: r.state as ScheduleState,
    nextRunAt: r.next_run_at === null ? null : Number(r.next_run_at),
    ...(r.last_run !== null ? { lastRun: JSON.parse(String(r.last_run)) as LastRun } : {}),
    ...(r.missed !== null ? { missed: JSON.parse(String(r.missed)) as MissedReport } : {}),
  });
  return {
    all: () => (q.all.all() as Array<Record<string, unknown>>).map(fromRow),
    get(id) {
      const r = q.get.get(id) as Record<string, unknown> | undefined;
      return r ? fromRow(r) : undefined;
    },
    count: () => Number((q.count.get() as { n: number }).n),
    insert(row) {
      q.insert.run(row.id, JSON.stringify(row.definition), row.created, row.updated ?? null, row.state, row.lastRun ? JSON.stringify(row.lastRun) : null, row.missed ? JSON.stringify(row.missed) : null);
    },
    replaceDefinition: (id, def, updated) => void q.def.run(JSON.stringify(def), updated, id),
    setState: (id, state, updated) => void q.state.run(state, updated, id),
    setNextRun: (id, at) => void q.next.run(at, id),
    setLastRun: (id, run) => void q.last.run(JSON.stringify(run), id),
    setMissed: (id, missed) => void q.missed.run(missed ? JSON.stringify(missed) : null, id),
    delete: (id) => Number(q.del.run(id).changes) > 0,
  };
}
