// Causes after they ended: a node back up closes its cause with the starts it missed listed as over, and what such a
// cause left behind (a start due in its last minute, an app stale until the chain catches up, a promise it made late)
// is listed there, not paged; and the causes open at some time in a span, ended since or not (what a report of the span tells).
import type { SqlDb } from "../../platform/store/sql";
import { type Receiver, sameReceiver } from "./reach";
import { type HolderQuery, low, MAX_LOOKUP, type ParentRow, type Row, type SymptomInput, toParent } from "./cause-rows";

/**
 * Closes an open parent whose cause is over although some of its symptoms have not recovered (a node back up: the
 * starts it missed are over, not recovered, and are listed as such); true for the one call that closed it.
 */
export async function closeOver(db: SqlDb, parentId: number, now: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const closed = (
      await tx.run("UPDATE cause_parents SET status = 'closed', closed_at = ?, last_at = ? WHERE id = ? AND status = 'open'", [now, now, parentId])
    ).changes;
    if (closed !== 1) return false;
    await tx.run("UPDATE cause_symptoms SET state = 'recovered', recovered_at = ? WHERE parent_id = ? AND state IN ('open', 'awaiting')", [now, parentId]);
    return true;
  });
}

/** The newest parent closed at or after `since` holding one of the tasks or apps (its late consequences fold into it). */
export async function closedHolder(db: SqlDb, q: HolderQuery, since: number): Promise<ParentRow | undefined> {
  const ids = [...new Set(q.taskIds.map((v) => v.toLowerCase()))].slice(0, MAX_LOOKUP);
  const apps = [...new Set(q.appIds.map((v) => v.toLowerCase()))].slice(0, MAX_LOOKUP);
  const parts = [
    ...(ids.length ? [`s.task_id IN (${ids.map(() => "?").join(", ")})`] : []),
    ...(apps.length ? [`s.app_id IN (${apps.map(() => "?").join(", ")})`] : []),
  ];
  if (parts.length === 0) return undefined;
  const r = await db.get<Row>(
    `SELECT p.* FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id
     WHERE p.status = 'closed' AND p.closed_at >= ? AND s.state <> 'waiting' AND s.kind NOT LIKE '%.waiting' AND (${parts.join(" OR ")}) ORDER BY p.closed_at DESC, p.id DESC LIMIT 1`,
    [since, ...ids, ...apps],
  );
  return r ? toParent(r) : undefined;
}

/**
 * The newest parent closed at or after `since` that holds this subject (a condition it explained: a freshness
 * promise's warning, whose breach and recovery come after the cause ended).
 */
export async function closedWithSubject(db: SqlDb, subject: string, since: number): Promise<ParentRow | undefined> {
  const r = await db.get<Row>(
    `SELECT p.* FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id
     WHERE p.status = 'closed' AND p.closed_at >= ? AND s.subject = ? ORDER BY p.closed_at DESC, p.id DESC LIMIT 1`,
    [since, subject],
  );
  return r ? toParent(r) : undefined;
}

/** A condition a closed parent holds went on (a warning became the breach, the app is fresh again): its row says so. */
export async function noteInClosed(db: SqlDb, parentId: number, subject: string, kind: string, eventId: string, now: number): Promise<void> {
  await db.run("UPDATE cause_symptoms SET kind = ?, event_id = ?, last_at = ?, state = 'recovered', recovered_at = ? WHERE parent_id = ? AND subject = ?", [
    kind,
    eventId,
    now,
    now,
    parentId,
    subject,
  ]);
}

/** Lists a late consequence in a closed parent (not reopened, never paged): recorded as over. */
export async function listInClosed(db: SqlDb, parentId: number, s: SymptomInput, now: number): Promise<void> {
  await db.run(
    `INSERT INTO cause_symptoms (parent_id, subject, task_name, app_name, stream, kind, event_id, state, first_at, last_at, recovered_at, task_id, app_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'recovered', ?, ?, ?, ?, ?) ON CONFLICT (parent_id, subject) DO NOTHING`,
    [parentId, s.subject, s.taskName ?? null, s.appName ?? null, s.stream ?? null, s.kind, s.eventId, now, now, now, low(s.taskId), low(s.appId)],
  );
}

/**
 * More receivers reached by the parent's pages (a route its opening did not reach, paged by a later symptom): added to
 * the ones kept, each once (by channel and recipient), so that route's next symptoms fold in and its recovery goes there.
 */
export async function mergePageTargets<T extends Receiver>(db: SqlDb, lock: string, parentId: number, targets: readonly T[], now: number, max: number) {
  if (targets.length === 0) return;
  await db.transaction(async (tx) => {
    const r = await tx.get<{ page_to: string | null }>(`SELECT p.page_to FROM cause_parents p WHERE p.id = ?${lock}`, [parentId]);
    const kept: T[] = r?.page_to ? (JSON.parse(String(r.page_to)) as T[]) : [];
    for (const t of targets) if (kept.length < max && !kept.some((k) => sameReceiver(k, t))) kept.push(t);
    await tx.run("UPDATE cause_parents SET page_to = ?, last_page_at = COALESCE(last_page_at, ?) WHERE id = ?", [JSON.stringify(kept), now, parentId]);
  });
}

/** The cause's parent that closed last, at or after `since`. */
export async function lastClosed(db: SqlDb, causeKey: string, since: number): Promise<ParentRow | undefined> {
  const r = await db.get<Row>("SELECT * FROM cause_parents WHERE cause_key = ? AND status = 'closed' AND closed_at >= ? ORDER BY closed_at DESC LIMIT 1", [
    causeKey,
    since,
  ]);
  return r ? toParent(r) : undefined;
}

/** The store's calls about ended causes and the receivers a parent's pages reached. */
export function endedCauses(db: SqlDb, lock: string) {
  return {
    closeOver: (parentId: number, now: number) => closeOver(db, parentId, now),
    closedHolder: (q: HolderQuery, since: number) => closedHolder(db, q, since),
    lastClosed: (causeKey: string, since: number) => lastClosed(db, causeKey, since),
    /** The open parent of a cause, if any. */
    openByKey: async (causeKey: string): Promise<ParentRow | undefined> => {
      const r = await db.get<Row>("SELECT * FROM cause_parents WHERE cause_key = ? AND status = 'open'", [causeKey]);
      return r ? toParent(r) : undefined;
    },
    /** Parents open at some time in [from, to) (opened before `to`, not closed before `from`), newest first, at most `limit`. */
    openDuring: async (from: number, to: number, limit: number): Promise<ParentRow[]> =>
      (
        await db.all<Row>("SELECT * FROM cause_parents WHERE opened_at < ? AND (closed_at IS NULL OR closed_at >= ?) ORDER BY id DESC LIMIT ?", [
          to,
          from,
          limit,
        ])
      ).map(toParent),
    listInClosed: (parentId: number, s: SymptomInput, now: number) => listInClosed(db, parentId, s, now),
    closedWithSubject: (subject: string, since: number) => closedWithSubject(db, subject, since),
    noteInClosed: (parentId: number, subject: string, kind: string, eventId: string, now: number) => noteInClosed(db, parentId, subject, kind, eventId, now),
    addPageTargets: <T extends Receiver>(parentId: number, targets: readonly T[], now: number, max: number) =>
      mergePageTargets(db, lock, parentId, targets, now, max),
  };
}
