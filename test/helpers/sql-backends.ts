// Runs one module test suite against both store back ends: the embedded SQLite file and PostgreSQL (the run's
// shared server under `npm test`, else one per test file). Each `open()` on PostgreSQL is a fresh schema (on the
// shared server one createDatabase, which is a schema of the worker's database; on a server of the file's own, a
// schema of one database per backend): a CREATE DATABASE copies template1 (7 MB, through the WAL) and its DROP forces a checkpoint,
// together ~100 ms of the server's CPU, and these files opened a hundred stores a run; a schema costs a few rows.
import postgres from "postgres";
import type { MigrationSet } from "../../src/platform/store/database";
import { openStore } from "../../src/platform/store/database";
import { openPostgresStore } from "../../src/platform/store/postgres-store";
import type { SqlDb } from "../../src/platform/store/sql";
import { type PostgresOptions, startPostgres, type PostgresService } from "./services";
import { createTempDir } from "./temp-dir";

export interface SqlBackend {
  name: "sqlite" | "postgres";
  /** A fresh, empty store with these migrations applied. */
  open(sets: MigrationSet[]): Promise<SqlDb>;
  /** Closes every store it opened and stops its server. */
  shutdown(): Promise<void>;
}

export function sqliteBackend(): SqlBackend {
  const opened: Array<{ close(): void; remove(): void }> = [];
  return {
    name: "sqlite",
    async open(sets) {
      const dir = createTempDir("steward-sql-");
      const store = openStore(dir.path, sets);
      opened.push({ close: () => store.close(), remove: dir.remove });
      return store.sql;
    },
    async shutdown() {
      for (const o of opened.splice(0)) {
        o.close();
        o.remove();
      }
    },
  };
}

let dbCounter = 0;

/** The store's connections see only `schema` (and pg_catalog): its tables are made and found there. */
function inSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("search_path", schema);
  return u.toString();
}

/** `own`: a server of the file's own (for a file that halts it; see startPostgres). */
export function postgresBackend(options: PostgresOptions = {}): SqlBackend & { server(): Promise<PostgresService> } {
  let pg: Promise<PostgresService> | undefined;
  let home: Promise<{ url: string; admin: postgres.Sql }> | undefined;
  let schemas = 0;
  const opened: SqlDb[] = [];
  const server = () => (pg ??= startPostgres(options));
  /** On a server of the file's own: the backend's one database, and a connection to it that makes the schemas. */
  const database = () =>
    (home ??= (async () => {
      const url = await (await server()).createDatabase(`steward_t${process.pid}_${++dbCounter}`);
      return { url, admin: postgres(url, { max: 1, onnotice: () => {} }) };
    })());
  /** A fresh schema's URL: on the shared server createDatabase makes one (a name unique in the file). */
  const freshSchema = async (): Promise<string> => {
    const service = await server();
    if (service.databasesAreSchemas) return service.createDatabase(`store_${++dbCounter}`);
    const { url, admin } = await database();
    const schema = `store_${++schemas}`;
    await admin.unsafe(`CREATE SCHEMA ${schema}`);
    return inSchema(url, schema);
  };
  return {
    name: "postgres",
    server,
    async open(sets) {
      const db = await openPostgresStore(
        { url: await freshSchema(), maxConnections: 4, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" },
        sets,
      );
      opened.push(db);
      return db;
    },
    async shutdown() {
      for (const db of opened.splice(0)) await db.close();
      if (home) await (await home).admin.end({ timeout: 1 });
      home = undefined;
      if (pg) await (await pg).stop();
    },
  };
}

export const bothBackends = (): SqlBackend[] => [sqliteBackend(), postgresBackend()];
