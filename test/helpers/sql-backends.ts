// Runs one module test suite against both store back ends: the embedded SQLite file and PostgreSQL (the run's
// shared server under `npm test`, else one per test file; a fresh database per `open()`).
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

/** `own`: a server of the file's own (for a file that halts it; see startPostgres). */
export function postgresBackend(options: PostgresOptions = {}): SqlBackend & { server(): Promise<PostgresService> } {
  let pg: Promise<PostgresService> | undefined;
  const opened: SqlDb[] = [];
  const server = () => (pg ??= startPostgres(options));
  return {
    name: "postgres",
    server,
    async open(sets) {
      const service = await server();
      const url = await service.createDatabase(`steward_t${process.pid}_${++dbCounter}`);
      const db = await openPostgresStore({ url, maxConnections: 4, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" }, sets);
      opened.push(db);
      return db;
    },
    async shutdown() {
      for (const db of opened.splice(0)) await db.close();
      if (pg) await (await pg).stop();
    },
  };
}

export const bothBackends = (): SqlBackend[] => [sqliteBackend(), postgresBackend()];
