// The Qlik Cloud store on both back ends (SQLite file, PostgreSQL): a final reload is claimed by one of two
// Stewards asking at once, an announced one never again, the claim of a Steward that died is taken over after
// its lease, a given-up claim can be taken again, and the watermark is per tenant.
import { afterAll, describe, expect, test } from "bun:test";
import { cloudMigrations, createCloudStore } from "../../../src/cloud";
import { bothBackends } from "../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const LEASE = 60_000;

for (const backend of backends) {
  describe(`cloud store on ${backend.name}`, () => {
    test("claims: once among two, never after done, taken over after the lease, again after unclaim", async () => {
      const store = createCloudStore(await backend.open([cloudMigrations]));
      const both = await Promise.all([store.claim("t1", "r1", "FAILED", 1_000, LEASE, "a"), store.claim("t1", "r1", "FAILED", 1_001, LEASE, "b")]);
      expect(both.filter(Boolean)).toHaveLength(1);
      // The same reload id in another tenant is another reload.
      expect(await store.claim("t2", "r1", "FAILED", 1_000, LEASE, "a")).toBe(true);
      await store.markDone("t1", "r1", 2_000);
      expect(await store.isDone("t1", "r1")).toBe(true);
      expect(await store.claim("t1", "r1", "FAILED", 10 * LEASE, LEASE, "b")).toBe(false);
      // t2/r1's claimer died: within the lease nobody takes it, after it one does.
      expect(await store.claim("t2", "r1", "FAILED", 1_000 + LEASE - 1, LEASE, "b")).toBe(false);
      expect(await store.claim("t2", "r1", "FAILED", 1_000 + LEASE, LEASE, "b")).toBe(true);
      await store.unclaim("t2", "r1");
      expect(await store.claim("t2", "r1", "FAILED", 1_000 + LEASE + 1, LEASE, "a")).toBe(true);
      // unclaim never removes an announced reload.
      await store.unclaim("t1", "r1");
      expect(await store.isDone("t1", "r1")).toBe(true);
      expect(await store.prune(3_000)).toBe(1);
      expect(await store.count("t1")).toBe(0);
    });

    test("the watermark is per tenant and can be moved on", async () => {
      const store = createCloudStore(await backend.open([cloudMigrations]));
      expect(await store.watermark("t1")).toBeUndefined();
      await store.setWatermark("t1", 1_700_000_000_000, 1);
      await store.setWatermark("t2", 5, 1);
      await store.setWatermark("t1", 1_700_000_000_500, 2);
      expect(await store.watermark("t1")).toBe(1_700_000_000_500);
      expect(await store.watermark("t2")).toBe(5);
    });
  });
}
