// The site-wide page budget of unconfirmed runs per sending address (issue 86, hear/intake/unconfirmed-store.ts), on
// both back ends: each spend gets a place of its own, also when spent at once; a new window starts the count afresh;
// a run QRS confirmed from the address makes it quiet (its flood's cause ends) and its budget fresh; the rows of
// addresses quiet long enough are read for their cause's end and forgotten, unless a run came meanwhile.
import { afterAll, describe, expect, test } from "bun:test";
import { intakeMigrations } from "../../../../src/hear/intake";
import { createUnconfirmedStore, unconfirmedSourceKey } from "../../../../src/hear/intake/unconfirmed-store";
import { createUnconfirmedSources } from "../../../../src/hear/intake/unconfirmed-sources";
import type { RunReport } from "../../../../src/hear/events/run-report";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends) {
  describe(`unconfirmed sources on ${backend.name}`, () => {
    test("places are the site's, one each even when spent at once; a new window counts afresh", async () => {
      const store = createUnconfirmedStore(await backend.open([intakeMigrations]));
      const key = unconfirmedSourceKey("10.0.0.5", "failed");
      const places = await Promise.all(Array.from({ length: 8 }, (_, i) => store.spend(key, 7, 1_000 + i)));
      expect([...places].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      // Another outcome and another address have budgets of their own.
      expect(await store.spend(unconfirmedSourceKey("10.0.0.5", "succeeded"), 7, 2_000)).toBe(1);
      expect(await store.spend(unconfirmedSourceKey("10.0.0.6", "failed"), 7, 2_000)).toBe(1);
      expect(await store.spend(key, 8, 3_000)).toBe(1);
      expect(await store.spend(key, 8, 3_001)).toBe(2);
    });

    test("two Stewards judging a flood at once on one store page perSource runs for the site; each past it is a summary candidate at most once", async () => {
      const shared = createUnconfirmedStore(await backend.open([intakeMigrations]));
      const steward = () => createUnconfirmedSources({ perSource: 3, windowMinutes: 10 }, { now: () => 600_000, shared });
      const both = [steward(), steward()];
      const run = (i: number): RunReport => ({ source: "udp", outcome: "failed", executionId: `e${i}`, taskId: `t${i}` });
      const verdicts = await Promise.all(Array.from({ length: 40 }, (_, i) => both[i % 2]!.judge(run(i), "10.0.0.5")));
      const count = (v: string) => verdicts.filter((x) => x.verdict === v).length;
      expect(count("page")).toBe(3);
      // Which of the two pages the summary is for the site is the claim's to say (summaryOnce).
      expect(count("summary")).toBeGreaterThanOrEqual(1);
      expect(count("summary")).toBeLessThanOrEqual(2);
      expect(count("held")).toBe(40 - 3 - count("summary"));
    });

    test("quiet rows are read and forgotten, a touched one is kept; a confirmed run makes the address quiet and fresh", async () => {
      const store = createUnconfirmedStore(await backend.open([intakeMigrations]));
      const a = unconfirmedSourceKey("10.0.0.5", "failed");
      const b = unconfirmedSourceKey("10.0.0.6", "failed");
      await store.spend(a, 1, 1_000);
      await store.spend(b, 1, 1_000);
      await store.touch(b, 5_000);
      expect(await store.quietSince(2_000, 10)).toEqual([{ key: a, address: "10.0.0.5", outcome: "failed", lastAt: 1_000 }]);
      // A run came after the row was read: it is not forgotten.
      await store.touch(a, 6_000);
      await store.forget(a, 1_000);
      expect(await store.quietSince(7_000, 10)).toHaveLength(2);
      await store.spend(b, 1, 7_000);
      await store.confirmed("10.0.0.6");
      expect((await store.quietSince(6_500, 10)).map((r) => [r.key, r.lastAt])).toEqual([
        [b, 0],
        [a, 6_000],
      ]);
      // Its budget starts afresh, in the same window.
      expect(await store.spend(b, 1, 8_000)).toBe(1);
      await store.forget(a, 6_000);
      expect(await store.quietSince(7_500, 10)).toEqual([]);
    });
  });
}
