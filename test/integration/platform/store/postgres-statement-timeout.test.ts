// The PostgreSQL seam's time limit (store.postgres.statementTimeoutMs): a statement the server takes too long over is
// cancelled by the server and the connection serves on; a transaction cut off by a silent network cut fails with
// STORE_TIMEOUT within the limit, and the server ends it, so its row locks do not block the other Stewards until
// the cut heals; nothing escapes to the process's last-resort handlers.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createPostgresDb } from "../../../../src/platform/store/postgres-db";
import { isStoreUnavailable, mayHaveBeenApplied, type SqlDb } from "../../../../src/platform/store/sql";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { startTcpProxy, type TcpProxy } from "../../../helpers/tcp-proxy";
import { wallLimit } from "../../../helpers/time-limit";

const LIMIT_MS = 1_000;
let pg: PostgresService;
let proxy: TcpProxy;
let url: string;
const opened: SqlDb[] = [];
const escaped: string[] = [];
const onEscape = (err: unknown) => void escaped.push(String((err as Error)?.stack ?? err));

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("statement_timeout");
  proxy = await startTcpProxy({ host: pg.host, port: pg.port });
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
}, wallLimit(60_000));

afterAll(async () => {
  proxy?.cut(false);
  for (const db of opened) await db.close();
  process.off("uncaughtException", onEscape);
  process.off("unhandledRejection", onEscape);
  await proxy?.close();
  await pg?.stop();
});

function open(name: string, via: "direct" | "proxy", statementTimeoutMs = LIMIT_MS): SqlDb {
  const target = via === "proxy" ? url.replace(`:${pg.port}/`, `:${proxy.port}/`) : url;
  const db = createPostgresDb({ url: target, maxConnections: 2, connectTimeoutMs: 1000, statementTimeoutMs, tls: false, applicationName: name });
  opened.push(db);
  return db;
}

test("a statement over the limit is cancelled by the server; its connection serves the next one", { timeout: wallLimit(30_000) }, async () => {
  const db = open("slow", "direct");
  const started = performance.now();
  const err = await db.get("SELECT pg_sleep(5) AS x").then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((err as { code?: string }).code).toBe("57014");
  expect(isStoreUnavailable(err)).toBe(true);
  // Cancelled by the server: rolled back, so not applied.
  expect(mayHaveBeenApplied(err)).toBe(false);
  expect(performance.now() - started).toBeLessThan(4_000);
  expect(await db.get("SELECT 1 AS one")).toEqual({ one: 1 });
});

test("a transaction of quick statements may last longer than the limit: the limit bounds a silence", { timeout: wallLimit(30_000) }, async () => {
  const db = open("long", "proxy");
  const started = performance.now();
  const n = await db.transaction(async (tx) => {
    let sum = 0;
    for (let i = 0; i < 10; i++) {
      sum += Number((await tx.get<{ one: number }>("SELECT 1 AS one"))?.one);
      await Bun.sleep(LIMIT_MS / 2);
    }
    return sum;
  });
  expect(n).toBe(10);
  // Longer than the limit and Steward's grace together, yet answered.
  expect(performance.now() - started).toBeGreaterThan(LIMIT_MS + 2_000);
});

test("a transaction cut off by a silent network cut fails within the limit and does not keep its row locks", { timeout: wallLimit(60_000) }, async () => {
  // Its own limit well past the cut one's: it waits for the lock rather than give up first.
  const direct = open("direct", "direct", 30_000);
  await direct.exec("CREATE TABLE cut_rows (id INTEGER PRIMARY KEY, v INTEGER NOT NULL); INSERT INTO cut_rows VALUES (1, 0)");
  const cut = open("cut", "proxy");
  let locked!: () => void;
  const rowLocked = new Promise<void>((r) => (locked = r));
  const started = { at: 0 };
  const tx = cut.transaction(async (t) => {
    await t.run("UPDATE cut_rows SET v = 1 WHERE id = 1");
    proxy.cut(true);
    started.at = performance.now();
    locked();
    await t.get("SELECT v FROM cut_rows WHERE id = 1");
  });
  const txErr = tx.then(
    () => undefined,
    (e: unknown) => e,
  );
  await rowLocked;
  // Another Steward's write of the same row: blocked by the lock until the server ends the silent transaction.
  const other = performance.now();
  await direct.run("UPDATE cut_rows SET v = 2 WHERE id = 1");
  const blockedMs = performance.now() - other;
  console.log(`the other write waited ${Math.round(blockedMs)} ms for the cut transaction's lock`);
  expect(blockedMs).toBeLessThan(LIMIT_MS + 4_000);
  const err = await txErr;
  expect((err as { code?: string }).code).toBe("STORE_TIMEOUT");
  expect(mayHaveBeenApplied(err)).toBe(true);
  expect(performance.now() - started.at).toBeLessThan(LIMIT_MS + 2_000 + 3_000);
  proxy.cut(false);
  // The seam opens a new connection through the healed network; the cut transaction was rolled back.
  expect(await cut.get("SELECT v FROM cut_rows WHERE id = 1")).toEqual({ v: 2 });
  await Bun.sleep(200);
  expect(escaped).toEqual([]);
});

test("a connection opened during a silent cut gives up on its own, and the next one after the cut serves", { timeout: wallLimit(60_000) }, async () => {
  // No connection exists yet: the first statement must connect through a network that accepts the TCP connection
  // (the proxy does) and then never answers PostgreSQL's start-up. The cut is not healed until the call has failed,
  // so without a connection time limit this test hangs until its own timeout.
  const db = open("connect-cut", "proxy");
  proxy.cut(true);
  let err: unknown;
  try {
    err = await db.get("SELECT 1 AS one").then(
      () => undefined,
      (e: unknown) => e,
    );
  } finally {
    proxy.cut(false);
  }
  expect(err).toBeDefined();
  expect(isStoreUnavailable(err)).toBe(true);
  expect(await db.get("SELECT 1 AS one")).toEqual({ one: 1 });
  await Bun.sleep(200);
  expect(escaped).toEqual([]);
});
