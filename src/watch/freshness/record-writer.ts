// Writes each deadline's judgement to the promise's record (record-store.ts) at the judge's look: late when the
// deadline's breach opens (or an open warning's is raised to one), with why in the business reader's words; fresh
// again when it closes; fresh by it when the last deadline passed with the data in. Each deadline once per term.
import type { FreshnessStore } from "./freshness-store";
import { type FindingContext, findingFor, type FreshnessJudgement, type JudgedPromise, type OpenFreshness, promisedApps } from "./judge";
import { reasonForUsers } from "./projection";
import type { RecordStore } from "./record-store";

/** Why, when all Steward saw was the data arriving after the deadline (fresh again before the look could tell more). */
export const RAN_LATE = "the loads before it ran late";

export interface RecordLook {
  promises: readonly JudgedPromise[];
  apps: Awaited<ReturnType<FreshnessStore["apps"]>>;
  /** The conditions open before this look. */
  open: readonly OpenFreshness[];
  since: ReadonlyMap<string, number>;
  context: FindingContext;
  /** This look's judgement, each finding with its chain (the cause that held it up). */
  result: FreshnessJudgement;
}

/** Judgements are kept this long: the record shows 90 days; a few more cover a zone's calendar edge. */
export const KEEP_DAYS_MS = 100 * 86_400_000;

export function createRecordWriter(record: RecordStore) {
  const done = new Set<string>();
  let prunedAt: number | undefined;
  const id = (promise: string, appId: string, deadlineMs: number) => `${promise}\u0000${appId}\u0000${deadlineMs}`;
  return async (l: RecordLook): Promise<void> => {
    const { nowMs } = l.context;
    // Once a day of the term: the record's rows older than it shows go, and the term's memory of them.
    if (prunedAt === undefined || nowMs - prunedAt >= 86_400_000) {
      await record.prune(nowMs - KEEP_DAYS_MS);
      for (const k of done) if (Number(k.split("\u0000")[2]) < nowMs - KEEP_DAYS_MS) done.delete(k);
      prunedAt = nowMs;
    }
    const breaches = [...l.result.opens.filter((o) => o.level === "breached"), ...l.result.escalations];
    for (const f of breaches) {
      await record.judged({ promise: f.promise, appId: f.app.appId, deadlineMs: f.deadlineMs, late: true, cause: reasonForUsers(f) });
      done.add(id(f.promise, f.app.appId, f.deadlineMs));
    }
    for (const f of l.result.closes) {
      if (nowMs < f.deadlineMs) continue;
      const freshMs = f.broughtBy?.reloadMs ?? nowMs;
      // A warning that closed after its deadline without being raised (the look came after the late reload).
      await record.judged({ promise: f.promise, appId: f.app.appId, deadlineMs: f.deadlineMs, late: true, freshMs, cause: RAN_LATE });
      await record.freshAgain(f.promise, f.app.appId, f.deadlineMs, freshMs);
      done.add(id(f.promise, f.app.appId, f.deadlineMs));
    }
    const openKeys = new Set(l.open.map((o) => o.key));
    for (const p of l.promises) {
      const prev = p.deadlines?.atOrBefore(nowMs);
      const since = l.since.get(p.name) ?? nowMs;
      if (prev === undefined || prev < since) continue;
      for (const app of promisedApps(p, l.apps)) {
        const key = id(p.name, app.appId, prev);
        if (done.has(key) || openKeys.has(`freshness:${p.name}:${app.appId}`)) continue;
        const f = findingFor(p, app, prev, l.context, true);
        if (!f.fresh) continue;
        const freshMs = f.broughtBy?.reloadMs ?? app.lastSuccessMs!;
        const late = freshMs > prev;
        await record.judged({ promise: p.name, appId: app.appId, deadlineMs: prev, late, freshMs, ...(late ? { cause: RAN_LATE } : {}) });
        done.add(key);
      }
    }
  };
}
