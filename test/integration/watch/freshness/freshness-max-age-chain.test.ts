// Issue 102: a "never older than" promise reads its data's age through the app's Qlik chain, as a deadline promise does
// (max-age-feed.ts), on both stores with a manual clock. Sales dashboard is promised never older than 2 h (warn at
// 90 min, 07:00–18:00 UTC); its chain is Extract sales → Transform sales → Reload Sales dashboard, and the dashboard
// also refreshes itself every half hour. Extract fails at 08:05 and the refreshes go on reloading the same old QVDs.
// Before, every refresh counted as fresh data: no warning and no breach all morning. Now the data is as of the last
// reload that came through (07:20, the judge remembers it; the failed run at the latest): watched from 07:30, the
// warning at 09:05, the breach at 09:35 (too old at 09:30); a refresh while Extract runs again, or one that started
// before the chain's data arrived, is not fresh; the reload after the chain ran recovers it, citing the chain.
import { afterAll, describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { checkinMigrations, createCheckinStore } from "../../../../src/watch/checkins/checkin-store";
import { compilePromise } from "../../../../src/watch/freshness/compile-promise";
import { createFreshnessStore, freshnessMigrations } from "../../../../src/watch/freshness/freshness-store";
import { createFreshnessService } from "../../../../src/watch/freshness/service";
import type { TaskView } from "../../../../src/watch/watchdog/evaluate";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const at = (hhmm: string) => Date.parse(`2026-11-23T${hhmm}:00Z`);
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c12";
const SUCCESS = 7;
const FAILED = 8;
const YAML = `freshness:
  promises:
    sales-hours:
      appNames: [Sales dashboard]
      maxAge: 2h
      warnAfter: 90m
      during: "07:00-18:00"
      timeZone: UTC
`;

for (const backend of backends) {
  describe(`never older than, through the chain, on ${backend.name}`, () => {
    test("refreshes of the old QVDs after Extract failed are not fresh data: warning, breach, recovery after the chain ran", async () => {
      const cfg = parseConfigText(YAML, "steward.yaml", ".").config.freshness!;
      const db = await backend.open([checkinMigrations, freshnessMigrations]);
      const store = createFreshnessStore(db);
      const clock = createManualClock(at("06:50"));
      const extract: TaskView = { id: "extract", name: "Extract sales", watched: true };
      const tasks: TaskView[] = [
        extract,
        { id: "transform", name: "Transform sales", watched: true, after: [{ upstreamIds: ["extract"], onSuccess: true }] },
        { id: "dashboard", name: "Reload Sales dashboard", watched: true, appId: SALES, after: [{ upstreamIds: ["transform"], onSuccess: true }] },
      ];
      const events: WatchdogEvent[] = [];
      const judge = createFreshnessService({
        promises: [compilePromise("sales-hours", cfg.promises["sales-hours"]!)],
        upstreams: [],
        feeds: new Map(),
        store,
        checkins: createCheckinStore(db),
        chainTasks: () => tasks,
        intervalMs: 3_600_000,
        clock,
        log: createSilentLogger(),
        metrics: createMetricsRegistry(),
        host: "alpha",
        emit: async (e) => void events.push(e),
      });
      const ran = (id: string, endMs: number, status: number) =>
        Object.assign(tasks.find((t) => t.id === id)!, { lastRunMs: endMs, lastStatus: status, runningSinceMs: undefined });
      const reload = (from: string, to: string) =>
        store.recordReload({ appId: SALES, appName: "Sales dashboard", tags: [], ok: true, startMs: at(from), atMs: at(to), task: "Reload Sales dashboard" });
      const step = async (hhmm: string) => {
        await clock.set(at(hhmm));
        await judge.judgeNow();
      };
      const seen = () => events.map((e) => `${e.kind}@${e.receivedAt.slice(11, 16)}`);

      // 07:00 the chain runs and the dashboard reloads after it.
      ran("extract", at("07:05"), SUCCESS);
      ran("transform", at("07:15"), SUCCESS);
      await reload("07:16", "07:20");
      await step("07:30");
      // 08:05 Extract fails on a script error; the dashboard's own refreshes go on every half hour.
      ran("extract", at("08:05"), FAILED);
      for (const t of ["08:30", "09:00", "09:30", "10:00"]) {
        await reload(t, `${t.slice(0, 3)}${String(Number(t.slice(3)) + 2).padStart(2, "0")}`);
        await step(t.replace(/:(\d\d)$/, (_, m) => `:${String(Number(m) + 5).padStart(2, "0")}`));
      }
      expect(seen()).toEqual(["app.freshness_warning@09:05", "app.freshness_breached@09:35"]);
      expect(events[0]!.summary).toContain("its data is as of 2026-11-23T07:20:00.000Z at the latest: too old at 2026-11-23T09:30:00.000Z");
      expect(events[0]!.summary).toContain(
        'the run of "Extract sales" in its chain failed at 2026-11-23T08:05:00.000Z; its reload "Reload Sales dashboard" at 2026-11-23T09:02:00.000Z ran while "Extract sales" had failed: it read the old data',
      );
      expect(events[1]!.data.deadline).toBe("2026-11-23T09:30:00.000Z");

      // 10:30 Extract runs again; the refresh meanwhile still reads the old QVDs.
      tasks[0]!.runningSinceMs = at("10:30");
      await reload("10:30", "10:32");
      await step("10:35");
      // Extract and Transform succeed; a refresh that started before Transform ended read the old data too.
      ran("extract", at("10:38"), SUCCESS);
      await reload("10:40", "10:42");
      ran("transform", at("10:48"), SUCCESS);
      await step("10:49");
      expect(seen()).toHaveLength(2);
      // The dashboard's reload after the model brings the data.
      await reload("10:49", "10:53");
      await step("10:55");
      expect(seen()).toEqual(["app.freshness_warning@09:05", "app.freshness_breached@09:35", "app.freshness_recovered@10:55"]);
      expect(events[2]!.summary).toContain('reloaded successfully at 2026-11-23T10:53:00.000Z by "Reload Sales dashboard", after its chain ran');
      // Kept from then on while the chain and the refreshes run as planned.
      ran("extract", at("11:05"), SUCCESS);
      ran("transform", at("11:15"), SUCCESS);
      await reload("11:16", "11:20");
      for (const t of ["11:30", "12:00", "12:30"]) await step(t);
      expect(events).toHaveLength(3);
    }, 60_000);
  });
}
