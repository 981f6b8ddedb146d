// The Qlik Cloud store on both back ends (SQLite file, PostgreSQL): a finished reload is claimed by exactly one of
// two Stewards asking at once, never again afterwards; an event stored but not announced (a crash in between) is
// found again; reloads seen running are listed until claimed; pruning keeps what was claimed and not announced.
import { afterAll, describe, expect, test } from "bun:test";
import { cloudMigrations, createCloudStore } from "../../../../src/hear/cloud/cloud-store";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends) {
  describe(`cloud store on ${backend.name}`, () => {
    test("a finished reload is claimed once among concurrent Stewards, and never again", async () => {
      const store = createCloudStore(await backend.open([cloudMigrations]));
      const both = await Promise.all(Array.from({ length: 4 }, (_, i) => store.claim("t1", "r1", "app", "FAILED", 1_000 + i)));
      expect(both.filter(Boolean)).toHaveLength(1);
      expect(await store.claim("t1", "r1", "app", "FAILED", 99_000)).toBe(false);
      // The same reload id in another tenant is another reload.
      expect(await store.claim("t2", "r1", "app", "FAILED", 1_000)).toBe(true);
    });

    test("the polls for reloads still to announce read their own index, not every reload kept", async () => {
      const db = await backend.open([cloudMigrations]);
      const store = createCloudStore(db);
      for (let i = 0; i < 300; i++) {
        await store.claim("t1", `r${i}`, "app", "SUCCEEDED", 1_000 + i);
        await store.saveEvent("t1", `r${i}`, "{}");
        await store.markAnnounced("t1", `r${i}`);
      }
      const plan = async (sql: string) => {
        if (db.dialect === "sqlite") return JSON.stringify(await db.all(`EXPLAIN QUERY PLAN ${sql}`, ["t1"]));
        // A table this small would be scanned whatever the indexes: the plan is asked with scans priced out.
        return db.transaction(async (tx) => {
          await tx.exec("SET LOCAL enable_seqscan = off");
          return JSON.stringify(await tx.all(`EXPLAIN ${sql}`, ["t1"]));
        });
      };
      expect(
        await plan(
          "SELECT reload_id, event FROM cloud_reloads WHERE tenant = ? AND claimed_ms IS NOT NULL AND event IS NOT NULL AND announced = 0 ORDER BY claimed_ms",
        ),
      ).toContain("cloud_reloads_unannounced");
      expect(
        await plan("SELECT reload_id, app_id, status FROM cloud_reloads WHERE tenant = ? AND claimed_ms IS NOT NULL AND event IS NULL ORDER BY claimed_ms"),
      ).toContain("cloud_reloads_no_event");
      expect(await store.unannounced("t1")).toEqual([]);
      expect(await store.claimedWithoutEvent("t1", 10)).toEqual([]);
    });

    test("running reloads are listed until claimed; a stored, unannounced event is found again; prune keeps it", async () => {
      const store = createCloudStore(await backend.open([cloudMigrations]));
      await store.noteRunning("t1", "a", "app", "RELOADING", 1_000);
      await store.noteRunning("t1", "b", "app", "QUEUED", 2_000);
      expect((await store.running("t1", 10)).map((r) => r.reloadId)).toEqual(["a", "b"]);
      expect(await store.claim("t1", "a", "app", "SUCCEEDED", 3_000)).toBe(true);
      expect((await store.running("t1", 10)).map((r) => r.reloadId)).toEqual(["b"]);
      expect(await store.claimedWithoutEvent("t1", 10)).toEqual([{ reloadId: "a", appId: "app", status: "SUCCEEDED" }]);
      await store.saveEvent("t1", "a", '{"id":"e1"}');
      expect(await store.unannounced("t1")).toEqual([{ reloadId: "a", event: '{"id":"e1"}' }]);
      await store.prune(10_000);
      // Claimed and not announced stays (it is still to be announced); the running one that was never claimed goes.
      expect(await store.unannounced("t1")).toHaveLength(1);
      expect(await store.running("t1", 10)).toEqual([]);
      await store.markAnnounced("t1", "a");
      expect(await store.unannounced("t1")).toEqual([]);
      await store.setMeta("t1:since", "42");
      expect(await store.getMeta("t1:since")).toBe("42");
    });
  });
}
