// The PostgreSQL seam's connections as lanes (one single-connection pool each, src/platform/store/postgres-lanes.ts): never
// more connections than store.postgres.maxConnections however many callers, the connections already open reused
// first, and a statement does not wait behind an open transaction while another lane is free.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createPostgresDb } from "../../../../src/platform/store/postgres-db";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { startPostgres, type PostgresService } from "../../../helpers/services";

let pg: PostgresService;
let url: string;
let admin: SqlDb;

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("lanes");
  admin = createPostgresDb({ url, maxConnections: 1, connectTimeoutMs: 2000, tls: false, applicationName: "lanes-admin" });
});

afterAll(async () => {
  await admin?.close();
  await pg?.stop();
});

const connections = async (app: string) =>
  Number((await admin.get<{ n: number }>("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = ?", [app]))?.n);

test("200 concurrent statements use at most maxConnections connections; one caller at a time uses one", async () => {
  const db = createPostgresDb({ url, maxConnections: 4, connectTimeoutMs: 2000, tls: false, applicationName: "lanes-a" });
  try {
    for (let i = 0; i < 20; i++) expect(await db.get("SELECT ? AS i", [i])).toEqual({ i: String(i) });
    expect(await connections("lanes-a")).toBe(1);
    const rows = await Promise.all(Array.from({ length: 200 }, (_, i) => db.get<{ i: number }>("SELECT ?::int AS i, pg_sleep(0.001)", [i])));
    expect(rows.map((r) => r?.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await connections("lanes-a")).toBe(4);
  } finally {
    await db.close();
  }
});

test("a statement does not wait behind an open transaction while another connection is free", async () => {
  const db = createPostgresDb({ url, maxConnections: 2, connectTimeoutMs: 2000, tls: false, applicationName: "lanes-b" });
  try {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let inside!: () => void;
    const entered = new Promise<void>((r) => {
      inside = r;
    });
    const tx = db.transaction(async (t) => {
      await t.get("SELECT 1 AS one");
      inside();
      await held;
      return "done";
    });
    await entered;
    // Answered while the transaction still holds its connection.
    expect(await db.get("SELECT 2 AS two")).toEqual({ two: 2 });
    release();
    expect(await tx).toBe("done");
  } finally {
    await db.close();
  }
});
