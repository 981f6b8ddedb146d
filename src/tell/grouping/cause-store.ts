// SQL of incidents per cause, written once for SQLite and PostgreSQL. Opening a parent is one INSERT … ON CONFLICT on
// the partial unique index of open parents, and closing is one conditional UPDATE, so two Stewards attaching or
// recovering symptoms of the same cause at once leave one parent, closed (and announced) once.
import type { SqlDb, SqlValue } from "../../platform/store/sql";
import {
  type CauseRef,
  type HolderQuery,
  low,
  MAX_LOOKUP,
  MAX_WAITING,
  type ParentRow,
  type Row,
  type SymptomInput,
  type SymptomRow,
  toParent,
  toSymptom,
} from "./cause-rows";
import { awaitingData } from "./awaiting-data";
import { closeIfSettled, type RecoveredEntry, recoverSymptom } from "./symptom-recovery";
import { endedCauses } from "./ended-causes";
import { adoptSymptom } from "./adopt-symptom";

export type { CauseRef, HolderQuery, ParentRow, SymptomInput, SymptomRow } from "./cause-rows";

export type CauseStore = ReturnType<typeof createCauseStore>;

export function createCauseStore(db: SqlDb) {
  // On PostgreSQL a parent's row is locked while a symptom joins it or recovers, so two Stewards recovering its last two
  // symptoms at once cannot both count the other's as still open (and leave it open), nor attach to it as it closes.
  const lock = db.dialect === "postgres" ? " FOR UPDATE OF p" : "";
  return {
    ...subjectCauses(db),
    /**
     * Adds a symptom to the open parent of the cause, opening one if none is; `opened` tells this call opened it.
     * `pageTo` (JSON, see updates.ts) is where this event goes if it opens the parent and so is its first page: kept
     * with the new row, so another Steward attaching a symptom the moment after knows where the page went (recorded
     * later, that Steward saw a parent with no page yet and sent its symptom as one too).
     */
    async attach(cause: CauseRef, s: SymptomInput, now: number, pageTo?: string): Promise<{ parentId: number; opened: boolean }> {
      return db.transaction(async (tx) => {
        // The open parent, or a new one; one that closes between the insert and the lock is replaced (once is enough:
        // after it closed, the insert cannot meet it again). The open parent is looked for first: an insert that meets
        // it takes a number from the id sequence all the same, and the cause numbers people see would have gaps.
        let made: { id: number } | undefined;
        let found = await tx.get<{ id: number }>(`SELECT p.id FROM cause_parents p WHERE p.cause_key = ? AND p.status = 'open'${lock}`, [cause.key]);
        for (let attempt = 0; attempt < 2 && !made && !found; attempt++) {
          made = await tx.get<{ id: number }>(
            `INSERT INTO cause_parents (cause_key, title, status, opened_at, last_at, first_event_id, page_to, last_page_at) VALUES (?, ?, 'open', ?, ?, ?, ?, ?)
             ON CONFLICT (cause_key) WHERE status = 'open' DO NOTHING RETURNING id`,
            [cause.key, cause.title.slice(0, 300), now, now, s.eventId, pageTo ?? null, pageTo ? now : null],
          );
          if (!made) found = await tx.get<{ id: number }>(`SELECT p.id FROM cause_parents p WHERE p.cause_key = ? AND p.status = 'open'${lock}`, [cause.key]);
        }
        if (!made && !found) throw new Error(`cause ${cause.key}: no open parent to attach to, and none could be opened`);
        const parentId = Number((made ?? found)!.id);
        await tx.run(
          `INSERT INTO cause_symptoms (parent_id, subject, task_name, app_name, stream, kind, event_id, state, first_at, last_at, task_id, app_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)
           ON CONFLICT (parent_id, subject) DO UPDATE SET state = 'open', kind = excluded.kind, event_id = excluded.event_id, last_at = excluded.last_at, recovered_at = NULL`,
          [parentId, s.subject, s.taskName ?? null, s.appName ?? null, s.stream ?? null, s.kind, s.eventId, now, now, low(s.taskId), low(s.appId)],
        );
        // In the same transaction as the symptom: a run is never a symptom of a parent whose pages cannot name it.
        if (s.runId)
          await tx.run("INSERT INTO cause_runs (parent_id, run_id, at) VALUES (?, ?, ?) ON CONFLICT (parent_id, run_id) DO NOTHING", [
            parentId,
            s.runId.toLowerCase(),
            now,
          ]);
        if (!made) await tx.run("UPDATE cause_parents SET last_at = ? WHERE id = ?", [now, parentId]);
        return { parentId, opened: Boolean(made) };
      });
    },
    /**
     * The subject recovered: its open symptoms are marked so, and each parent left without an open symptom is closed.
     * `closed` is true only for the call that closed it (so its recovery is announced once).
     */
    async recover(subject: string, now: number): Promise<RecoveredEntry[]> {
      // Nearly every success is of a task no cause holds: one indexed read, no transaction, for those.
      if ((await db.get("SELECT 1 AS x FROM cause_symptoms WHERE subject = ? AND state = 'open'", [subject])) === undefined) return [];
      return db.transaction(async (tx) => {
        const rows = await tx.all<{ parent_id: number }>(
          `SELECT s.parent_id FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id
           WHERE s.subject = ? AND s.state = 'open' AND p.status = 'open' ORDER BY p.id${lock}`,
          [subject],
        );
        const out: RecoveredEntry[] = [];
        for (const r of rows) {
          const parentId = Number(r.parent_id);
          await recoverSymptom(tx, parentId, subject, "open", now);
          out.push(await closeIfSettled(tx, parentId, now));
        }
        return out;
      });
    },
    /** Lists what will not run because of an open parent (state waiting); an entry already listed is left as it is. */
    async addWaiting(parentId: number, entries: readonly SymptomInput[], now: number): Promise<void> {
      if (entries.length === 0) return;
      await db.transaction(async (tx) => {
        for (const s of entries.slice(0, MAX_WAITING))
          await tx.run(
            `INSERT INTO cause_symptoms (parent_id, subject, task_name, app_name, stream, kind, event_id, state, first_at, last_at, task_id, app_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?) ON CONFLICT (parent_id, subject) DO NOTHING`,
            [parentId, s.subject, s.taskName ?? null, s.appName ?? null, s.stream ?? null, s.kind, s.eventId, now, now, low(s.taskId), low(s.appId)],
          );
      });
    },
    /**
     * The oldest open parent holding one of the tasks or apps (as a symptom or waiting), if any. A job's cause that only
     * awaits reloads of its data (awaiting-data.ts) holds nothing new: what goes wrong after the job delivered is not its.
     */
    async openHolder(q: HolderQuery): Promise<ParentRow | undefined> {
      const parts: string[] = [];
      const args: SqlValue[] = [];
      const anyOf = (column: string, values: readonly string[]) => {
        const vs = [...new Set(values.map((v) => v.toLowerCase()))].slice(0, MAX_LOOKUP);
        if (vs.length === 0) return;
        parts.push(`${column} IN (${vs.map(() => "?").join(", ")})`);
        args.push(...vs);
      };
      anyOf("s.task_id", q.taskIds);
      anyOf("s.app_id", q.appIds);
      anyOf("LOWER(s.app_name)", q.appNames);
      if (parts.length === 0) return undefined;
      const r = await db.get<Row>(
        `SELECT p.* FROM cause_symptoms s JOIN cause_parents p ON p.id = s.parent_id WHERE p.status = 'open' AND (${parts.join(" OR ")})
         AND EXISTS (SELECT 1 FROM cause_symptoms o WHERE o.parent_id = p.id AND o.state = 'open') ORDER BY p.id LIMIT 1`,
        args,
      );
      return r ? toParent(r) : undefined;
    },
    /** The parent's first page went out to these deliveries (JSON, kept for its updates); later calls change nothing. */
    async notePage(parentId: number, pageTo: string, now: number): Promise<void> {
      await db.run("UPDATE cause_parents SET page_to = ?, last_page_at = ? WHERE id = ? AND page_to IS NULL", [pageTo, now, parentId]);
    },
    ...endedCauses(db, lock),
    ...awaitingData(db, lock),
    async pageTo(parentId: number): Promise<string | undefined> {
      const r = await db.get<{ page_to: string | null }>("SELECT page_to FROM cause_parents WHERE id = ?", [parentId]);
      return r?.page_to ? String(r.page_to) : undefined;
    },
    /** Claims the next update of an open parent last paged at `lastPageAt`: true for the one caller that may send it. */
    async claimUpdate(parentId: number, lastPageAt: number, now: number): Promise<boolean> {
      const r = await db.run(
        "UPDATE cause_parents SET last_page_at = ?, updates = updates + 1 WHERE id = ? AND status = 'open' AND COALESCE(last_page_at, opened_at) = ?",
        [now, parentId, lastPageAt],
      );
      return r.changes === 1;
    },
    /** Takes the subject into the open parent unless an open parent holds it already, as one claim (adopt-symptom.ts). */
    adopt: (parentId: number, s: SymptomInput, now: number): Promise<boolean> => adoptSymptom(db, parentId, s, now),
    async isOpen(causeKey: string): Promise<boolean> {
      return (await db.get("SELECT 1 AS x FROM cause_parents WHERE cause_key = ? AND status = 'open'", [causeKey])) !== undefined;
    },
    async list(f: { status?: "open" | "closed"; limit: number }): Promise<ParentRow[]> {
      const rows = f.status
        ? await db.all<Row>("SELECT * FROM cause_parents WHERE status = ? ORDER BY id DESC LIMIT ?", [f.status, f.limit])
        : await db.all<Row>("SELECT * FROM cause_parents ORDER BY id DESC LIMIT ?", [f.limit]);
      return rows.map(toParent);
    },
    async get(id: number): Promise<ParentRow | undefined> {
      const r = await db.get<Row>("SELECT * FROM cause_parents WHERE id = ?", [id]);
      return r ? toParent(r) : undefined;
    },
    /** The runs folded into the parent (after `since`, before `until`, when given), oldest first, at most `limit`; `count`: how many in all. */
    async runs(parentId: number, limit: number, since?: number, until?: number): Promise<{ ids: string[]; count: number }> {
      const where = ["parent_id = ?", ...(since === undefined ? [] : ["at > ?"]), ...(until === undefined ? [] : ["at < ?"])].join(" AND ");
      const args: SqlValue[] = [parentId, ...(since === undefined ? [] : [since]), ...(until === undefined ? [] : [until])];
      const count = Number((await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM cause_runs WHERE ${where}`, args))?.n ?? 0);
      const rows = await db.all<{ run_id: string }>(`SELECT run_id FROM cause_runs WHERE ${where} ORDER BY at, run_id LIMIT ?`, [...args, limit]);
      return { ids: rows.map((r) => String(r.run_id)), count };
    },
    async symptoms(parentId: number): Promise<SymptomRow[]> {
      return (await db.all<Row>("SELECT * FROM cause_symptoms WHERE parent_id = ? ORDER BY first_at, subject LIMIT 5000", [parentId])).map(toSymptom);
    },
  };
}

/** Which parents held a subject (an incident's causes: where its page went, src/start/remediation/action-updates.ts). */
function subjectCauses(db: SqlDb) {
  return {
    /** The parents that held `subject` as a symptom seen since `since` (an incident's causes), newest first. */
    async parentsOf(subject: string, since: number): Promise<number[]> {
      const rows = await db.all<{ parent_id: number }>(
        "SELECT DISTINCT parent_id FROM cause_symptoms WHERE subject = ? AND last_at >= ? ORDER BY parent_id DESC LIMIT 20",
        [subject, since],
      );
      return rows.map((r) => Number(r.parent_id));
    },
  };
}
