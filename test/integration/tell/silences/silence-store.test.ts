// The silences' SQL on both stores: a held delivery outlives the outbox's retention while its silence lasts, two
// Stewards releasing the same held alert at once send it once, and a hold whose outbox row never came is settled.
import { afterAll, describe, expect, test } from "bun:test";
import { createOutboxStore } from "../../../../src/tell/notify/outbox-store";
import { createSilenceStore } from "../../../../src/tell/silences/silence-store";
import { STORE_MIGRATIONS } from "../../../../src/store-migrations";
import { bothBackends } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-23T10:00:00Z");
const DAY = 86_400_000;

for (const backend of bothBackends()) {
  describe(`silence store on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());

    async function setup() {
      const db = await backend.open([...STORE_MIGRATIONS]);
      const store = createSilenceStore(db);
      const outbox = createOutboxStore(db, { instanceId: "test" });
      const silence = await store.create({
        matcher: { kinds: ["*"] },
        author: "a",
        reason: "r",
        startsAt: T0,
        endsAt: T0 + 30 * DAY,
        createdAt: T0,
        createdBy: "a",
      });
      const held = async (key: string, at: number, withRow = true) => {
        await store.hold({
          deliveryKey: key,
          silenceId: silence.id,
          eventId: `e-${key}`,
          kind: "task.failed",
          title: "Sales",
          conditionKey: "task:t1",
          route: "r",
          channel: "c",
          recipient: "",
          heldAt: at,
        });
        if (withRow)
          await outbox.insert({
            key,
            eventId: `e-${key}`,
            eventIds: [`e-${key}`],
            kind: "task.failed",
            route: "r",
            channel: "c",
            recipient: "",
            target: null,
            status: "suppressed",
            reason: "silenced",
            groupId: null,
            groupWindowMs: null,
            nextAttemptAt: at,
            expiresAt: at + DAY,
            createdAt: at,
          });
      };
      return { db, store, outbox, silence, held };
    }

    test("a held delivery is kept past the outbox's retention while its silence lasts", async () => {
      const { store, outbox, held } = await setup();
      await held("k1", T0);
      const later = T0 + 20 * DAY;
      await store.keepHeld(later, later - 60_000);
      await outbox.purge(later - 14 * DAY, later);
      expect(await outbox.exists("k1")).toBe(true);
      // Without the refresh the outbox would have forgotten it: the same purge takes an unheld suppressed row.
      await outbox.insert({ ...(await outbox.get(1))!, key: "plain", eventIds: ["x"], createdAt: T0 });
      await outbox.purge(later - 14 * DAY, later);
      expect(await outbox.exists("plain")).toBe(false);
    });

    test("two Stewards releasing the same held alert at once send it once, and the older one is superseded", async () => {
      const { store, outbox, silence, held } = await setup();
      await held("old", T0);
      await held("new", T0 + 1_000);
      const end = T0 + 2_000;
      expect(await store.end(silence.id, "b", end)).toBe(true);
      const due = await store.due(end, 10);
      expect(due.map((h) => h.deliveryKey)).toEqual(["new", "old"]);
      const results = await Promise.all([store.release(due[0]!, end, end + DAY, "n"), store.release(due[0]!, end, end + DAY, "n")]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await store.release(due[1]!, end, end + DAY, "n")).toBe(false);
      const rows = await outbox.list({ limit: 10 });
      expect(Object.fromEntries(rows.map((r) => [r.key, r.status]))).toEqual({ new: "pending", old: "suppressed" });
      expect((await store.holds({ limit: 10 })).map((h) => `${h.deliveryKey} ${h.state}`).sort()).toEqual(["new sent", "old superseded"]);
    });

    test("a hold whose outbox row never came is not released and is settled after ten minutes", async () => {
      const { store, silence, held } = await setup();
      await held("ghost", T0, false);
      await store.end(silence.id, "b", T0 + 1);
      expect(await store.due(T0 + 1, 10)).toEqual([]);
      expect(await store.dropOrphans(T0 - 1, T0 + 2)).toBe(0);
      expect(await store.dropOrphans(T0 + 1, T0 + 11 * 60_000)).toBe(1);
      expect((await store.holds({ limit: 5 }))[0]?.state).toBe("passed");
    });
  });
}
