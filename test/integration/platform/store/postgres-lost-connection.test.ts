// The PostgreSQL seam when connections die under it: a transaction whose backend is terminated mid-statement, a
// transaction callback that goes on after its connection closed, and the server stopped (fast, immediate, killed)
// under concurrent statements and transactions. The caller gets the store's error each time, and nothing reaches
// the process's uncaughtException / unhandledRejection handlers (which end a Steward without its last-resort guard).
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import type { HaltMode } from "../../../../src/show/demo/private-postgres";
import { createPostgresDb } from "../../../../src/platform/store/postgres-db";
import { isStoreUnavailable, type SqlDb } from "../../../../src/platform/store/sql";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { wallLimit } from "../../../helpers/time-limit";
import { waitFor } from "../../../helpers/wait-for";

let pg: PostgresService;
let url: string;
const escaped: string[] = [];
const onUncaught = (err: unknown) => void escaped.push(`uncaughtException: ${(err as Error)?.stack ?? String(err)}`);
const onRejection = (err: unknown) => void escaped.push(`unhandledRejection: ${(err as Error)?.stack ?? String(err)}`);
const opened: SqlDb[] = [];

beforeAll(async () => {
  pg = await startPostgres({ own: true });
  url = await pg.createDatabase("lost_connection");
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onRejection);
});

afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

afterAll(async () => {
  process.off("uncaughtException", onUncaught);
  process.off("unhandledRejection", onRejection);
  await pg?.stop();
});

function open(name: string, maxConnections = 4): SqlDb {
  const db = createPostgresDb({ url, maxConnections, connectTimeoutMs: 1000, tls: false, applicationName: name });
  opened.push(db);
  return db;
}

/** Lets the timers and callbacks of the client run; an error thrown in one of them lands in `escaped`. */
const settle = () => Bun.sleep(200);

/** Terminates the backend of the session `application_name` once it runs `query`. */
async function terminateWhenRunning(admin: SqlDb, app: string, query: string): Promise<void> {
  const row = await waitFor(
    async () =>
      (await admin.get<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = ? AND query LIKE ?", [app, `%${query}%`])) ?? undefined,
    { what: `${app} to run ${query}`, timeoutMs: 10_000 },
  );
  await admin.get("SELECT pg_terminate_backend(?::int) AS ok", [row.pid]);
}

test("a transaction whose backend is terminated mid-statement fails with the store's error; nothing escapes; the pool serves again", async () => {
  const admin = open("lost-admin");
  const db = open("lost-tx");
  await db.exec("CREATE TABLE IF NOT EXISTS items (k TEXT PRIMARY KEY, v BIGINT NOT NULL)");
  const tx = db.transaction(async (t) => {
    await t.run("INSERT INTO items (k, v) VALUES (?, ?)", ["lost", 1]);
    await t.get("SELECT pg_sleep(30) AS slept");
    return "committed";
  });
  const outcome = tx.then(
    (v) => ({ ok: v }),
    (err: unknown) => ({ unavailable: isStoreUnavailable(err) }),
  );
  await terminateWhenRunning(admin, "lost-tx", "pg_sleep(30)");
  expect(await outcome).toEqual({ unavailable: true });
  await settle();
  expect(escaped).toEqual([]);
  // The server rolled the transaction back with its connection; the pool opens a new one.
  expect(await db.get("SELECT COUNT(*) AS n FROM items WHERE k = ?", ["lost"])).toEqual({ n: 0 });
});

test("a transaction callback that goes on after its connection closed sends nothing and nothing escapes", async () => {
  const admin = open("late-admin");
  const db = open("late-tx");
  let resume!: () => void;
  const paused = new Promise<void>((r) => {
    resume = r;
  });
  let lateStatement: Promise<unknown> | undefined;
  const tx = db.transaction(async (t) => {
    await t.get("SELECT 1 AS in_tx");
    await paused;
    // The callback does not know its connection is gone: this must neither reach the closed socket nor settle.
    lateStatement = t.get("SELECT 2 AS late");
    return lateStatement;
  });
  const outcome = tx.then(
    () => "committed",
    (err: unknown) => (isStoreUnavailable(err) ? "unavailable" : String(err)),
  );
  await terminateWhenRunning(admin, "late-tx", "SELECT 1 AS in_tx");
  expect(await outcome).toBe("unavailable");
  resume();
  await settle();
  expect(lateStatement).toBeDefined();
  expect(await Promise.race([lateStatement!.then(() => "settled"), Bun.sleep(100).then(() => "pending")])).toBe("pending");
  expect(escaped).toEqual([]);
  expect(await db.get("SELECT 3 AS after")).toEqual({ after: 3 });
});

test("PostgreSQL stopped six times (fast, immediate, killed) under concurrent statements and transactions: nothing escapes, every connection serves again", {
  timeout: wallLimit(90_000),
}, async () => {
  const db = open("halts", 8);
  await db.exec("CREATE TABLE IF NOT EXISTS counters (k TEXT PRIMARY KEY, v BIGINT NOT NULL)");
  let going = true;
  let done = 0;
  let refused = 0;
  const worker = async (id: number) => {
    for (let n = 0; going; n++) {
      try {
        if (n % 2 === 0)
          await db.transaction(async (t) => {
            await t.run("INSERT INTO counters (k, v) VALUES (?, 1) ON CONFLICT (k) DO UPDATE SET v = counters.v + 1", [`w${id}`]);
            await t.get("SELECT v FROM counters WHERE k = ?", [`w${id}`]);
            await t.run("UPDATE counters SET v = v + 1 WHERE k = ?", [`w${id}`]);
          });
        else await db.get("SELECT v FROM counters WHERE k = ?", [`w${id}`]);
        done++;
      } catch (err) {
        if (!isStoreUnavailable(err)) throw err;
        refused++;
        await Bun.sleep(5);
      }
    }
  };
  const workers = Array.from({ length: 16 }, (_, i) => worker(i));
  const modes: HaltMode[] = ["fast", "immediate", "kill", "fast", "immediate", "kill"];
  try {
    for (const mode of modes) {
      const before = done;
      await waitFor(() => done >= before + 200 || undefined, { what: `statements to succeed before the ${mode} stop`, timeoutMs: wallLimit(30_000) });
      await pg.halt(mode);
      const refusedBefore = refused;
      await waitFor(() => refused > refusedBefore || undefined, { what: `statements to be refused (${mode})`, timeoutMs: wallLimit(15_000) });
      await pg.resume();
    }
    const last = done;
    await waitFor(() => done >= last + 200 || undefined, { what: "statements to succeed after the last start", timeoutMs: wallLimit(30_000) });
  } finally {
    going = false;
    await Promise.all(workers);
  }
  await settle();
  expect(escaped).toEqual([]);
  // And every connection serves again (a burst reaches each of them), not only some.
  for (let round = 0; round < 3; round++) {
    const answers = await Promise.allSettled(Array.from({ length: 50 }, () => db.get<{ one: number }>("SELECT 1 AS one")));
    expect(answers.filter((a) => a.status === "rejected").map((a) => String((a as PromiseRejectedResult).reason))).toEqual([]);
  }
});
