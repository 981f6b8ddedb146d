// One step shared by every way a cause's entry recovers (its task succeeded, or what a job fed reloaded): the entry
// is marked recovered, and the parent closes in the same transaction once nothing in it is open or awaiting.
import type { SqlExecutor } from "../../platform/store/sql";

export interface RecoveredEntry {
  parentId: number;
  remaining: number;
  /** True only for the call that closed the parent, so its recovered page is sent once. */
  closed: boolean;
}

/** Marks `subject` of `parentId` recovered if it is in state `from` (the caller then asks closeIfSettled). */
export async function recoverSymptom(tx: SqlExecutor, parentId: number, subject: string, from: "open" | "awaiting", now: number): Promise<void> {
  await tx.run("UPDATE cause_symptoms SET state = 'recovered', recovered_at = ? WHERE parent_id = ? AND subject = ? AND state = ?", [
    now,
    parentId,
    subject,
    from,
  ]);
}

/** Closes the parent when none of its entries is open or awaiting; `closed` only if this call closed it. */
export async function closeIfSettled(tx: SqlExecutor, parentId: number, now: number): Promise<RecoveredEntry> {
  const remaining = Number(
    (await tx.get<{ n: number }>("SELECT COUNT(*) AS n FROM cause_symptoms WHERE parent_id = ? AND state IN ('open', 'awaiting')", [parentId]))?.n ?? 0,
  );
  const closed =
    remaining === 0 &&
    (await tx.run("UPDATE cause_parents SET status = 'closed', closed_at = ?, last_at = ? WHERE id = ? AND status = 'open'", [now, now, parentId])).changes ===
      1;
  return { parentId, remaining, closed };
}
