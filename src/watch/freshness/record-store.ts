// A promise's record (issue 106): one stored judgement per promise, app and deadline, written by the Steward judging
// the promises: fresh by the deadline, or late, when it was fresh again and why, in the business reader's words.
// The first judgement of a deadline stands (several Stewards on one store write the same row once); being fresh again
// only fills in the time of a late one. /status reads the last 30 and 90 days from it.
import type { SqlDb } from "../../platform/store/sql";

export interface DayJudgement {
  promise: string;
  appId: string;
  deadlineMs: number;
  late: boolean;
  /** When the data was fresh: the reload that brought it (a late day: absent until it is fresh again). */
  freshMs?: number;
  /** A late day: why, for the people who use the app (no task, job or host names). */
  cause?: string;
}

export interface RecordStore {
  /** Keeps the deadline's judgement unless one is kept already. */
  judged(d: DayJudgement): Promise<void>;
  /** A late deadline's data is fresh again at `freshMs` (the first time said wins). */
  freshAgain(promise: string, appId: string, deadlineMs: number, freshMs: number): Promise<void>;
  /** The judgements of deadlines at or after `fromMs`, oldest first. */
  since(fromMs: number): Promise<DayJudgement[]>;
  /** Forgets the judgements of deadlines before `beforeMs` (the record shows 90 days). */
  prune(beforeMs: number): Promise<void>;
}

type Num = number | string | null;
interface Raw {
  promise: string;
  app_id: string;
  deadline_ms: Num;
  late: Num;
  fresh_ms: Num;
  cause: string | null;
}

const toDay = (r: Raw): DayJudgement => ({
  promise: r.promise,
  appId: r.app_id,
  deadlineMs: Number(r.deadline_ms),
  late: Number(r.late) === 1,
  ...(r.fresh_ms !== null ? { freshMs: Number(r.fresh_ms) } : {}),
  ...(r.cause !== null ? { cause: r.cause } : {}),
});

export function createRecordStore(db: SqlDb): RecordStore {
  return {
    async judged(d) {
      await db.run(
        "INSERT INTO freshness_days (promise, app_id, deadline_ms, late, fresh_ms, cause) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (promise, app_id, deadline_ms) DO NOTHING",
        [d.promise, d.appId, d.deadlineMs, d.late ? 1 : 0, d.freshMs ?? null, d.cause ?? null],
      );
    },
    async freshAgain(promise, appId, deadlineMs, freshMs) {
      await db.run("UPDATE freshness_days SET fresh_ms = ? WHERE promise = ? AND app_id = ? AND deadline_ms = ? AND late = 1 AND fresh_ms IS NULL", [
        freshMs,
        promise,
        appId,
        deadlineMs,
      ]);
    },
    since: async (fromMs) =>
      (
        await db.all<Raw>("SELECT promise, app_id, deadline_ms, late, fresh_ms, cause FROM freshness_days WHERE deadline_ms >= ? ORDER BY deadline_ms", [
          fromMs,
        ])
      ).map(toDay),
    async prune(beforeMs) {
      await db.run("DELETE FROM freshness_days WHERE deadline_ms < ?", [beforeMs]);
    },
  };
}
