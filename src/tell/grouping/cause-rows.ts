// Rows of the cause tables as the grouping reads them: shared by the store of open causes and that of ended ones.
import type { SqlValue } from "../../platform/store/sql";
import type { ParentRow, SymptomRow } from "./cause-store";

export type Row = Record<string, SqlValue>;
/** A cause lists at most this many waiting tasks and apps (a chain of thousands is cut, not stored whole). */
export const MAX_WAITING = 2_000;
/** Ids looked up at once (the upstreams of a task, the tasks of an app). */
export const MAX_LOOKUP = 500;
export const low = (v: string | undefined) => (v ? v.toLowerCase() : null);
const str = (v: SqlValue | undefined) => (v === null || v === undefined ? null : String(v));

export const toParent = (r: Row): ParentRow => ({
  id: Number(r.id),
  causeKey: String(r.cause_key),
  title: String(r.title),
  status: String(r.status) as ParentRow["status"],
  openedAt: Number(r.opened_at),
  lastAt: Number(r.last_at),
  closedAt: r.closed_at === null || r.closed_at === undefined ? null : Number(r.closed_at),
  firstEventId: String(r.first_event_id),
  lastPageAt: r.last_page_at === null || r.last_page_at === undefined ? null : Number(r.last_page_at),
  updates: Number(r.updates ?? 0),
});

export const toSymptom = (r: Row): SymptomRow => ({
  parentId: Number(r.parent_id),
  subject: String(r.subject),
  taskName: str(r.task_name),
  appName: str(r.app_name),
  stream: str(r.stream),
  kind: String(r.kind),
  eventId: String(r.event_id),
  state: String(r.state) as SymptomRow["state"],
  firstAt: Number(r.first_at),
  lastAt: Number(r.last_at),
  recoveredAt: r.recovered_at === null || r.recovered_at === undefined ? null : Number(r.recovered_at),
});
