// One page of a cause per receiver at a silence's end, even with two Stewards sweeping (issue 74): a node's window held
// its service's page and a task's failure, both carrying the node's cause. Each Steward may take a different one of
// them, and both find no page of the cause yet (page_receivers is written after the release): the store's claim of
// the cause's page lets one of them be sent and settles the other superseded.
import { afterAll, describe, expect, test } from "bun:test";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { STORE_MIGRATIONS } from "../../../../src/store-migrations";
import { createFollowUps } from "../../../../src/tell/grouping/follow-ups";
import { createOutboxStore } from "../../../../src/tell/notify/outbox-store";
import { createSilenceStore, type HoldRow, type SilenceStore } from "../../../../src/tell/silences/silence-store";
import { postgresBackend, sqliteBackend } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-23T22:00:00Z");
const DAY = 86_400_000;
const CAUSE = 7;
const OPS = { channel: "ops", recipient: "ops@corp.example" };

/** A node's window from T0 with these alerts held in it (each with its suppressed outbox row); ended at `end`. */
async function window(db: SqlDb, alerts: Array<{ key: string; condition: string; at: number; recipient?: string }>, end: number) {
  const store = createSilenceStore(db);
  const outbox = createOutboxStore(db, { instanceId: "test" });
  const s = await store.create({
    matcher: { nodes: ["sense2"] },
    author: "anna",
    reason: "patches",
    startsAt: T0,
    endsAt: T0 + DAY,
    createdAt: T0,
    createdBy: "anna",
  });
  for (const a of alerts) {
    const recipient = a.recipient ?? OPS.recipient;
    const hold = { deliveryKey: a.key, silenceId: s.id, eventId: `e-${a.key}`, kind: "task.failed", title: a.key, conditionKey: a.condition };
    await store.hold({ ...hold, route: "r", channel: OPS.channel, recipient, heldAt: a.at });
    await outbox.insert({
      key: a.key,
      eventId: `e-${a.key}`,
      eventIds: [`e-${a.key}`],
      kind: "task.failed",
      route: "r",
      channel: OPS.channel,
      recipient,
      target: null,
      status: "suppressed",
      reason: "silenced",
      groupId: null,
      groupWindowMs: null,
      nextAttemptAt: a.at,
      expiresAt: a.at + DAY,
      createdAt: a.at,
    });
  }
  await store.end(s.id, "anna", end);
  return { store, outbox };
}

const byKey = (holds: HoldRow[]) => Object.fromEntries(holds.map((h) => [h.deliveryKey, h.state]));
const statuses = async (db: SqlDb) =>
  Object.fromEntries((await createOutboxStore(db, { instanceId: "test" }).list({ limit: 50 })).map((r) => [r.key, r.status]));
const release = (store: SilenceStore, h: HoldRow, now: number, cause = CAUSE) => store.release(h, now, now + DAY, "window over", cause);
const held = async (store: SilenceStore, key: string) => (await store.holds({ limit: 50 })).find((h) => h.deliveryKey === key)!;

describe("on PostgreSQL, two Stewards at once", () => {
  const backend = postgresBackend();
  const opened: SqlDb[] = [];
  afterAll(async () => {
    for (const db of opened) await db.close();
    await backend.shutdown();
  });

  test("two stores on their own connections release two held alerts of one cause for one receiver: one is sent, the other superseded", async () => {
    const url = await (await backend.server()).createDatabase("cause_page_claim");
    const open = async () => {
      const db = await openPostgresStore({ url, maxConnections: 2, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" }, [
        ...STORE_MIGRATIONS,
      ]);
      opened.push(db);
      return db;
    };
    const [a, b] = [await open(), await open()];
    const storeB = createSilenceStore(b);
    // Several rounds, each a cause of its own: the two transactions overlap in different ways from one to the next.
    for (let cause = 1; cause <= 8; cause++) {
      const end = T0 + cause * 3_600_000;
      const [service, task] = [`service-page-${cause}`, `task-a-${cause}`];
      const { store: storeA } = await window(
        a,
        [
          { key: service, condition: "service:sense2:scheduler", at: end - 120_000 },
          { key: task, condition: "incident:11", at: end - 60_000 },
        ],
        end,
      );
      // Each Steward's causePage check: no page of the cause has reached ops yet.
      for (const db of [a, b]) expect(await createFollowUps(db).receivedSince(`cause:${cause}`, OPS, T0)).toBe(false);
      const [h1, h2] = [await held(storeA, service), await held(storeB, task)];
      const results = await Promise.all([release(storeA, h1, end, cause), release(storeB, h2, end + 1, cause)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const states = byKey((await storeB.holds({ limit: 50 })).filter((h) => h.deliveryKey.endsWith(`-${cause}`)));
      const sent = results[0] ? service : task;
      const other = sent === service ? task : service;
      expect(states).toEqual({ [sent]: "sent", [other]: "superseded" });
      const rows = await statuses(b);
      expect([rows[sent], rows[other]]).toEqual(["pending", "suppressed"]);
    }
  });
});

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`on ${backend.name}, one sweep after another`, () => {
    afterAll(() => backend.shutdown());

    test("the second held alert of the cause for the same receiver is superseded and not sent", async () => {
      const db = await backend.open([...STORE_MIGRATIONS]);
      const end = T0 + 3_600_000;
      const { store } = await window(
        db,
        [
          { key: "service-page", condition: "service:sense2:scheduler", at: T0 + 60_000 },
          { key: "task-a", condition: "incident:11", at: T0 + 120_000 },
          // Another person on the same channel gets the cause's page too (the address's case does not make it another).
          { key: "task-a-anna", condition: "incident:11", at: T0 + 120_000, recipient: "anna@corp.example" },
          { key: "task-a-OPS", condition: "incident:11", at: T0 + 130_000, recipient: "OPS@corp.example" },
        ],
        end,
      );
      expect(await release(store, await held(store, "task-a"), end)).toBe(true);
      expect(await release(store, await held(store, "service-page"), end)).toBe(false);
      expect(await release(store, await held(store, "task-a-OPS"), end)).toBe(false);
      expect(await release(store, await held(store, "task-a-anna"), end)).toBe(true);
      expect(byKey(await store.holds({ limit: 10 }))).toEqual({
        "task-a": "sent",
        "service-page": "superseded",
        "task-a-OPS": "superseded",
        "task-a-anna": "sent",
      });
      expect(await statuses(db)).toEqual({ "task-a": "pending", "service-page": "suppressed", "task-a-OPS": "suppressed", "task-a-anna": "pending" });
    });

    test("a later window's hold of the same cause pages again, and the claims are forgotten with the settled holds", async () => {
      const db = await backend.open([...STORE_MIGRATIONS]);
      const first = await window(db, [{ key: "tonight", condition: "incident:11", at: T0 + 60_000 }], T0 + 3_600_000);
      expect(await release(first.store, await held(first.store, "tonight"), T0 + 3_600_000)).toBe(true);
      // The cause is still open the next night; a second window holds its page after that claim.
      const next = T0 + DAY / 2;
      const second = await window(db, [{ key: "tomorrow", condition: "incident:12", at: next + 60_000 }], next + 3_600_000);
      expect(await release(second.store, await held(second.store, "tomorrow"), next + 3_600_000)).toBe(true);
      const claims = async () => Number((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM silence_cause_pages"))?.n);
      expect(await claims()).toBe(1);
      await first.store.purge(next + 3_600_000);
      expect(await claims()).toBe(1);
      await first.store.purge(next + 3_600_001);
      expect(await claims()).toBe(0);
    });
  });
}
