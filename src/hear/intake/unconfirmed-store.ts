// The runs QRS could not confirm, per sending address and outcome, as the Stewards of a cluster share them (issue 86):
// the page budget of intake.confirm.unconfirmedBudget.perSource is spent here, one budget for the site, so k Stewards
// that a spoofer floods page perSource runs one by one between them, not perSource each. Each row also says when the
// address last sent such a run, which ends the summary's cause (tell/incidents/unconfirmed-flood-end.ts).
// A Steward writes here only for the runs its own memory would page (at most perSource + 1 a window) and, while it
// holds a flood, at most once per TOUCH_MS per address: never once per datagram.
import type { SqlDb } from "../../platform/store/sql";

/** The key of an address's unconfirmed runs of one outcome: "<address>|<outcome>" (an address has no "|"). */
export const unconfirmedSourceKey = (address: string, outcome: string) => `${address}|${outcome}`;

/** A held flood's last run is written at most this often per address and Steward: its end is judged to this much. */
export const TOUCH_MS = 30_000;

export interface UnconfirmedSourceRow {
  key: string;
  address: string;
  outcome: string;
  /** When the address last sent an unconfirmed run of this outcome (0: QRS confirmed one of its runs since). */
  lastAt: number;
}

export interface UnconfirmedStore {
  /**
   * Spends one page of the address's budget in window `windowNo` (the window's number since the epoch): this run's
   * place among the address's unconfirmed runs of the outcome in that window, site-wide (1 for the first).
   */
  spend(key: string, windowNo: number, now: number): Promise<number>;
  /** The address sent another unconfirmed run (held, counted into its summary). */
  touch(key: string, now: number): Promise<void>;
  /** QRS confirmed a run from the address: its budget starts afresh and its summary is over. */
  confirmed(address: string): Promise<void>;
  /** The rows whose address sent no unconfirmed run since `before`, oldest first. */
  quietSince(before: number, limit: number): Promise<UnconfirmedSourceRow[]>;
  /** Forgets a row whose end was dealt with, unless a run came meanwhile (its last_at moved). */
  forget(key: string, lastAt: number): Promise<void>;
  /** Whether any address has a row (its end still to be dealt with). */
  anyLeft(): Promise<boolean>;
}

export function createUnconfirmedStore(db: SqlDb): UnconfirmedStore {
  return {
    async spend(key, windowNo, now) {
      // One statement: two Stewards spending at once each get a place of their own.
      const r = await db.get<{ taken: number }>(
        `INSERT INTO intake_unconfirmed_sources (source_key, window_no, taken, last_at) VALUES (?, ?, 1, ?)
         ON CONFLICT (source_key) DO UPDATE SET
           taken = CASE WHEN intake_unconfirmed_sources.window_no = excluded.window_no THEN intake_unconfirmed_sources.taken + 1 ELSE 1 END,
           window_no = excluded.window_no,
           last_at = CASE WHEN excluded.last_at > intake_unconfirmed_sources.last_at THEN excluded.last_at ELSE intake_unconfirmed_sources.last_at END
         RETURNING taken`,
        [key, windowNo, now],
      );
      return Number(r?.taken ?? 1);
    },
    async touch(key, now) {
      await db.run("UPDATE intake_unconfirmed_sources SET last_at = ? WHERE source_key = ? AND last_at < ?", [now, key, now]);
    },
    async confirmed(address) {
      // Its window is no window (-1), so the next unconfirmed run from it starts a budget afresh; "}" sorts right after "|".
      await db.run("UPDATE intake_unconfirmed_sources SET taken = 0, window_no = -1, last_at = 0 WHERE source_key >= ? AND source_key < ?", [
        `${address}|`,
        `${address}}`,
      ]);
    },
    async quietSince(before, limit) {
      const rows = await db.all<{ source_key: string; last_at: number }>(
        "SELECT source_key, last_at FROM intake_unconfirmed_sources WHERE last_at < ? ORDER BY last_at LIMIT ?",
        [before, limit],
      );
      return rows.map((r) => {
        const key = String(r.source_key);
        const cut = key.lastIndexOf("|");
        return { key, address: key.slice(0, cut), outcome: key.slice(cut + 1), lastAt: Number(r.last_at) };
      });
    },
    async forget(key, lastAt) {
      await db.run("DELETE FROM intake_unconfirmed_sources WHERE source_key = ? AND last_at = ?", [key, lastAt]);
    },
    async anyLeft() {
      return (await db.get("SELECT source_key FROM intake_unconfirmed_sources LIMIT 1")) !== undefined;
    },
  };
}
