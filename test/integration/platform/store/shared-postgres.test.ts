// The suite's one PostgreSQL (test/helpers/shared-postgres.ts): under `npm test` startPostgres() hands a file its own
// "databases" on the run's server instead of a server of its own: each a schema of its worker's one database, named in
// the URL's search_path, so a Steward given the URL makes and finds its tables there alone. stop() drops them (ending a
// connection that still holds a lock in one) and leaves the server to the others; a file's first create drops what
// the worker's earlier files left. What only a server of the file's own can do (halt, resume, its process) is refused
// with the option that gives one, which durable commits get too. The creates and drops go through one admin
// connection per file, not one each.
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { startPostgres } from "../../../helpers/services";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { ADMIN_APPLICATION_NAME, SHARED_POSTGRES_ENV, startSuitePostgres, workerDatabase } from "../../../helpers/shared-postgres";
import { waitFor } from "../../../helpers/wait-for";

type Suite = NonNullable<Awaited<ReturnType<typeof startSuitePostgres>>>;
let suite: Suite | undefined;
const before = process.env[SHARED_POSTGRES_ENV];
let earlier: postgres.Sql | undefined;
const port = () => (JSON.parse(suite!.env[SHARED_POSTGRES_ENV]!) as { port: number }).port;

beforeAll(async () => {
  // A server of this file's own plays the run's, as `npm test` starts it.
  suite = await startSuitePostgres();
  if (!suite) throw new Error("PostgreSQL is not installed (sudo bash scripts/install-test-deps.sh)");
  process.env[SHARED_POSTGRES_ENV] = suite.env[SHARED_POSTGRES_ENV];
  // What an earlier file of this worker left: its "database" (a schema) holding a table.
  const { user, password } = JSON.parse(suite.env[SHARED_POSTGRES_ENV]!) as { user: string; password: string };
  const root = postgres(`postgres://${user}:${password}@127.0.0.1:${port()}/postgres`, { max: 1, onnotice: () => {} });
  await root.unsafe(`CREATE DATABASE ${workerDatabase()}`).finally(() => root.end({ timeout: 1 }));
  // Its connection is left open, as a Steward it never stopped would leave it.
  earlier = postgres(`postgres://${user}:${password}@127.0.0.1:${port()}/${workerDatabase()}`, {
    max: 1,
    onnotice: () => {},
    connection: { application_name: "earlier-file" },
  });
  await earlier.unsafe("CREATE SCHEMA shared_t_earlier_file; CREATE TABLE shared_t_earlier_file.marks (id int)");
}, 60_000);

afterAll(async () => {
  await earlier?.end({ timeout: 1 });
  if (before === undefined) delete process.env[SHARED_POSTGRES_ENV];
  else process.env[SHARED_POSTGRES_ENV] = before;
  await suite?.stop();
});

/** The worker database's schemas named shared_t…: the "databases" this file made. */
const databases = async (url: string) => {
  const sql = postgres(url.replace(/\/postgres$/, `/${workerDatabase()}`), { max: 1, onnotice: () => {} });
  try {
    return (await sql<Array<{ nspname: string }>>`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'shared_t%'`).map((r) => r.nspname).sort();
  } finally {
    await sql.end({ timeout: 1 });
  }
};

test("a file's databases are schemas of its worker's database on the run's server, apart from another handle's, and dropped by its stop(); the worker's earlier files' schemas and connections are gone at the first create", async () => {
  const a = await startPostgres();
  const b = await startPostgres();
  expect(a.port).toBe(port());
  expect(a.databasesAreSchemas).toBe(true);
  expect(await databases(a.url)).toEqual(["shared_t_earlier_file"]);
  const urlA = await a.createDatabase("shared_t");
  expect(urlA).toEndWith(`:${port()}/steward_w${process.pid}?search_path=shared_t`);
  expect(await databases(a.url)).toEqual(["shared_t"]);
  const watcher = postgres(a.url, { max: 1, onnotice: () => {} });
  // Ended at the create; the backend leaves pg_stat_activity a moment after it is told to.
  await waitFor(async () => (await watcher`SELECT 1 FROM pg_stat_activity WHERE application_name = 'earlier-file'`).length === 0, {
    what: "the earlier file's connection to end",
  }).finally(() => watcher.end({ timeout: 1 }));
  const urlB = await b.createDatabase("shared_t_other");
  const sqlA = postgres(urlA, { max: 1, onnotice: () => {} });
  const sqlB = postgres(urlB, { max: 1, onnotice: () => {} });
  try {
    await sqlA`CREATE TABLE marks (id int)`;
    await sqlA`INSERT INTO marks VALUES (1)`;
    expect([...(await sqlA`SELECT id FROM marks`)]).toEqual([{ id: 1 }]);
    expect([...(await sqlA`SELECT schemaname FROM pg_tables WHERE tablename = 'marks'`)]).toEqual([{ schemaname: "shared_t" }]);
    await expect(sqlB`SELECT id FROM marks`).rejects.toThrow(/marks/);
  } finally {
    await sqlA.end({ timeout: 1 });
    await sqlB.end({ timeout: 1 });
  }
  expect(await databases(a.url)).toEqual(["shared_t", "shared_t_other"]);
  await a.stop();
  // The server stays for the other files: b's database is still there and answers.
  expect(await databases(b.url)).toEqual(["shared_t_other"]);
  await b.stop();
  expect(await databases(b.url)).toEqual([]);
});

