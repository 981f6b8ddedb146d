// Which Steward asks Slack about a schedule's user group, and what it found (issue 106). One row per schedule: the
// members Steward last made the group hold or found it holding, and when. A Steward claims the row before it asks
// Slack, and only while the row is not already in step (same group, same members, checked within the drift window),
// so the Stewards of one PostgreSQL update a group once per change of duty, and a restart with nothing changed asks
// nothing. A claim whose Steward stopped before it finished is taken over after STALE_MS.
import type { SqlDb } from "../../platform/store/sql";

/** Longer than a few calls to Slack take: a claim this old is a Steward that stopped. */
const STALE_MS = 2 * 60_000;

export interface SlackGroupRow {
  usergroup: string;
  /** The person on duty the members are for (their mail address). */
  person: string;
  /** The members, sorted, comma-separated. */
  users: string;
  checkedAt: number;
}

export type SlackGroupStore = ReturnType<typeof createSlackGroupStore>;

export function createSlackGroupStore(db: SqlDb) {
  return {
    async get(schedule: string): Promise<SlackGroupRow | undefined> {
      const r = await db.get<Record<string, unknown>>("SELECT usergroup, person, users, checked_at FROM oncall_slack_groups WHERE schedule = ?", [schedule]);
      return r ? { usergroup: String(r.usergroup), person: String(r.person), users: String(r.users), checkedAt: Number(r.checked_at) } : undefined;
    },
    /** True when this Steward now holds the row to bring the group to `want`; false: in step already, or another holds it. */
    async claim(schedule: string, want: Omit<SlackGroupRow, "checkedAt">, by: string, now: number, checkedSince: number): Promise<boolean> {
      await db.run("INSERT INTO oncall_slack_groups (schedule) VALUES (?) ON CONFLICT (schedule) DO NOTHING", [schedule]);
      const r = await db.run(
        `UPDATE oncall_slack_groups SET claimed_by = ?, claimed_at = ?
         WHERE schedule = ? AND (claimed_at IS NULL OR claimed_at < ?) AND NOT (usergroup = ? AND person = ? AND users = ? AND checked_at > ?)`,
        [by, now, schedule, now - STALE_MS, want.usergroup, want.person, want.users, checkedSince],
      );
      return r.changes > 0;
    },
    /** The group holds `row` (made so, or found so): the claim is let go. */
    async done(schedule: string, row: SlackGroupRow): Promise<void> {
      await db.run(
        "UPDATE oncall_slack_groups SET usergroup = ?, person = ?, users = ?, checked_at = ?, claimed_by = NULL, claimed_at = NULL WHERE schedule = ?",
        [row.usergroup, row.person, row.users, row.checkedAt, schedule],
      );
    },
    /** Slack could not be asked or refused: the claim is let go for the next look (of any Steward). */
    async release(schedule: string): Promise<void> {
      await db.run("UPDATE oncall_slack_groups SET claimed_by = NULL, claimed_at = NULL WHERE schedule = ?", [schedule]);
    },
  };
}
