// Issue 102: a promise's warning joins the cause that opens later and explains it (earlier-alerts.ts). Two causes that
// explain the same app and open at once, on two Stewards sharing one PostgreSQL (a queue backed up on one node, a
// failed run upstream seen by the other), both looked for a cause already holding the warning, found none, and both
// took it in: two pages naming it, and its breach and recovery counted by both. The join is now one claim in the store:
// the warning belongs to exactly one cause. On SQLite (one Steward) two causes of the same Steward race the same way.
import { afterAll, describe, expect, test } from "bun:test";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { createEarlierAlerts, type EarlierAlert } from "../../../../src/tell/grouping/earlier-alerts";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { sqliteBackend } from "../../../helpers/sql-backends";

const SALES = "5a1e5a1e-0000-4000-8000-000000000001";
const ROUNDS = 12;
const NOW = Date.parse("2026-03-03T02:15:00Z");

/** Round i: two causes listing Sales (a backlog and a failed head), opened before the warning of promise i is read. */
async function openCauses(a: ReturnType<typeof createCauseStore>, b: ReturnType<typeof createCauseStore>, i: number) {
  const queue = await a.attach(
    { key: `queue:Reload01:${i}`, title: "Reload queue backed up on Reload01" },
    { subject: `queue:Reload01:${i}`, kind: "scheduler.queue_backlog", eventId: `backlog-${i}`, appId: SALES, appName: "Sales" },
    NOW,
  );
  const head = await b.attach(
    { key: `upstream:head:${i}`, title: "Head failed" },
    { subject: `task:head:${i}`, kind: "task.failed", eventId: `failed-${i}`, taskId: `head-${i}`, taskName: "Head", appId: SALES, appName: "Sales" },
    NOW,
  );
  return [queue.parentId, head.parentId] as const;
}

const warningOf = (i: number): EarlierAlert => ({
  subject: `watch:freshness:sales-${i}:${SALES}`,
  kind: "app.freshness_warning",
  eventId: `warning-${i}`,
  appId: SALES,
  appName: "Sales",
});

/** Both Stewards' causes take in the open warnings at once; each round's warning must end under exactly one of them. */
async function race(dbA: SqlDb, dbB: SqlDb) {
  const a = createCauseStore(dbA);
  const b = createCauseStore(dbB);
  for (let i = 0; i < ROUNDS; i++) {
    const [queue, head] = await openCauses(a, b, i);
    const open = async () => [warningOf(i)];
    const joined = await Promise.all([createEarlierAlerts(a, open).adopt(queue, NOW), createEarlierAlerts(b, open).adopt(head, NOW)]);
    const holders = [];
    for (const parent of [queue, head])
      if ((await a.symptoms(parent)).some((s) => s.subject === warningOf(i).subject && s.state === "open")) holders.push(parent);
    expect({ round: i, holders: holders.length, joined: joined[0] + joined[1] }).toEqual({ round: i, holders: 1, joined: 1 });
  }
}

describe("a promise's warning joins one cause", () => {
  let pg: PostgresService | undefined;
  const sqlite = sqliteBackend();
  afterAll(async () => {
    await sqlite.shutdown();
    await pg?.stop();
  });

  test("two Stewards on one PostgreSQL open two causes explaining it at once: the warning belongs to exactly one", async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase(`steward_earlier_race_${process.pid}`);
    const open = () =>
      openPostgresStore({ url, maxConnections: 4, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" }, [groupingMigrations]);
    const alpha = await open();
    const beta = await open();
    try {
      await race(alpha, beta);
    } finally {
      await alpha.close();
      await beta.close();
    }
  }, 120_000);

  test("one Steward on SQLite: two causes opening at once take the warning in once", async () => {
    const db = await sqlite.open([groupingMigrations]);
    await race(db, db);
  }, 60_000);
});