test("a create of a name the file already made is fresh and empty, and stop() ends a connection that holds a lock in its database", async () => {
  const pg = await startPostgres();
  const url = await pg.createDatabase("shared_t");
  const first = postgres(url, { max: 1, onnotice: () => {} });
  const held = postgres(url, { max: 1, onnotice: () => {} });
  let holding: Promise<unknown> | undefined;
  try {
    await first`CREATE TABLE marks (id int)`;
    expect(await pg.createDatabase("shared_t")).toBe(url);
    await expect(first`SELECT id FROM marks`).rejects.toThrow(/marks/);
    await held`CREATE TABLE marks (id int)`;
    // One simple query (no client-side transaction, which would write its ROLLBACK to the closed socket): the lock
    // is held until the backend is ended, long past the test's time limit otherwise.
    holding = held.unsafe("BEGIN; LOCK TABLE marks IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(600)").catch((err: unknown) => err);
    await waitFor(
      async () => (await first`SELECT 1 FROM pg_locks WHERE relation = 'marks'::regclass AND mode = 'AccessExclusiveLock' AND granted`).length === 1,
      {
        what: "the other connection to hold its lock",
      },
    );
    await pg.stop();
    // The server ended the backend: the client reports its connection closed.
    expect(String(await holding)).toMatch(/CONNECTION_CLOSED|terminat/);
    expect(await databases(pg.url)).toEqual([]);
  } finally {
    await first.end({ timeout: 1 });
    await held.end({ timeout: 1 });
  }
});

test("a Steward given the URL keeps its tables in its schema, and two Stewards of two databases run beside each other, each its cluster's only member", async () => {
  const a = await startPostgres();
  const urls = [await a.createDatabase("shared_t_one"), await a.createDatabase("shared_t_two")];
  const apps: TestApp[] = [];
  const sql = postgres(a.url.replace(/\/postgres$/, `/${workerDatabase()}`), { max: 1, onnotice: () => {} });
  try {
    for (const url of urls)
      apps.push(createTestApp(`store:\n  postgres: { url: "${url}", instanceName: node-a, leaseTtlMs: 2000, heartbeatIntervalMs: 300 }\n`));
    // Started at once: their migrations meet on the same advisory lock, one after the other.
    await Promise.all(apps.map((t) => t.app.start()));
    const tables = async (schema: string) => Number((await sql`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = ${schema}`)[0]!.n);
    expect(await tables("shared_t_one")).toBeGreaterThan(10);
    expect(await tables("shared_t_two")).toBe(await tables("shared_t_one"));
    expect(await tables("public")).toBe(0);
    for (const schema of ["shared_t_one", "shared_t_two"]) {
      const members = await sql.unsafe(`SELECT name FROM ${schema}.cluster_members`);
      expect(members.map((m) => m.name)).toEqual(["node-a"]);
    }
  } finally {
    for (const t of apps) await t.close();
    await sql.end({ timeout: 1 });
    await a.stop();
  }
}, 60_000);

test("a file's creates and drops share one admin connection, which ends with the file's last stop(); the next create opens another", async () => {
  const a = await startPostgres();
  const b = await startPostgres();
  const watcher = postgres(a.url, { max: 1, onnotice: () => {}, connection: { application_name: "admin-watcher" } });
  const admins = async () =>
    (await watcher<Array<{ pid: number }>>`SELECT pid FROM pg_stat_activity WHERE application_name = ${ADMIN_APPLICATION_NAME}`).map((r) => r.pid);
  try {
    await a.createDatabase("shared_t");
    const [admin, ...more] = await admins();
    expect(admin).toBeNumber();
    expect(more).toEqual([]);
    await b.createDatabase("shared_t_other");
    await a.createDatabase("shared_t_third");
    expect(await admins()).toEqual([admin!]);
    // b's database is still there: the connection stays for its drop.
    await a.stop();
    expect(await admins()).toEqual([admin!]);
    await b.stop();
    // The backend leaves pg_stat_activity as it exits, a moment after the client has closed its socket.
    await waitFor(async () => (await admins()).length === 0, { what: "the admin connection to end after the file's last stop()" });
    const c = await startPostgres();
    await c.createDatabase("shared_t");
    expect(await admins()).toHaveLength(1);
    await c.stop();
    expect(await databases(a.url)).toEqual([]);
  } finally {
    await watcher.end({ timeout: 1 });
  }
});

test("the run's server takes the connections of three workers' files at once", async () => {
  const pg = await startPostgres();
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    expect([...(await sql`SHOW max_connections`)]).toEqual([{ max_connections: "600" }]);
  } finally {
    await sql.end({ timeout: 1 });
  }
});

test("halt, resume and the server's process are refused on the shared server, naming startPostgres({ own: true })", async () => {
  const pg = await startPostgres();
  await expect(pg.halt()).rejects.toThrow("startPostgres({ own: true })");
  await expect(pg.resume()).rejects.toThrow("startPostgres({ own: true })");
  expect(() => pg.pid).toThrow("startPostgres({ own: true })");
  expect(() => pg.dataDir).toThrow("startPostgres({ own: true })");
});

test("own: true and durableCommits give a server of the file's own, which halts and resumes", async () => {
  for (const options of [{ own: true }, { durableCommits: true }]) {
    const pg = await startPostgres(options);
    try {
      expect(pg.port).not.toBe(port());
      expect(pg.pid).toBeGreaterThan(0);
      const url = await pg.createDatabase("own_db");
      expect(url).toEndWith(`:${pg.port}/own_db`);
      await pg.halt();
      await pg.resume();
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        expect([...(await sql`SELECT 1 AS one`)]).toEqual([{ one: 1 }]);
      } finally {
        await sql.end({ timeout: 1 });
      }
    } finally {
      await pg.stop();
    }
  }
}, 60_000);
