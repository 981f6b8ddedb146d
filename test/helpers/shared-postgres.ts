// One PostgreSQL server for a whole `npm test` run: scripts/test.ts starts it before the test files and stops it after
// them, and every file that asks startPostgres() for a server (test/helpers/services.ts) gets its "databases" on it
// instead of a server of its own. A server costs about a second of CPU and two or three of wall time to start (its
// data folder copied from the template, its processes started, a checkpoint at its stop), and some eighty test files
// started one each. Each createDatabase is a schema of the worker process's one database (workerDatabase()), its URL
// naming it in search_path, so two files running at once never share a database and a file's stores see only their
// own tables. A file that stops, restarts or kills its server (halt, resume, pid) or needs durable commits still gets
// its own: startPostgres({ own: true }) or { durableCommits: true }; those members of a shared handle throw, naming the
// option.
import { readFileSync } from "node:fs";
import postgres from "postgres";
import { findPostgresPrograms, startPrivatePostgres } from "../../src/show/demo/private-postgres";
import { freeTcpPorts } from "./free-port";
import { postgresTemplate } from "./postgres-template";

/** The environment variable that hands the server to the test processes (not STEWARD_-prefixed: Stewards read those). */
export const SHARED_POSTGRES_ENV = "SUITE_POSTGRES";
/** Three workers' files at once, each with up to three Stewards and their pools. */
const MAX_CONNECTIONS = 600;

interface SharedPostgresInfo {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The run's shared server, when `npm test` started one (none under a plain `bun test`). */
export function sharedPostgresInfo(): SharedPostgresInfo | undefined {
  const raw = process.env[SHARED_POSTGRES_ENV];
  if (!raw) return undefined;
  return JSON.parse(raw) as SharedPostgresInfo;
}

/** Starts the run's server; undefined (each file then starts its own) where PostgreSQL is not installed. */
export async function startSuitePostgres(): Promise<{ env: Record<string, string>; cpuSeconds(): number; stop(): Promise<void> } | undefined> {
  let programs: ReturnType<typeof findPostgresPrograms>;
  try {
    programs = findPostgresPrograms();
  } catch {
    return undefined;
  }
  const [port] = await freeTcpPorts(1);
  if (port === undefined) return undefined;
  const pg = await startPrivatePostgres({
    port,
    programs,
    template: await postgresTemplate(programs),
    maxConnections: MAX_CONNECTIONS,
    prefix: "steward-suite-pg-",
  });
  const info: SharedPostgresInfo = { host: pg.host, port: pg.port, user: pg.user, password: pg.password };
  return {
    env: { [SHARED_POSTGRES_ENV]: JSON.stringify(info) },
    cpuSeconds: () => processTreeCpuSeconds(pg.pid),
    stop: () => pg.stop(),
  };
}

/** The CPU seconds of a process and the children it reaped (the postmaster reaps its backends). */
function processTreeCpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1]!.split(" ");
    return [11, 12, 13, 14].reduce((s, i) => s + Number(f[i]), 0) / 100;
  } catch {
    return 0;
  }
}

const refuse = (what: string): never => {
  throw new Error(
    `${what}: this test file shares the suite's PostgreSQL server with the others; a file that stops, restarts or signals its server asks for its own: startPostgres({ own: true })`,
  );
};

/** What services.ts's PostgresService is, on the shared server (that file imports this one). */
export interface SharedPostgresService {
  host: string;
  port: number;
  url: string;
  user: string;
  password: string;
  readonly dataDir: string;
  readonly pid: number;
  output(): string;
  readonly databasesAreSchemas: boolean;
  createDatabase(name: string): Promise<string>;
  halt(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** The admin connection's application_name, which the test of this file looks for in pg_stat_activity. */
export const ADMIN_APPLICATION_NAME = "steward-test-admin";

/**
 * The worker's one database on the run's server: each createDatabase of every file this worker runs is a schema in
 * it. A CREATE DATABASE copies template1 (7 MB, through the WAL) and its DROP forces a checkpoint, ~120 ms of the
 * server's CPU, and a run made some 220; a schema costs a few catalog rows. The worker runs its files one after
 * another, so a file's first create finds only the schemas of files that have ended (dropped then); the last file's
 * go with the server at the end of the run.
 */
export function workerDatabase(): string {
  return `steward_w${process.pid}`;
}

/** Schemas PostgreSQL or every database has, which a createDatabase name must not take. */
const RESERVED = /^(public|information_schema|pg_.*)$/;

/**
 * The file's one connection to the worker's database, which makes and drops its schemas: a connection costs the
 * server 5-7 ms of CPU to start. Opened at the first create, ended once the file has no schema left and nothing is
 * under way (so it never outlives the file's last stop(), and the next create opens another).
 */
interface AdminConnection {
  sql: Promise<postgres.Sql> | undefined;
  /** This file's schemas not yet dropped, over every service of this file. */
  live: Set<string>;
  /** Creates and drops under way. */
  busy: number;
  /** The schemas of the worker's earlier files are gone (done at this file's first create). */
  swept: boolean;
}

/**
 * The running file's admin connection state. A worker that keeps one global across its files (`npm test` runs the
 * computing files so: scripts/test-lanes.ts) keeps this module too, so the state is the file's by name (Bun.main),
 * begun afresh when another file asks: the earlier file's connection ended by then (its last stop()), or ended here.
 */
let adminState: { file: string; state: AdminConnection } | undefined;
function adminOfThisFile(): AdminConnection {
  if (adminState?.file !== Bun.main) {
    void adminState?.state.sql?.then((sql) => sql.end({ timeout: 1 })).catch(() => undefined);
    adminState = { file: Bun.main, state: { sql: undefined, live: new Set(), busy: 0, swept: false } };
  }
  return adminState.state;
}

const connect = (url: string) => postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: ADMIN_APPLICATION_NAME } });

