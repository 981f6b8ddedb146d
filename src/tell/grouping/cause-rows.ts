// Rows of the cause tables as the grouping reads them: shared by the store of open causes and that of ended ones.
import type { SqlValue } from "../../platform/store/sql";

export interface CauseRef {
  /** Identifies the cause while it is open, e.g. `source:connection|dwh`. */
  key: string;
  /** For people: "connection errors from DWH". */
  title: string;
}

export interface SymptomInput {
  /** One symptom per subject and parent, e.g. `task:<id>` or `app:<id>`. */
  subject: string;
  kind: string;
  eventId: string;
  taskName?: string;
  appName?: string;
  stream?: string;
  /** Qlik ids, so a later symptom (a stopped chain, a stale app) finds the parent of its upstream. */
  taskId?: string;
  appId?: string;
  /** The task run (executionId) a failure or abort stands for: kept with the parent, so its pages name every run. */
  runId?: string;
}

/** Where a symptom may belong: an open parent holding one of these tasks or apps. */
export interface HolderQuery {
  taskIds: readonly string[];
  appIds: readonly string[];
  appNames: readonly string[];
}

export interface ParentRow {
  id: number;
  causeKey: string;
  title: string;
  status: "open" | "closed";
  openedAt: number;
  lastAt: number;
  closedAt: number | null;
  firstEventId: string;
  /** When the parent last paged (its opening or an update); null before the first page was recorded. */
  lastPageAt: number | null;
  /** Update pages sent. */
  updates: number;
  /** Who acknowledged the cause (its page's link, the dashboard, the API) and when; null while nobody has. */
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  acknowledgedNote: string | null;
}

export interface SymptomRow {
  parentId: number;
  subject: string;
  taskName: string | null;
  appName: string | null;
  /** The task's Qlik id, lower case, when the symptom is about a task (a node's queue itself names none). */
  taskId: string | null;
  /** The app's Qlik id, lower case, when the symptom names one. */
  appId: string | null;
  stream: string | null;
  kind: string;
  eventId: string;
  /**
   * waiting: a task after a failed one (or an app it feeds) that will not run; listed, never holds the parent open.
   * awaiting: what a job before Qlik feeds, after the job checked in late, until a reload started since succeeds: it
   * holds the job's cause open.
   */
  state: "open" | "recovered" | "waiting" | "awaiting";
  firstAt: number;
  lastAt: number;
  recoveredAt: number | null;
}

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
  acknowledgedAt: r.acknowledged_at === null || r.acknowledged_at === undefined ? null : Number(r.acknowledged_at),
  acknowledgedBy: str(r.acknowledged_by),
  acknowledgedNote: str(r.acknowledged_note),
});

export const toSymptom = (r: Row): SymptomRow => ({
  parentId: Number(r.parent_id),
  subject: String(r.subject),
  taskName: str(r.task_name),
  appName: str(r.app_name),
  taskId: str(r.task_id),
  appId: str(r.app_id),
  stream: str(r.stream),
  kind: String(r.kind),
  eventId: String(r.event_id),
  state: String(r.state) as SymptomRow["state"],
  firstAt: Number(r.first_at),
  lastAt: Number(r.last_at),
  recoveredAt: r.recovered_at === null || r.recovered_at === undefined ? null : Number(r.recovered_at),
});
