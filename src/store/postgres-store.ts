// Opens the shared PostgreSQL store: connects, and brings every module's tables up to date in one transaction
// under an advisory lock, so several Stewards starting at once against an empty database migrate it once.
import type { MigrationSet } from "./database";
import { createPostgresDb, type PostgresDbOptions } from "./postgres-db";
import { migratePostgres } from "./postgres-migrate";
import type { SqlDb } from "./sql";

export { migratePostgres };

export async function openPostgresStore(opts: PostgresDbOptions, sets: MigrationSet[]): Promise<SqlDb> {
  const db = createPostgresDb(opts);
  try {
    await migratePostgres(db, sets);
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}
