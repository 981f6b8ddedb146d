// Applies every module's migrations to the shared PostgreSQL store in one transaction under an advisory lock, so
// several Stewards starting at once against an empty database migrate it once. No import of the client here:
// a single Steward (SQLite) never loads it.
import { AppError } from "../core/errors";
import type { MigrationSet } from "./database";
import { migrationSql } from "./migration-dialect";
import type { SqlDb } from "./sql";

/** Arbitrary, fixed: the advisory lock key every Steward takes while it migrates. */
const MIGRATION_LOCK = 0x53_74_65_77; // "Stew"

/** Connects (a clear error naming store.postgres.url when it cannot) and applies what is missing of `sets`. */
export async function migratePostgres(db: SqlDb, sets: readonly MigrationSet[]): Promise<void> {
  try {
    await db.get("SELECT 1 AS ok");
  } catch (err) {
    throw new AppError("STORE_FAILED", `cannot connect to PostgreSQL (store.postgres.url): ${(err as Error).message}`, { cause: err });
  }
  try {
    await db.transaction(async (tx) => {
      await tx.get("SELECT pg_advisory_xact_lock(?) AS locked", [MIGRATION_LOCK]);
      await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,
        PRIMARY KEY (module, version))`);
      for (const set of sets) {
        const sorted = [...set.migrations].sort((a, b) => a.version - b.version);
        sorted.forEach((m, i) => {
          if (m.version !== i + 1)
            throw new AppError("STORE_FAILED", `migrations of ${set.module} must be numbered 1, 2, 3 …; found ${m.version} at position ${i + 1}`);
        });
        const row = await tx.get<{ v: number }>("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations WHERE module = ?", [set.module]);
        const have = Number(row?.v ?? 0);
        if (have > sorted.length) {
          throw new AppError(
            "STORE_FAILED",
            `the PostgreSQL store was written by a newer Steward (${set.module} schema ${have}, this build knows ${sorted.length}); upgrade every Steward of the cluster to the same version`,
          );
        }
        for (const m of sorted.slice(have)) {
          try {
            await tx.exec(migrationSql(m, "postgres"));
          } catch (err) {
            throw new AppError("STORE_FAILED", `store migration ${set.module} #${m.version} (${m.name}) failed on PostgreSQL: ${(err as Error).message}`, {
              cause: err,
            });
          }
          await tx.run("INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, ?, ?)", [
            set.module,
            m.version,
            m.name,
            new Date().toISOString(),
          ]);
        }
      }
    });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("STORE_FAILED", `migrating the PostgreSQL store failed: ${(err as Error).message}`, { cause: err });
  }
}
