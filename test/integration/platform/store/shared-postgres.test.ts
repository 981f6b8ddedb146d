// The suite's one PostgreSQL (test/helpers/shared-postgres.ts): under `npm test` startPostgres() hands a file its own
// databases on the run's server instead of a server of its own. Each database is the file's alone (named after its
// worker), stop() drops them and leaves the server to the others, and what only a server of the file's own can do
// (halt, resume, its process) is refused with the option that gives one, which durable commits get too. The creates
// and drops go through one admin connection per file, not one each.
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { startPostgres } from "../../../helpers/services";
import { ADMIN_APPLICATION_NAME, SHARED_POSTGRES_ENV, startSuitePostgres } from "../../../helpers/shared-postgres";
import { waitFor } from "../../../helpers/wait-for";

type Suite = NonNullable<Awaited<ReturnType<typeof startSuitePostgres>>>;
let suite: Suite | undefined;
const before = process.env[SHARED_POSTGRES_ENV];
const port = () => (JSON.parse(suite!.env[SHARED_POSTGRES_ENV]!) as { port: number }).port;

beforeAll(async () => {
  // A server of this file's own plays the run's, as `npm test` starts it.
  suite = await startSuitePostgres();
  if (!suite) throw new Error("PostgreSQL is not installed (sudo bash scripts/install-test-deps.sh)");
  process.env[SHARED_POSTGRES_ENV] = suite.env[SHARED_POSTGRES_ENV];
}, 60_000);

afterAll(async () => {
  if (before === undefined) delete process.env[SHARED_POSTGRES_ENV];
  else process.env[SHARED_POSTGRES_ENV] = before;
  await suite?.stop();
});

const databases = async (url: string) => {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql<Array<{ datname: string }>>`SELECT datname FROM pg_database WHERE datname LIKE 'shared_t%'`).map((r) => r.datname).sort();
  } finally {
    await sql.end({ timeout: 1 });
  }
};

test("a file's databases are on the run's server, named after its worker, apart from another handle's, and dropped by its stop()", async () => {
  const a = await startPostgres();
  const b = await startPostgres();
  expect(a.port).toBe(port());
  const urlA = await a.createDatabase("shared_t");
  expect(urlA).toEndWith(`:${port()}/shared_t_w${process.pid}`);
  const urlB = await b.createDatabase("shared_t_other");
  const sqlA = postgres(urlA, { max: 1, onnotice: () => {} });
  const sqlB = postgres(urlB, { max: 1, onnotice: () => {} });
  try {
    await sqlA`CREATE TABLE marks (id int)`;
    await sqlA`INSERT INTO marks VALUES (1)`;
    expect([...(await sqlA`SELECT id FROM marks`)]).toEqual([{ id: 1 }]);
    await expect(sqlB`SELECT id FROM marks`).rejects.toThrow(/marks/);
  } finally {
    await sqlA.end({ timeout: 1 });
    await sqlB.end({ timeout: 1 });
  }
  expect(await databases(a.url)).toEqual([`shared_t_other_w${process.pid}`, `shared_t_w${process.pid}`]);
  await a.stop();
  // The server stays for the other files: b's database is still there and answers.
  expect(await databases(b.url)).toEqual([`shared_t_other_w${process.pid}`]);
  await b.stop();
  expect(await databases(b.url)).toEqual([]);
});

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
