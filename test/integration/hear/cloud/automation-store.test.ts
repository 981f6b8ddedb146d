// The store of the automations' announcements on both back ends (SQLite file, PostgreSQL): each run, disable or enable
// is claimed by exactly one of several Stewards asking at once, never again; one claimed with its event but not handed
// on (a crash in between) is found again until marked; one claimed with nothing to say is never listed; pruning keeps
// what was not handed on.
import { afterAll, describe, expect, test } from "bun:test";
import { cloudAutomationMigrations, createAutomationStore } from "../../../../src/hear/cloud/automation-store";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends) {
  describe(`automation store on ${backend.name}`, () => {
    test("claimed once among concurrent Stewards; the unannounced found again; pruning keeps them", async () => {
      const store = createAutomationStore(await backend.open([cloudAutomationMigrations]));
      const claims = await Promise.all(Array.from({ length: 4 }, (_, i) => store.claim("t1", "run:r1", "a1", 1_000 + i, `{"n":${i}}`)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.claim("t1", "run:r1", "a1", 99_000, "{}")).toBe(false);
      // The same run id in another tenant is another run.
      expect(await store.claim("t2", "run:r1", "a1", 1_000, "{}")).toBe(true);
      expect(await store.claim("t1", "run:r2", "a1", 2_000, null)).toBe(true);
      expect((await store.unannounced("t1")).map((u) => u.key)).toEqual(["run:r1"]);
      await store.prune(50_000);
      expect((await store.unannounced("t1")).map((u) => u.key)).toEqual(["run:r1"]);
      await store.markAnnounced("t1", "run:r1");
      expect(await store.unannounced("t1")).toEqual([]);
      await store.prune(50_000);
      // Pruned: a claim that old could be made again (the watch never reads runs that old: automation-watch.ts).
      expect(await store.claim("t1", "run:r2", "a1", 60_000, null)).toBe(true);
    });
  });
}