/** A connection to the worker's database, made first by the worker's first file. */
async function openWorkerDatabase(base: string): Promise<postgres.Sql> {
  const db = workerDatabase();
  const sql = connect(`${base}/${db}`);
  try {
    await sql`SELECT 1`;
    return sql;
  } catch (err) {
    await sql.end({ timeout: 1 });
    if ((err as { code?: string }).code !== "3D000") throw err;
  }
  const root = connect(`${base}/postgres`);
  try {
    await root.unsafe(`CREATE DATABASE ${db}`);
  } finally {
    await root.end({ timeout: 1 });
  }
  return connect(`${base}/${db}`);
}

/**
 * Drops a schema and everything in it. A connection that holds a lock in it (a Steward not yet stopped, a test's open
 * transaction) is ended, as DROP DATABASE … WITH (FORCE) ended every connection to a file's database.
 */
async function dropSchema(sql: postgres.Sql, schema: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sql.begin(async (tx) => {
        await tx.unsafe("SET LOCAL lock_timeout = '1s'");
        await tx.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      });
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== "55P03" || attempt === 5) throw err;
      await sql`
        SELECT pg_terminate_backend(l.pid) FROM pg_locks l
        WHERE l.pid <> pg_backend_pid() AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND (l.relation IN (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ${schema})
            OR (l.classid = 'pg_namespace'::regclass AND l.objid = (SELECT oid FROM pg_namespace WHERE nspname = ${schema})))`;
    }
  }
}

/** The file's admin connection, the worker's earlier files' schemas dropped at its first opening. */
async function openAdmin(base: string, a: AdminConnection): Promise<postgres.Sql> {
  const sql = await openWorkerDatabase(base);
  if (!a.swept) {
    a.swept = true;
    // Whatever is still connected belongs to an earlier file (a Steward it never stopped): ended, as its database's
    // DROP … WITH (FORCE) ended it, so that nothing of it takes a lock in this file's time.
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
    const stale = await sql<Array<{ name: string }>>`
      SELECT nspname AS name FROM pg_namespace WHERE nspname NOT IN ('public', 'information_schema') AND left(nspname, 3) <> 'pg_'`;
    for (const { name } of stale) await dropSchema(sql, name);
  }
  return sql;
}

async function asAdmin<T>(base: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const a = adminOfThisFile();
  a.busy++;
  const opening = (a.sql ??= openAdmin(base, a));
  opening.catch(() => {
    if (a.sql === opening) a.sql = undefined;
  });
  try {
    return await fn(await opening);
  } finally {
    a.busy--;
    if (a.busy === 0 && a.live.size === 0 && a.sql === opening) {
      a.sql = undefined;
      await (await opening.catch(() => undefined))?.end({ timeout: 1 });
    }
  }
}

/**
 * A PostgresService on the shared server: each createDatabase is a fresh schema of the worker's database, the URL
 * naming it in `search_path` (the `postgres` client sends it as a startup parameter, so every connection of a Steward
 * given the URL sees its own tables alone); stop() drops them.
 */
export function sharedPostgres(info: SharedPostgresInfo): SharedPostgresService {
  const base = `postgres://${info.user}:${info.password}@${info.host}:${info.port}`;
  const created = new Set<string>();
  const admin = <T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> => asAdmin(base, fn);
  const live = () => adminOfThisFile().live;
  return {
    host: info.host,
    port: info.port,
    url: `${base}/postgres`,
    user: info.user,
    password: info.password,
    databasesAreSchemas: true,
    get dataDir(): string {
      return refuse("dataDir");
    },
    get pid(): number {
      return refuse("pid");
    },
    output: () => "(the suite's shared PostgreSQL server: its output goes to npm test's log when it fails to start)",
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name}: use lower-case letters, digits and _`);
      if (RESERVED.test(name)) throw new Error(`database name ${name}: PostgreSQL has a schema of that name; choose another`);
      const schema = name.slice(0, 63);
      await admin(async (sql) => {
        // Fresh and empty, as a database dropped first: another create of this file may have made it.
        if (live().has(schema)) await dropSchema(sql, schema);
        await sql.unsafe(`CREATE SCHEMA ${schema}`);
        live().add(schema);
        created.add(schema);
      });
      return `${base}/${workerDatabase()}?search_path=${schema}`;
    },
    halt: async () => refuse("halt()"),
    resume: async () => refuse("resume()"),
    async stop() {
      if (created.size === 0) return;
      const schemas = [...created];
      created.clear();
      await admin(async (sql) => {
        for (const schema of schemas) {
          await dropSchema(sql, schema);
          live().delete(schema);
        }
      });
    },
  };
}
