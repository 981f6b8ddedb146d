// Every module's migrations, written once, give the same tables, columns and indexes on SQLite and on
// PostgreSQL; three Stewards starting at once against an empty PostgreSQL database migrate it exactly once.
import { afterAll, expect, test } from "bun:test";
import type { MigrationSet } from "../../../../src/platform/store/database";
import { createPostgresDb } from "../../../../src/platform/store/postgres-db";
import { migratePostgres, openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb, SqlExecutor } from "../../../../src/platform/store/sql";
import { STORE_MIGRATIONS } from "../../../../src/store-migrations";
import { postgresBackend, sqliteBackend } from "../../../helpers/sql-backends";

const sqlite = sqliteBackend();
const pg = postgresBackend();
afterAll(async () => {
  await sqlite.shutdown();
  await pg.shutdown();
});

type Shape = Record<string, { columns: string[]; notNull: string[] }>;

async function sqliteShape(db: SqlDb): Promise<{ tables: Shape; indexes: string[] }> {
  const tables: Shape = {};
  const names = await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  for (const { name } of names) {
    const cols = await db.all<{ name: string; notnull: number; pk: number }>(`SELECT name, "notnull", pk FROM pragma_table_info(?)`, [name]);
    tables[name] = {
      columns: cols.map((c) => c.name).sort(),
      notNull: cols
        .filter((c) => c.notnull === 1 || c.pk > 0)
        .map((c) => c.name)
        .sort(),
    };
  }
  const indexes = await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name");
  return { tables, indexes: indexes.map((i) => i.name) };
}

async function postgresShape(db: SqlDb): Promise<{ tables: Shape; indexes: string[] }> {
  const tables: Shape = {};
  const cols = await db.all<{ table_name: string; column_name: string; is_nullable: string }>(
    "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, column_name",
  );
  for (const c of cols) {
    const t = (tables[c.table_name] ??= { columns: [], notNull: [] });
    t.columns.push(c.column_name);
    if (c.is_nullable === "NO") t.notNull.push(c.column_name);
  }
  // Only the indexes a migration created by name; PostgreSQL also names its primary key and UNIQUE indexes.
  const idx = await db.all<{ indexname: string }>(
    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY indexname",
  );
  return { tables, indexes: idx.map((i) => i.indexname) };
}

test("all module migrations give the same tables, columns, NOT NULLs and indexes on both back ends", async () => {
  const lite = await sqliteShape(await sqlite.open([...STORE_MIGRATIONS]));
  const post = await postgresShape(await pg.open([...STORE_MIGRATIONS]));
  expect(Object.keys(lite.tables).length).toBeGreaterThan(10);
  expect(post.tables).toEqual(lite.tables);
  expect(post.indexes).toEqual(lite.indexes);
});

test("three instances migrating one empty database at once apply each migration once", async () => {
  const server = await pg.server();
  const url = await server.createDatabase("steward_concurrent_migrate");
  const opts = { url, maxConnections: 2, connectTimeoutMs: 5_000, tls: false as const, applicationName: "steward-test" };
  const dbs = await Promise.all([1, 2, 3].map(() => openPostgresStore(opts, [...STORE_MIGRATIONS])));
  try {
    const expected = STORE_MIGRATIONS.reduce((n, s) => n + s.migrations.length, 0);
    expect(await dbs[0]!.get("SELECT COUNT(*) AS n FROM schema_migrations")).toEqual({ n: expected });
    // A fourth start finds nothing to do and leaves the data alone.
    await dbs[1]!.run("INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?)", ["k", "v", "now"]);
    const again = await openPostgresStore(opts, [...STORE_MIGRATIONS]);
    expect(await again.get("SELECT value FROM meta WHERE key = ?", ["k"])).toEqual({ value: "v" });
    await again.close();
  } finally {
    for (const db of dbs) await db.close();
  }
});

