// One run of the audit log's retention (audit-log.ts decides when): the statements that delete what is past maxAge,
// then the oldest entries over maxEntries, denials first.
import type { SqlDb } from "../store/sql";

const DELETE_OLDER = "DELETE FROM audit WHERE at < ?";
const COUNT = "SELECT COUNT(*) AS n FROM audit";
// Denials go first: a flood of refused requests must not push task starts and key changes out of the log.
const DELETE_OLDEST_DENIED = "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE result = 'denied' ORDER BY id LIMIT ?)";
const DELETE_OLDEST = "DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id LIMIT ?)";

/** One retention run's statements: entries past maxAge, then the oldest over maxEntries (denials first). */
export async function retentionRun(db: SqlDb, now: number, retention: { maxAgeMs: number; maxEntries: number }): Promise<{ deleted: number; held: number }> {
  let deleted = (await db.run(DELETE_OLDER, [new Date(now - retention.maxAgeMs).toISOString()])).changes;
  const held = Number((await db.get<{ n: number }>(COUNT))?.n ?? 0);
  const excess = held - retention.maxEntries;
  if (excess > 0) {
    const denied = (await db.run(DELETE_OLDEST_DENIED, [excess])).changes;
    deleted += denied;
    if (denied < excess) deleted += (await db.run(DELETE_OLDEST, [excess - denied])).changes;
  }
  return { deleted, held };
}
