// Opens the shared PostgreSQL store: connects, and brings every module's tables up to date in one transaction
// under an advisory lock, so several Stewards starting at once against an empty database migrate it once.
import type { MigrationSet } from "./database";
import { createPostgresDb, type PostgresDbOptions } from "./postgres-db";
import { migratePostgres } from "./postgres-migrate";
import type { SqlDb } from "./sql";

export { migratePostgres };

/**
 * The time limit of the migration's connection: an upgrade may rewrite a large table, and a Steward starting beside
 * one that migrates waits for its lock, both longer than any statement of normal work may take.
 */
const MIGRATION_TIMEOUT_MS = 10 * 60_000;

/** Migrates on a connection of its own (with the migration's time limit), then opens the store for work. */
export async function openPostgresStore(opts: PostgresDbOptions, sets: readonly MigrationSet[]): Promise<SqlDb> {
  const migrating = createPostgresDb({ ...opts, maxConnections: 1, statementTimeoutMs: Math.max(MIGRATION_TIMEOUT_MS, opts.statementTimeoutMs ?? 0) });
  try {
    await migratePostgres(migrating, sets);
  } finally {
    await migrating.close();
  }
  return createPostgresDb(opts);
}
