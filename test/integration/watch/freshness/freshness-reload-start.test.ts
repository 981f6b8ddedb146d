// Issue 88: the store keeps when an app's last successful reload started, on both back ends, whichever of QRS's app
// list (its lastReloadTime, about the end) and the run's own event comes first; a later reload QRS tells of, whose
// start Steward does not know, forgets the start of the one before (its end then counts).
import { afterAll, describe, expect, test } from "bun:test";
import { createFreshnessStore, freshnessMigrations } from "../../../../src/watch/freshness/freshness-store";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const at = (s: string) => Date.parse(s);
const SALES = { appId: "sales", appName: "Sales dashboard", tags: [] as string[] };

for (const backend of backends) {
  describe(`the last reload's start on ${backend.name}`, () => {
    test("the run's event before or after QRS's app list, then a later reload seen only in QRS", async () => {
      const db = await backend.open([freshnessMigrations]);
      const store = createFreshnessStore(db);
      const sales = async () => (await store.apps()).find((a) => a.appId === "sales")!;
      // The run's event first: start and end.
      await store.recordReload({ ...SALES, ok: true, startMs: at("2026-11-19T05:32:02Z"), atMs: at("2026-11-19T05:42:00Z"), task: "Reload Sales dashboard" });
      expect(await sales()).toMatchObject({ lastSuccessStartMs: at("2026-11-19T05:32:02Z"), lastSuccessMs: at("2026-11-19T05:42:00Z") });
      // QRS's app list tells of the same reload, its time a moment later: the start stays.
      await store.seedApp({ ...SALES, lastReloadMs: at("2026-11-19T05:42:01Z") });
      expect(await sales()).toMatchObject({ lastSuccessStartMs: at("2026-11-19T05:32:02Z"), lastSuccessMs: at("2026-11-19T05:42:01Z") });
      // A later reload only QRS told of: its start is not known.
      await store.seedApp({ ...SALES, lastReloadMs: at("2026-11-19T06:30:00Z") });
      const later = await sales();
      expect(later.lastSuccessMs).toBe(at("2026-11-19T06:30:00Z"));
      expect(later.lastSuccessStartMs).toBeUndefined();
      // Its own event, arriving after the list: it says when it started.
      await store.recordReload({ ...SALES, ok: true, startMs: at("2026-11-19T06:20:02Z"), atMs: at("2026-11-19T06:30:00Z"), task: "Reload Sales dashboard" });
      expect(await sales()).toMatchObject({ lastSuccessStartMs: at("2026-11-19T06:20:02Z"), lastSuccessTask: "Reload Sales dashboard" });
      // A failure does not touch the success's start.
      await store.recordReload({ ...SALES, ok: false, startMs: at("2026-11-19T07:00:02Z"), atMs: at("2026-11-19T07:05:00Z"), task: "Reload Sales dashboard" });
      expect((await sales()).lastSuccessStartMs).toBe(at("2026-11-19T06:20:02Z"));
    }, 120_000);
  });
}
