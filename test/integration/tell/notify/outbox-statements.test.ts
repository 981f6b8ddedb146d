// The statements the outbox costs a send, on both store back ends (issue 89: on PostgreSQL a cluster's CPU goes
// mostly to statements, its own and the server's): a claim on PostgreSQL is one statement, not a transaction of one a
// row; with every slot taken a worker's pass does not look for the next due time again (a send's end looks); a plan
// asks which of its deliveries are written already once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import pino from "pino";
import { systemClock } from "../../../../src/platform/core/clock";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { SqlDb, SqlExecutor } from "../../../../src/platform/store/sql";
import { createNotifyMetrics } from "../../../../src/tell/notify/metrics";
import { notifyMigrations } from "../../../../src/tell/notify/migrations";
import { createOutboxStore } from "../../../../src/tell/notify/outbox-store";
import type { Notification } from "../../../../src/tell/notify/types";
import { createOutboxWorker } from "../../../../src/tell/notify/worker";
import { pendingDelivery } from "../../../helpers/pending-delivery";
import { bothBackends } from "../../../helpers/sql-backends";
import { wallLimit } from "../../../helpers/time-limit";
import { waitFor } from "../../../helpers/wait-for";

/** `db` with every statement it runs written down ("BEGIN" for a transaction), inside transactions too. */
function counting(db: SqlDb): { db: SqlDb; statements: string[] } {
  const statements: string[] = [];
  const wrap = <T extends SqlExecutor>(x: T): T =>
    new Proxy(x, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== "function") return v;
        if (prop === "get" || prop === "all" || prop === "run")
          return (sql: string, params?: never) => {
            statements.push(sql.replace(/\s+/g, " "));
            return (v as SqlExecutor["get"]).call(target, sql, params);
          };
        if (prop === "transaction")
          return (fn: (tx: SqlExecutor) => Promise<unknown>) => {
            statements.push("BEGIN");
            return (v as SqlDb["transaction"]).call(target, (tx) => fn(wrap(tx)));
          };
        return v.bind(target);
      },
    });
  return { db: wrap(db), statements };
}

const delivery = (i: number, now: number) => pendingDelivery(`ev${i}`, now, { channel: "hook" });

for (const backend of bothBackends()) {
  describe(`the outbox's statements on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());
    beforeAll(() => backend.open([notifyMigrations]), 120_000);

    test("claimed rows come oldest due first with the attempts made before the claim; on PostgreSQL in one statement", async () => {
      const db = await backend.open([notifyMigrations]);
      const c = counting(db);
      const o = createOutboxStore(c.db, { instanceId: "a" });
      const later = await o.insert(delivery(1, 3_000));
      const retried = await o.insert(delivery(2, 1_000));
      expect((await o.claimDue(1_000, 1)).map((r) => [r.id, r.attempts, r.status])).toEqual([[retried!, 0, "sending"]]);
      await o.markRetry(retried!, 2_000, "HTTP 503", 1_000);
      const first = await o.insert(delivery(3, 1_500));
      c.statements.length = 0;
      const claimed = await o.claimDue(5_000, 10);
      expect(claimed.map((r) => [r.id, r.attempts, r.status])).toEqual([
        [first!, 0, "sending"],
        [retried!, 1, "sending"],
        [later!, 0, "sending"],
      ]);
      expect(c.statements.length).toBe(backend.name === "postgres" ? 1 : 5);
      expect((await o.list({ status: ["sending"], limit: 10 })).map((r) => r.attempts).sort()).toEqual([1, 1, 2]);
      expect(await o.claimDue(5_000, 10)).toEqual([]);
    });

    test("a worker's pass with every slot taken does not look for the next due time again (a send's end looks)", {
      timeout: wallLimit(30_000),
    }, async () => {
      const db = await backend.open([notifyMigrations]);
      const c = counting(db);
      const outbox = createOutboxStore(c.db, { instanceId: "a" });
      const now = Date.now();
      for (const i of [1, 2, 3, 4, 5, 6]) await outbox.insert(delivery(i, now));
      const held: Array<() => void> = [];
      const sent: number[] = [];
      const worker = createOutboxWorker({
        outbox,
        channels: new Map([
          [
            "hook",
            {
              timeoutMs: 30_000,
              channel: { send: (n) => new Promise<void>((resolve) => held.push(() => resolve(void sent.push(n.deliveryId)))) },
            },
          ],
        ]),
        settings: { concurrency: 4, initialBackoffMs: 100, maxBackoffMs: 1_000, maxAttempts: 3, keepMs: 86_400_000 },
        clock: systemClock,
        log: pino({ level: "silent" }),
        metrics: createNotifyMetrics(createMetricsRegistry(), outbox),
        buildNotification: async (row) => ({ deliveryId: row.id }) as Notification,
      });
      c.statements.length = 0;
      await worker.start();
      await waitFor(() => held.length === 4, { what: "four sends in flight" });
      const dueLooks = () => c.statements.filter((s) => s.includes("SELECT MIN(t) AS t")).length;
      expect(dueLooks()).toBe(1);
      // One send ends: its slot is taken again by the fifth, the slots are full again, no look for the next due time.
      held.shift()!();
      await waitFor(() => held.length === 4, { what: "the fifth send in flight" });
      expect(dueLooks()).toBe(2);
      await waitFor(
        () => {
          while (held.length > 0) held.shift()!();
          return sent.length === 6;
        },
        { what: "every send delivered" },
      );
      await waitFor(async () => (await outbox.list({ status: ["delivered"], limit: 10 })).length === 6, { what: "every send recorded" });
      await worker.stop(1_000);
      // A digest whose window closed is still released by the next pass that finds work due.
      await outbox.insert({ ...delivery(7, now), key: "digest", status: "grouping", groupWindowMs: 60_000, eventIds: [] });
      await worker.start();
      await waitFor(async () => (await outbox.list({ status: ["grouping"], limit: 10 })).length === 0, { what: "the due digest closed" });
      await worker.stop(1_000);
    });

    test("a plan asks the store which of its deliveries are written already in one statement", async () => {
      const db = await backend.open([notifyMigrations]);
      const c = counting(db);
      const o = createOutboxStore(c.db, { instanceId: "a" });
      await o.insert(delivery(1, 1_000));
      c.statements.length = 0;
      expect(await o.existingKeys(["ev1|hook|", "ev2|hook|", "EV1|hook|"])).toEqual(new Set(["ev1|hook|"]));
      expect(await o.existingKeys([])).toEqual(new Set());
      expect(c.statements.length).toBe(1);
    });
  });
}
