// Issue 102: every page reads one judgement of a "never older than" promise, on both stores with a manual clock. Sales
// dashboard is promised never older than 2 h (07:00–18:00 UTC); its chain is Extract sales → Transform sales → Reload
// Sales dashboard, and the dashboard also refreshes itself every half hour. Extract fails at 08:05 and the 08:30
// refresh reloads the same old QVDs. Before, the Freshness page (GET /v4/freshness's rows, the morning report's) gave
// its next deadline as two hours after that refresh (10:32) and its data as of 08:32, and /status said "up to date";
// now both read the judge's stored verdict: its data no newer than the failed run, too old at 10:05, at risk, held up
// by the failed run. Once the chain ran and the dashboard reloaded after it: fresh, citing that reload.
import { afterAll, describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { readStatuses } from "../../../../src/show/status/app-status";
import { adminFreshnessView } from "../../../../src/watch/freshness/admin-view";
import { checkinMigrations, createCheckinStore } from "../../../../src/watch/checkins/checkin-store";
import { compilePromise } from "../../../../src/watch/freshness/compile-promise";
import { createFreshnessStore, freshnessMigrations } from "../../../../src/watch/freshness/freshness-store";
import { createFreshnessService } from "../../../../src/watch/freshness/service";
import { readVerdicts } from "../../../../src/watch/freshness/verdicts";
import type { TaskView } from "../../../../src/watch/watchdog/evaluate";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const at = (hhmm: string) => Date.parse(`2026-11-23T${hhmm}:00Z`);
const iso = (hhmm: string) => new Date(at(hhmm)).toISOString();
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c12";
const YAML = `freshness:
  promises:
    sales-hours:
      appNames: [Sales dashboard]
      maxAge: 2h
      during: "07:00-18:00"
      timeZone: UTC
`;

for (const backend of backends) {
  describe(`a never-older-than promise's verdict on ${backend.name}`, () => {
    test("the Freshness page's next deadline and data time, and /status, count through the chain", async () => {
      const cfg = parseConfigText(YAML, "steward.yaml", ".").config.freshness!;
      const db = await backend.open([checkinMigrations, freshnessMigrations]);
      const store = createFreshnessStore(db);
      const clock = createManualClock(at("06:50"));
      const promise = compilePromise("sales-hours", cfg.promises["sales-hours"]!);
      const tasks: TaskView[] = [
        { id: "extract", name: "Extract sales", watched: true },
        { id: "transform", name: "Transform sales", watched: true, after: [{ upstreamIds: ["extract"], onSuccess: true }] },
        { id: "dashboard", name: "Reload Sales dashboard", watched: true, appId: SALES, after: [{ upstreamIds: ["transform"], onSuccess: true }] },
      ];
      const judge = createFreshnessService({
        promises: [promise],
        upstreams: [],
        feeds: new Map(),
        store,
        checkins: createCheckinStore(db),
        chainTasks: () => tasks,
        intervalMs: 60_000,
        clock,
        log: createSilentLogger(),
        metrics: createMetricsRegistry(),
        host: "alpha",
        emit: async () => {},
      });
      const ran = (id: string, endMs: number, status: number) =>
        Object.assign(tasks.find((t) => t.id === id)!, { lastRunMs: endMs, lastStatus: status, runningSinceMs: undefined });
      const reload = (from: string, to: string) =>
        store.recordReload({ appId: SALES, appName: "Sales dashboard", tags: [], ok: true, startMs: at(from), atMs: at(to), task: "Reload Sales dashboard" });
      // What the Freshness page and /status read, as the routes read it: the stored verdicts of the judge's last look.
      const look = async (hhmm: string) => {
        await clock.set(at(hhmm));
        await judge.judgeNow();
        const now = clock.now();
        const [apps, open, verdicts] = await Promise.all([store.apps(), store.openConditions(), readVerdicts(store, now, 600_000)]);
        const row = adminFreshnessView([promise], apps, open, now, new Map(), verdicts)[0]!;
        const [status] = await readStatuses({
          store,
          promisesOf: () => ["sales-hours"],
          projections: new Map(),
          verdicts,
          nowMs: now,
          formatTime: (ms) => new Date(ms).toISOString().slice(11, 16),
        });
        return { row, status: status! };
      };

      // The judge watches from 06:50 (data older than its watch would count from then).
      await look("06:50");
      ran("extract", at("07:05"), 7);
      ran("transform", at("07:15"), 7);
      await reload("07:16", "07:20");
      const kept = await look("07:30");
      expect(kept.row).toMatchObject({ state: "fresh", dataAsOf: iso("07:20"), nextDeadline: iso("09:20") });
      expect(kept.status.message).toBe("Sales dashboard is up to date (data as of 07:20, loaded after the loads it depends on ran).");

      // Extract fails at 08:05; the 08:30 refresh reads the same old QVDs.
      ran("extract", at("08:05"), 8);
      await reload("08:30", "08:32");
      const held = await look("08:35");
      expect(held.row).toMatchObject({ state: "at_risk", dataAsOf: iso("08:05"), nextDeadline: iso("10:05") });
      expect(held.row.heldBy).toContain('the run of "Extract sales" in its chain failed');
      expect(held.status).toMatchObject({ state: "at_risk", dataAsOf: iso("08:05") });
      expect(held.status.message).toBe(
        "Sales dashboard is at risk (older than promised from 10:05): a load it depends on failed and has to run again; when it will be fresh is not known yet.",
      );

      // The chain runs again and the dashboard reloads after it: fresh, its data that reload's.
      ran("extract", at("09:10"), 7);
      ran("transform", at("09:20"), 7);
      await reload("09:21", "09:25");
      const again = await look("09:30");
      expect(again.row).toMatchObject({ state: "fresh", dataAsOf: iso("09:25"), nextDeadline: iso("11:25"), heldBy: null });
      expect(again.status.message).toBe("Sales dashboard is up to date (data as of 09:25, loaded after the loads it depends on ran).");
    }, 60_000);
  });
}
