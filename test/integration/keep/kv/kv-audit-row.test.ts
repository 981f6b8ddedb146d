// A REST set's audit row written in the set's own transaction, on both store back ends (the SQLite file and
// PostgreSQL, where the KV tables and the audit log share the store): the key and its row are committed together
// or not at all, a refused set writes no row of its own (the request writes the failed one), and a log kept in
// another store is not written through the KV store's transaction.
import { afterAll, afterEach, beforeEach, expect, test } from "bun:test";
import { auditMigrations, createAuditLog, type AuditEntry, type AuditLog, type RequestAuditRow } from "../../../../src/platform/audit/audit-log";
import { KvSchema } from "../../../../src/keep/kv/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { createKvStore, kvMigrations, type KvStore } from "../../../../src/keep/kv";
import type { Component } from "../../../../src/platform/core/lifecycle";
import { openStore } from "../../../../src/platform/store/database";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { bothBackends } from "../../../helpers/sql-backends";
import { createTempDir } from "../../../helpers/temp-dir";

const ACTOR = { kind: "apiKey", name: "etl" };

/** What the access guard hands a module: the request's row, and what the module told it. */
function requestRow() {
  const told = { written: 0, noted: [] as AuditEntry[] };
  const row: RequestAuditRow = {
    entry: (e) => ({
      actor: e.actor,
      action: "api.write",
      target: "POST /v4/keyvalues/etl",
      result: "ok",
      details: { status: 201, op: e.action, object: e.target, ...e.details },
    }),
    written: () => void told.written++,
  };
  return { row, told, note: (e: AuditEntry) => void told.noted.push(e) };
}

for (const backend of bothBackends()) {
  let db: SqlDb;
  let audit: AuditLog;
  let kv: KvStore & Component;

  beforeEach(async () => {
    db = await backend.open([kvMigrations, auditMigrations]);
    audit = createAuditLog(db, createManualClock(Date.parse("2026-03-01T10:00:00Z")));
    kv = createKvStore(KvSchema.parse({ maxKeysPerNamespace: 1 }), {
      db,
      clock: createManualClock(0),
      log: createSilentLogger(),
      audit,
      metrics: createMetricsRegistry(),
    });
    await kv.start();
  });
  afterEach(() => kv.stop(1000));
  afterAll(() => backend.shutdown());

  const auditRows = () => db.all<{ action: string; target: string; details: string }>("SELECT action, target, details FROM audit ORDER BY id");

  test(`${backend.name}: a set writes the request's row with the key, and says so`, async () => {
    const { row, told, note } = requestRow();
    await kv.set("etl", "last", "v1", 0, ACTOR, note, row);
    expect(told).toEqual({ written: 1, noted: [] });
    expect(await auditRows()).toEqual([
      { action: "api.write", target: "POST /v4/keyvalues/etl", details: '{"status":201,"op":"kv.set","object":"etl/last","ttl":0,"bytes":2}' },
    ]);
    expect((await kv.get("etl", "last"))?.value).toBe("v1");
  });

  test(`${backend.name}: a refused set writes no row and changes nothing; the request is told its failure`, async () => {
    await kv.set("etl", "first", "v", 0, ACTOR);
    await audit.flush();
    const { row, told, note } = requestRow();
    await expect(kv.set("etl", "second", "v", 0, ACTOR, note, row)).rejects.toThrow(/maxKeysPerNamespace/);
    expect(told.written).toBe(0);
    expect(told.noted.map((e) => [e.action, e.target, e.result])).toEqual([["kv.set", "etl/second", "failed"]]);
    expect((await auditRows()).map((r) => r.action)).toEqual(["kv.set"]);
    expect(await kv.get("etl", "second")).toBeUndefined();
  });

  test(`${backend.name}: a row the store refuses undoes the set: no key without its row`, async () => {
    if (backend.name === "sqlite") {
      await db.exec("CREATE TRIGGER refuse_rows BEFORE INSERT ON audit WHEN NEW.action = 'api.write' BEGIN SELECT RAISE(ABORT, 'audit row refused'); END");
    } else {
      await db.exec(
        "CREATE FUNCTION refuse_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit row refused'; END $$;" +
          "CREATE TRIGGER refuse_rows BEFORE INSERT ON audit FOR EACH ROW WHEN (NEW.action = 'api.write') EXECUTE FUNCTION refuse_row();",
      );
    }
    const { row, told, note } = requestRow();
    await expect(kv.set("etl", "orphan", "v", 0, ACTOR, note, row)).rejects.toThrow(/audit row refused/);
    expect(told.written).toBe(0);
    expect(await kv.get("etl", "orphan")).toBeUndefined();
    expect(await auditRows()).toEqual([]);
  });

  test(`${backend.name}: rows written with the sets count for the log's cap: retention deletes back down to it`, async () => {
    const capped = createAuditLog(db, createManualClock(Date.parse("2026-03-01T10:00:00Z")), { maxAgeMs: 86_400_000, maxEntries: 10 });
    const other = createKvStore(KvSchema.parse({}), {
      db,
      clock: createManualClock(0),
      log: createSilentLogger(),
      audit: capped,
      metrics: createMetricsRegistry(),
    });
    for (let i = 0; i < 30; i++) await other.set("etl", `k${i}`, "v", 0, ACTOR, undefined, requestRow().row);
    await capped.flush();
    // Retention ran without any entry recorded through record(): the cap plus its slack (one row here), and the
    // rows committed while its last run was on its way (the next row starts another run).
    const held = (await auditRows()).length;
    expect(held).toBeGreaterThanOrEqual(10);
    expect(held).toBeLessThan(15);
  });

  test(`${backend.name}: a log kept in another store gets the set's entry noted, not written in the KV transaction`, async () => {
    const dir = createTempDir();
    const elsewhere = openStore(dir.path, [auditMigrations]);
    try {
      const other = createKvStore(KvSchema.parse({}), {
        db,
        clock: createManualClock(0),
        log: createSilentLogger(),
        audit: createAuditLog(elsewhere.sql, createManualClock(0)),
        metrics: createMetricsRegistry(),
      });
      const { row, told, note } = requestRow();
      await other.set("etl", "k", "v", 0, ACTOR, note, row);
      expect(told.written).toBe(0);
      expect(told.noted.map((e) => [e.action, e.result])).toEqual([["kv.set", "ok"]]);
      expect(await auditRows()).toEqual([]);
    } finally {
      elsewhere.close();
      dir.remove();
    }
  });
}
