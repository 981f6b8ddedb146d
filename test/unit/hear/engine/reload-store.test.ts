// The Engine reloads' store on both back ends: a reload is claimed by one caller ever (two Stewards hearing the same
// lines announce it once), what is listed, which successes count as fresh data, and the leftovers of a crash.
import { afterAll, describe, expect, test } from "bun:test";
import { createEngineReloadStore, engineReloadMigrations, type Judgement } from "../../../../src/hear/engine/reload-store";
import type { FinishedReload } from "../../../../src/hear/engine/reload-tracker";
import { bothBackends } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const run = (n: number, o: Partial<FinishedReload> = {}): FinishedReload => ({
  key: `sense2|${APP}|s${n}|2026-11-24T10:00:0${n}`,
  node: "sense2",
  appId: APP,
  sessionId: `s${n}`,
  user: "CORP\\bob",
  proxySessionId: "0",
  startMs: T0 + n * 1000 - 500,
  endMs: T0 + n * 1000,
  outcome: "failed",
  lines: ["Error: x"],
  loggers: [],
  ...o,
});
const judged = (o: Partial<Judgement> = {}): Judgement => ({
  byScheduler: false,
  alerted: true,
  confirmed: true,
  reason: "r",
  app: { name: "Sales", published: true },
  ...o,
});

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends) {
  describe(backend.name, () => {
    test("a reload is claimed once, whichever of two Stewards asks first; concurrent claims too", async () => {
      const s = createEngineReloadStore(await backend.open([engineReloadMigrations]));
      const results = await Promise.all([s.claim(run(1), "alpha", T0), s.claim(run(1), "beta", T0), s.claim(run(1), "alpha", T0)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await s.claim(run(2), "beta", T0)).toBe(true);
    });

    test("listed: judged reloads outside the Scheduler, newest first, by app and outcome; the Scheduler's are not", async () => {
      const s = createEngineReloadStore(await backend.open([engineReloadMigrations]));
      for (const n of [1, 2, 3, 4]) await s.claim(run(n, { outcome: n === 3 ? "succeeded" : "failed" }), "alpha", T0);
      await s.judged(run(1).key, judged(), undefined);
      await s.judged(run(2).key, judged({ byScheduler: true, alerted: false }), undefined);
      await s.judged(run(3).key, judged({ alerted: false }), undefined);
      // run 4 is claimed, not judged yet: not listed.
      const all = await s.list({ sinceMs: T0, limit: 10 });
      expect(all.map((r) => [r.key.split("|")[2], r.outcome, r.alerted])).toEqual([
        ["s3", "succeeded", false],
        ["s1", "failed", true],
      ]);
      expect(all[1]).toMatchObject({ appName: "Sales", published: true, user: "CORP\\bob", lines: ["Error: x"], startedMs: T0 + 500 });
      expect((await s.list({ sinceMs: T0, limit: 10, outcome: "failed" })).length).toBe(1);
      expect((await s.list({ sinceMs: T0 + 2_000, limit: 10 })).length).toBe(1);
    });

    test("fresh data: only confirmed successes outside the Scheduler, the last per app", async () => {
      const s = createEngineReloadStore(await backend.open([engineReloadMigrations]));
      const ok = (n: number, o: Partial<FinishedReload> = {}) => run(n, { outcome: "succeeded", ...o });
      for (const n of [1, 2, 3]) await s.claim(ok(n), "alpha", T0);
      await s.claim(ok(4, { appId: "5d7ae888-61cd-4539-97b2-6cf5baaa6f9d" }), "alpha", T0);
      await s.judged(ok(1).key, judged({ alerted: false }), "{}");
      await s.judged(ok(2).key, judged({ alerted: false }), "{}");
      await s.judged(ok(3).key, judged({ alerted: false, confirmed: false }), "{}");
      await s.judged(ok(4, { appId: "5d7ae888-61cd-4539-97b2-6cf5baaa6f9d" }).key, judged({ byScheduler: true }), undefined);
      expect([...(await s.lastSuccesses(T0))]).toEqual([[APP, T0 + 2_000]]);
    });

    test("leftovers: claimed not judged, judged not announced; taken over once from a Steward that is gone; pruned when done", async () => {
      const s = createEngineReloadStore(await backend.open([engineReloadMigrations]));
      await s.claim(run(1), "gone", T0);
      await s.claim(run(2), "gone", T0);
      await s.claim(run(3), "alpha", T0);
      await s.judged(run(2).key, judged(), '{"kind":"app.reload_failed"}');
      await s.judged(run(3).key, judged(), undefined);
      const pending = await s.pending(10);
      expect(pending.map((p) => [p.run.sessionId, p.claimedBy, p.judged, p.event ?? null])).toEqual([
        ["s1", "gone", false, null],
        ["s2", "gone", true, '{"kind":"app.reload_failed"}'],
      ]);
      expect(pending[0]!.run).toMatchObject({ appId: APP, user: "CORP\\bob", endMs: T0 + 1_000, lines: ["Error: x"] });
      const takes = await Promise.all([s.takeOver(run(1).key, "gone", "alpha"), s.takeOver(run(1).key, "gone", "beta")]);
      expect(takes.filter(Boolean)).toHaveLength(1);
      await s.markAnnounced(run(2).key);
      expect(await s.prune(T0 + 10_000)).toBe(2);
      expect((await s.pending(10)).map((p) => p.run.sessionId)).toEqual(["s1"]);
    });
  });
}
