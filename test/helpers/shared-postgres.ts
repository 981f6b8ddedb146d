// One PostgreSQL server for a whole `npm test` run: scripts/test.ts starts it before the test files and stops it after
// them, and every file that asks startPostgres() for a server (test/helpers/services.ts) gets its own databases on it
// instead of a server of its own. A server costs about a second of CPU and two or three of wall time to start (its
// data folder copied from the template, its processes started, a checkpoint at its stop), and some eighty test files
// started one each. A database is named after the worker process too, so two files running at once never share one.
// A file that stops, restarts or kills its server (halt, resume, pid) or needs durable commits still gets its own:
// startPostgres({ own: true }) or { durableCommits: true }; those members of a shared handle throw, naming the option.
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

/** Database names are at most 63 bytes; the worker's pid keeps two files running at once apart. */
function sharedName(name: string): string {
  const suffix = `_w${process.pid}`;
  return `${name.slice(0, 63 - suffix.length)}${suffix}`;
}

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
  createDatabase(name: string): Promise<string>;
  halt(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** The admin connection's application_name, which the test of this file looks for in pg_stat_activity. */
export const ADMIN_APPLICATION_NAME = "steward-test-admin";

/**
 * The file's one connection for CREATE and DROP DATABASE, shared by its services: a connection costs the server 5-7
 * ms of CPU to start, and one per create and per drop came to ~390 a run. Opened at the first create, ended once the
 * file has no database left on the server and nothing is under way (so it never outlives the file's last stop(), and
 * the next create opens another).
 */
const adminConnection = {
  sql: undefined as postgres.Sql | undefined,
  /** Databases created and not yet dropped, over every service of this file. */
  databases: 0,
  /** Creates and drops under way. */
  busy: 0,
};

async function asAdmin<T>(base: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const a = adminConnection;
  a.sql ??= postgres(`${base}/postgres`, { max: 1, onnotice: () => {}, connection: { application_name: ADMIN_APPLICATION_NAME } });
  const sql = a.sql;
  a.busy++;
  try {
    return await fn(sql);
  } finally {
    a.busy--;
    if (a.busy === 0 && a.databases === 0 && a.sql === sql) {
      a.sql = undefined;
      await sql.end({ timeout: 1 });
    }
  }
}

/** A PostgresService on the shared server: its databases are this file's, stop() drops them. */
export function sharedPostgres(info: SharedPostgresInfo): SharedPostgresService {
  const base = `postgres://${info.user}:${info.password}@${info.host}:${info.port}`;
  const created = new Set<string>();
  const admin = <T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> => asAdmin(base, fn);
  return {
    host: info.host,
    port: info.port,
    url: `${base}/postgres`,
    user: info.user,
    password: info.password,
    get dataDir(): string {
      return refuse("dataDir");
    },
    get pid(): number {
      return refuse("pid");
    },
    output: () => "(the suite's shared PostgreSQL server: its output goes to npm test's log when it fails to start)",
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name}: use lower-case letters, digits and _`);
      const db = sharedName(name);
      await admin(async (sql) => {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await sql.unsafe(`CREATE DATABASE ${db}`);
        if (!created.has(db)) adminConnection.databases++;
        created.add(db);
      });
      return `${base}/${db}`;
    },
    halt: async () => refuse("halt()"),
    resume: async () => refuse("resume()"),
    async stop() {
      if (created.size === 0) return;
      const dbs = [...created];
      created.clear();
      adminConnection.databases -= dbs.length;
      await admin(async (sql) => {
        for (const db of dbs) await sql.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      });
    },
  };
}