test("a store written by a newer Steward is refused with a message that says what to do", async () => {
  const server = await pg.server();
  const url = await server.createDatabase("steward_newer_schema");
  const opts = { url, maxConnections: 1, connectTimeoutMs: 5_000, tls: false as const, applicationName: "steward-test" };
  const db = await openPostgresStore(opts, [...STORE_MIGRATIONS]);
  await db.run("INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, ?, ?)", ["kv", 99, "future", "x"]);
  await db.close();
  await expect(openPostgresStore(opts, [...STORE_MIGRATIONS])).rejects.toThrow(/newer Steward \(kv schema 99.*upgrade every Steward/);
});

/** A SqlDb that counts the statements (and scripts) sent, in or out of a transaction. */
function counting(db: SqlDb): { db: SqlDb; sent: () => number } {
  let n = 0;
  const count = (x: SqlExecutor): SqlExecutor => ({
    dialect: x.dialect,
    get: (q, p) => (n++, x.get(q, p)),
    all: (q, p) => (n++, x.all(q, p)),
    run: (q, p) => (n++, x.run(q, p)),
    exec: (q) => (n++, x.exec(q)),
  });
  return { db: { ...db, ...count(db), transaction: (fn) => db.transaction((tx) => fn(count(tx))), close: () => db.close() }, sent: () => n };
}

test("an empty store is migrated in a few round trips, and a store that is up to date is checked in one query", async () => {
  const server = await pg.server();
  const url = await server.createDatabase("steward_round_trips");
  const db = createPostgresDb({ url, maxConnections: 1, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" });
  try {
    const first = counting(db);
    await migratePostgres(first.db, STORE_MIGRATIONS);
    // Connect, lock, schema_migrations, the versions, the script: 82 migrations one statement each took ~200.
    expect(first.sent()).toBeLessThanOrEqual(5);
    const expected = STORE_MIGRATIONS.reduce((n, s) => n + s.migrations.length, 0);
    expect(await db.get("SELECT COUNT(*) AS n FROM schema_migrations")).toEqual({ n: expected });
    const again = counting(db);
    await migratePostgres(again.db, STORE_MIGRATIONS);
    expect(again.sent()).toBeLessThanOrEqual(4);
  } finally {
    await db.close();
  }
});

test("an upgrade applies only the missing migrations, and a failing one is named with nothing of the upgrade kept", async () => {
  const server = await pg.server();
  const url = await server.createDatabase("steward_upgrade_fails");
  const db = createPostgresDb({ url, maxConnections: 1, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" });
  const v1: MigrationSet = { module: "probe", migrations: [{ version: 1, name: "probe table", sql: "CREATE TABLE probe (id INTEGER PRIMARY KEY, a TEXT)" }] };
  const v2 = { version: 2, name: "probe b", sql: "ALTER TABLE probe ADD COLUMN b TEXT -- a comment at the end" };
  try {
    await migratePostgres(db, [v1]);
    await db.run("INSERT INTO probe (id, a) VALUES (?, ?)", [1, "kept"]);
    const broken = { version: 3, name: "probe typo", sql: "ALTER TABLE probe ADD COLUMN c NOSUCHTYPE" };
    await expect(migratePostgres(db, [{ module: "probe", migrations: [...v1.migrations, v2, broken] }])).rejects.toThrow(
      /store migration probe #3 \(probe typo\) failed on PostgreSQL: .*nosuchtype/,
    );
    // #2 went with the failed #3: the store is as it was, at version 1, its row still there.
    expect(await db.all("SELECT version FROM schema_migrations WHERE module = 'probe'")).toEqual([{ version: 1 }]);
    expect(
      await db.all("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'probe' ORDER BY column_name"),
    ).toEqual([{ column_name: "a" }, { column_name: "id" }]);
    await migratePostgres(db, [{ module: "probe", migrations: [...v1.migrations, v2] }]);
    expect(await db.all("SELECT version, name FROM schema_migrations WHERE module = 'probe' ORDER BY version")).toEqual([
      { version: 1, name: "probe table" },
      { version: 2, name: "probe b" },
    ]);
    expect(await db.get("SELECT a, b FROM probe")).toEqual({ a: "kept", b: null });
  } finally {
    await db.close();
  }
});

test("an unreachable server is a clear error naming the config key", async () => {
  const opts = {
    url: "postgres://steward:x@127.0.0.1:1/steward",
    maxConnections: 1,
    connectTimeoutMs: 1_000,
    tls: false as const,
    applicationName: "steward-test",
  };
  await expect(openPostgresStore(opts, [...STORE_MIGRATIONS])).rejects.toThrow(/cannot connect to PostgreSQL \(store\.postgres\.url\)/);
});
