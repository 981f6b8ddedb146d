// The private PostgreSQL the cluster tests run against: starts unprivileged, takes password logins only,
// survives halt/resume with its data, and is gone after stop.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import postgres from "postgres";
import { startPostgres, type PostgresService } from "../../../helpers/services";

let pg: PostgresService;
beforeAll(async () => {
  pg = await startPostgres({ own: true });
});
afterAll(async () => {
  await pg?.stop();
});

test("the server runs as a non-root user and refuses a wrong password", async () => {
  const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ v: string }[]>`SELECT current_setting('server_version_num') AS v`;
    expect(Number(row?.v)).toBeGreaterThanOrEqual(130000);
  } finally {
    await sql.end();
  }
  const stat = Bun.spawnSync(["ps", "-o", "uid=", "-p", String(pg.pid)]);
  const uids = Bun.spawnSync(["ps", "-o", "uid=", "--ppid", String(pg.pid)])
    .stdout.toString()
    .trim()
    .split(/\s+/);
  for (const uid of [stat.stdout.toString().trim(), ...uids].filter(Boolean)) expect(Number(uid)).not.toBe(0);

  const wrong = postgres(pg.url.replace(pg.password, "not-the-password"), { max: 1, onnotice: () => {} });
  try {
    await expect(wrong`SELECT 1`).rejects.toThrow(/password authentication failed/);
  } finally {
    await wrong.end();
  }
});

test("data written before halt is there after resume", async () => {
  const dbUrl = await pg.createDatabase("helper_check");
  let sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  await sql`CREATE TABLE t (v TEXT)`;
  await sql`INSERT INTO t VALUES ('kept')`;
  await sql.end();
  await pg.halt();
  sql = postgres(dbUrl, { max: 1, connect_timeout: 1, onnotice: () => {} });
  await expect(sql`SELECT 1`).rejects.toThrow();
  await pg.resume();
  const rows = await sql<{ v: string }[]>`SELECT v FROM t`;
  expect(rows.map((r) => r.v)).toEqual(["kept"]);
  await sql.end();
});

test("stop removes the data directory", async () => {
  const other = await startPostgres({ own: true });
  await other.stop();
  expect(existsSync(other.dataDir)).toBe(false);
});
