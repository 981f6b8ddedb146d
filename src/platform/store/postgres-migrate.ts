// Applies every module's migrations to the shared PostgreSQL store in one transaction under an advisory lock, so
// several Stewards starting at once against an empty database migrate it once. No import of the client here:
// a single Steward (SQLite) never loads it.
//
// Round trips are the cost: the versions are read in one query (a Steward starting on a store that is up to date
// sends nothing more), and what is missing goes as one script, each migration followed by its schema_migrations row.
// An empty store took some 200 statements one at a time, ~49 ms of the Steward's CPU and ~200 ms of the server's
// (bench/history/issue-89.md, tmpl). If the script fails, the transaction is rolled back and the same migrations are
// applied again one at a time, so that the error names the migration that failed.
import { AppError } from "../core/errors";
import type { Migration, MigrationSet } from "./database";
import { migrationSql } from "./migration-dialect";
import type { SqlDb, SqlExecutor } from "./sql";

/** Arbitrary, fixed: the advisory lock key every Steward takes while it migrates. */
const MIGRATION_LOCK = 0x53_74_65_77; // "Stew"

interface Pending {
  module: string;
  migration: Migration;
}

/** The script of the pending migrations failed somewhere in it (which one, the one-at-a-time pass says). */
class ScriptFailed extends Error {}

/** Connects (a clear error naming store.postgres.url when it cannot) and applies what is missing of `sets`. */
export async function migratePostgres(db: SqlDb, sets: readonly MigrationSet[]): Promise<void> {
  try {
    await db.get("SELECT 1 AS ok");
  } catch (err) {
    throw new AppError("STORE_FAILED", `cannot connect to PostgreSQL (store.postgres.url): ${(err as Error).message}`, { cause: err });
  }
  const ordered = sets.map((set) => ({ module: set.module, migrations: numbered(set) }));
  try {
    try {
      await db.transaction((tx) => applyPending(tx, ordered, "script"));
    } catch (err) {
      if (!(err instanceof ScriptFailed)) throw err;
      await db.transaction((tx) => applyPending(tx, ordered, "one at a time"));
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("STORE_FAILED", `migrating the PostgreSQL store failed: ${(err as Error).message}`, { cause: err });
  }
}

function numbered(set: MigrationSet): Migration[] {
  const sorted = [...set.migrations].sort((a, b) => a.version - b.version);
  sorted.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new AppError("STORE_FAILED", `migrations of ${set.module} must be numbered 1, 2, 3 …; found ${m.version} at position ${i + 1}`);
  });
  return sorted;
}

async function applyPending(tx: SqlExecutor, sets: ReadonlyArray<{ module: string; migrations: Migration[] }>, how: "script" | "one at a time"): Promise<void> {
  await tx.get("SELECT pg_advisory_xact_lock(?) AS locked", [MIGRATION_LOCK]);
  await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, applied_at TEXT NOT NULL,
    PRIMARY KEY (module, version))`);
  const rows = await tx.all<{ module: string; v: number }>("SELECT module, MAX(version) AS v FROM schema_migrations GROUP BY module");
  const have = new Map(rows.map((r) => [r.module, Number(r.v)]));
  const pending: Pending[] = [];
  for (const set of sets) {
    const applied = have.get(set.module) ?? 0;
    if (applied > set.migrations.length) {
      throw new AppError(
        "STORE_FAILED",
        `the PostgreSQL store was written by a newer Steward (${set.module} schema ${applied}, this build knows ${set.migrations.length}); upgrade every Steward of the cluster to the same version`,
      );
    }
    for (const migration of set.migrations.slice(applied)) pending.push({ module: set.module, migration });
  }
  if (pending.length === 0) return;
  const appliedAt = new Date().toISOString();
  if (how === "script") {
    try {
      await tx.exec(pending.map((p) => `${migrationSql(p.migration, "postgres")}\n;\n${recordSql(p, appliedAt)}`).join(";\n"));
    } catch (err) {
      throw new ScriptFailed((err as Error).message, { cause: err });
    }
    return;
  }
  for (const p of pending) {
    try {
      await tx.exec(migrationSql(p.migration, "postgres"));
    } catch (err) {
      throw new AppError(
        "STORE_FAILED",
        `store migration ${p.module} #${p.migration.version} (${p.migration.name}) failed on PostgreSQL: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    await tx.exec(recordSql(p, appliedAt));
  }
}

/** The schema_migrations row of a migration, as a statement of the script (its values are the build's own names). */
function recordSql(p: Pending, appliedAt: string): string {
  const text = (s: string) => `'${s.replaceAll("'", "''")}'`;
  return `INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (${text(p.module)}, ${p.migration.version}, ${text(p.migration.name)}, ${text(appliedAt)})`;
}
