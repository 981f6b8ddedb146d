// Audit retention under a steady load on the SQLite file, where its statements run on the event loop (issue 69): past
// the cap it keeps the log's count instead of counting it, and deletes in chunks of at most AUDIT_DELETE_CHUNK rows with
// a turn of the event loop between two, so no statement holds the loop for the whole slack. Asked (prune(), the hourly
// run) it counts. The log stays between the cap and the cap plus its slack.
import { afterAll, expect, test } from "bun:test";
import { setImmediate } from "node:timers";
import { AUDIT_DELETE_CHUNK, auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createManualClock } from "../../../../src/platform/core/clock";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { sqliteBackend } from "../../../helpers/sql-backends";

const actor = { kind: "apiKey", name: "etl", ip: "10.0.0.5" };
const backend = sqliteBackend();
afterAll(() => backend.shutdown());

/** The store's statements as retention runs them, with the turns of the event loop seen between them. */
function recorded(db: SqlDb): { db: SqlDb; log: string[] } {
  const log: string[] = [];
  let turns = 0;
  const tick = () =>
    setImmediate(() => {
      turns++;
      if (log.length < 100_000) tick();
    });
  tick();
  const note = (sql: string, params?: readonly unknown[]) => {
    if (!/FROM audit/.test(sql) || sql.startsWith("SELECT *")) return;
    const kind = !sql.startsWith("DELETE") ? "COUNT" : sql.includes("at <") ? "old" : sql.includes("denied") ? "denied" : "oldest";
    log.push(`${turns} ${kind === "COUNT" ? kind : `DELETE ${kind} limit ${params?.at(-1)}`}`);
  };
  const wrapped: SqlDb = Object.create(db);
  wrapped.run = (sql, params) => (note(sql, params), db.run(sql, params));
  wrapped.get = (sql, params) => (note(sql, params), db.get(sql, params));
  return { db: wrapped, log };
}

test("past the cap it deletes in chunks with the event loop turning between them, and counts the log only when asked", async () => {
  const inner = await backend.open([auditMigrations]);
  const { db, log } = recorded(inner);
  const cap = 100_000;
  const audit = createAuditLog(db, createManualClock(Date.parse("2026-01-01T00:00:00Z")), { maxAgeMs: 86_400_000, maxEntries: cap });
  const held = async () => Number((await inner.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit"))?.n);
  // The first entry has retention count the log; then the cap and its slack (1,000 entries) are reached by recording.
  audit.record({ actor, action: "kv.set", target: "ns/k0", result: "ok" });
  await audit.flush();
  expect(log.filter((l) => l.endsWith("COUNT"))).toHaveLength(1);
  for (let i = 1; i <= cap + 2_600; i++) {
    audit.record({ actor, action: "kv.set", target: `ns/k${i}`, result: "ok" });
    if (i % 2_000 === 0) await audit.flush();
  }
  await audit.flush();
  // Runs at 101,000 and 102,000 entries deleted back down to the cap, without counting.
  expect(log.filter((l) => l.endsWith("COUNT"))).toHaveLength(1);
  const deletes = log.filter((l) => l.includes("DELETE"));
  expect(deletes.every((l) => Number(l.split(" limit ")[1]) <= AUDIT_DELETE_CHUNK)).toBe(true);
  // At least 2,000 rows trimmed: several chunks, every chunk in a turn of the event loop of its own.
  const oldest = deletes.filter((l) => l.includes("oldest")).map((l) => Number(l.split(" ")[0]));
  expect(oldest.length).toBeGreaterThanOrEqual(4);
  expect(new Set(oldest).size).toBe(oldest.length);
  expect(await held()).toBeGreaterThanOrEqual(cap);
  expect(await held()).toBeLessThanOrEqual(cap + 1_000);
  // Asked, it counts (and the log is kept where it is).
  await audit.prune();
  expect(log.filter((l) => l.endsWith("COUNT"))).toHaveLength(2);
  expect(await held()).toBeLessThanOrEqual(cap);
}, 120_000);
