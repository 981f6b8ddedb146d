// The Engine reloads' table held to a byte budget (engineReloads.maxStoreBytes): once the rows claimed since the last
// look may have passed it, the table's text is summed (SUM(LENGTH(…)), the same on SQLite and PostgreSQL) and the
// reloads claimed first are deleted until it is back under 90 % of the budget. A flood of forged lines then costs the
// oldest history, never the disk. Rows not yet judged or announced are never deleted here.
import type { SqlDb } from "../../platform/store/sql";

/** A row's weight: its text plus a fixed share for the numbers and the row's own overhead. */
export const ROW_BYTES =
  "(64 + LENGTH(run_key) + LENGTH(node) + LENGTH(app_id) + LENGTH(session_id) + LENGTH(user_name) + LENGTH(proxy_session) + LENGTH(lines)" +
  " + LENGTH(claimed_by) + COALESCE(LENGTH(reason), 0) + COALESCE(LENGTH(app_name), 0) + COALESCE(LENGTH(stream), 0) + COALESCE(LENGTH(event), 0))";

/** Rows looked at per round of deletion, and rounds per look at most (the loop is bounded). */
const BATCH = 500;
const MAX_ROUNDS = 200;

export interface StoreBudget {
  /** A row of about `bytes` was written: the table is looked at once enough was written since the last look. */
  added(bytes: number): Promise<void>;
  /** A row became deletable (judged, announced): looks again if the last look could not get under the budget. */
  finished(): Promise<void>;
  /** Looks now: the rows deleted. */
  enforce(): Promise<number>;
}

export function createStoreBudget(db: SqlDb, maxBytes: number): StoreBudget {
  // The first write looks (the table may be over a budget lowered since the last run).
  let sinceLook = Number.POSITIVE_INFINITY;
  let looking: Promise<number> | undefined;
  /** Asked while a look was under way: rows it did not see may be deletable now. */
  let again = false;
  /** The last look left the table over the budget: its rows were still being judged. */
  let over = false;

  async function total(): Promise<number> {
    return Number((await db.get<{ b: number | string | null }>(`SELECT COALESCE(SUM(${ROW_BYTES}), 0) AS b FROM engine_reloads`))?.b ?? 0);
  }

  async function look(): Promise<number> {
    sinceLook = 0;
    const bytes = await total();
    over = false;
    if (bytes <= maxBytes) return 0;
    // Down to 90 %: the next few writes do not each pay for a deletion.
    let excess = bytes - Math.floor(maxBytes * 0.9);
    let deleted = 0;
    for (let round = 0; round < MAX_ROUNDS && excess > 0; round++) {
      const rows = await db.all<{ run_key: string; b: number | string }>(
        `SELECT run_key, ${ROW_BYTES} AS b FROM engine_reloads WHERE judged = 1 AND announced = 1 ORDER BY claimed_ms, run_key LIMIT ?`,
        [BATCH],
      );
      if (rows.length === 0) break;
      const keys: string[] = [];
      for (const r of rows) {
        if (excess <= 0) break;
        excess -= Number(r.b);
        keys.push(r.run_key);
      }
      deleted += (await db.run(`DELETE FROM engine_reloads WHERE run_key IN (${keys.map(() => "?").join(", ")}) AND judged = 1 AND announced = 1`, keys))
        .changes;
    }
    over = excess > 0;
    return deleted;
  }

  function enforce(): Promise<number> {
    if (looking) {
      again = true;
      return looking;
    }
    looking = (async () => {
      let deleted = 0;
      // Bounded: each round needs a row finished during the one before it.
      for (let round = 0; round < 1_000; round++) {
        again = false;
        deleted += await look();
        if (!again) break;
      }
      return deleted;
    })().finally(() => (looking = undefined));
    return looking;
  }

  return {
    async added(bytes) {
      sinceLook += bytes;
      // A sixteenth of the budget between looks: the table passes it by that much at most (plus rows not yet judged).
      if (sinceLook >= maxBytes / 16) await enforce();
    },
    async finished() {
      if (over || looking) await enforce();
    },
    enforce,
  };
}
