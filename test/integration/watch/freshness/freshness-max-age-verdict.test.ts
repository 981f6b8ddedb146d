// Issue 102: every page reads one judgement of a "never older than" promise, on both stores with a manual clock. Sales
// dashboard is promised never older than 2 h (07:00–18:00 UTC); its chain is Extract sales → Transform sales → Reload
// Sales dashboard, and the dashboard also refreshes itself every half hour. Extract fails at 08:05 and the 08:30
// refresh reloads the same old QVDs. Before, the Freshness page (GET /v4/freshness's rows, the morning report's) gave
// its next deadline as two hours after that refresh (10:32) and its data as of 08:32, and /status said "up to date";
// now both read the judge's stored verdict: its data that of the last reload after the chain (07:20), too old at
// 09:20, at risk, held up by the failed run. Once the chain ran and the dashboard reloaded after it: fresh, citing
// that reload. A second test fails the chain night after night: the data stays as old as its last good night. A third
// counts the judge's reads of the data times: once a term (two a minute before), the same verdicts as before, and a
// Steward taking over the judging reads them from the store.
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
      expect(held.row).toMatchObject({ state: "at_risk", dataAsOf: iso("07:20"), nextDeadline: iso("09:20") });
      expect(held.row.heldBy).toContain('the run of "Extract sales" in its chain failed');
      expect(held.status).toMatchObject({ state: "at_risk", dataAsOf: iso("07:20") });
      expect(held.status.message).toBe(
        "Sales dashboard is at risk (older than promised from 09:20): a load it depends on failed and has to run again; when it will be fresh is not known yet.",
      );

      // The chain runs again and the dashboard reloads after it: fresh, its data that reload's.
      ran("extract", at("09:10"), 7);
      ran("transform", at("09:20"), 7);
      await reload("09:21", "09:25");
      const again = await look("09:30");
      expect(again.row).toMatchObject({ state: "fresh", dataAsOf: iso("09:25"), nextDeadline: iso("11:25"), heldBy: null });
      expect(again.status.message).toBe("Sales dashboard is up to date (data as of 09:25, loaded after the loads it depends on ran).");
    }, 60_000);

    test("a chain failing night after night: its refreshes never make the data younger, and the promise is late once it is too old", async () => {
      // Never older than 26 h; the chain at 01:30 and the dashboard's refresh at 07:00, every day. Before, the second
      // night's failure made the first day's refresh of the old QVDs count as new data (Steward keeps a task's last run
      // only), and each refresh after a failure counted from that failure: never late while the chain failed nightly.
      const day = (d: number, hhmm: string) => Date.parse(`2026-11-2${d}T${hhmm}:00Z`);
      const cfg = parseConfigText(YAML.replace('maxAge: 2h\n      during: "07:00-18:00"', "maxAge: 26h"), "steward.yaml", ".").config.freshness!;
      const db = await backend.open([checkinMigrations, freshnessMigrations]);
      const store = createFreshnessStore(db);
      const clock = createManualClock(day(3, "00:00"));
      const promise = compilePromise("sales-hours", cfg.promises["sales-hours"]!);
      expect(promise.maxAge?.maxAgeMs).toBe(26 * 3_600_000);
      const tasks: TaskView[] = [
        { id: "extract", name: "Extract sales", watched: true },
        { id: "dashboard", name: "Reload Sales dashboard", watched: true, appId: SALES, after: [{ upstreamIds: ["extract"], onSuccess: true }] },
      ];
      const kinds: string[] = [];
      const judge = createFreshnessService({
        promises: [promise],
        upstreams: [],
        feeds: new Map(),
        store,
        chainTasks: () => tasks,
        intervalMs: 60_000,
        clock,
        log: createSilentLogger(),
        metrics: createMetricsRegistry(),
        host: "alpha",
        emit: async (e) => void kinds.push(`${e.kind}@${e.receivedAt.slice(8, 16)}`),
      });
      const extract = (d: number, status: number) => Object.assign(tasks[0]!, { lastRunMs: day(d, "01:38"), lastStatus: status });
      const reload = (d: number, from: string, to: string) =>
        store.recordReload({
          appId: SALES,
          appName: "Sales dashboard",
          tags: [],
          ok: true,
          startMs: day(d, from),
          atMs: day(d, to),
          task: "Reload Sales dashboard",
        });
      const look = async (d: number, hhmm: string) => {
        await clock.set(day(d, hhmm));
        await judge.judgeNow();
        const verdicts = await readVerdicts(store, clock.now(), 600_000);
        const row = adminFreshnessView([promise], await store.apps(), await store.openConditions(), clock.now(), new Map(), verdicts)[0];
        return row ? `${row.state} ${row.dataAsOf?.slice(8, 16)}` : "no reload seen";
      };
      await look(3, "00:00");
      // Monday: the chain runs, the 07:00 refresh reads its data: as of 07:04.
      extract(3, 7);
      await reload(3, "01:39", "01:42");
      await look(3, "02:00");
      await reload(3, "07:00", "07:04");
      expect(await look(3, "07:10")).toBe("fresh 23T07:04");
      // Tuesday: Extract fails; the refresh reads the old QVDs. Too old at 09:04 (26 h after Monday's refresh).
      extract(4, 8);
      expect(await look(4, "01:45")).toBe("at_risk 23T07:04");
      await reload(4, "07:00", "07:04");
      expect(await look(4, "07:10")).toBe("at_risk 23T07:04");
      expect(await look(4, "09:10")).toBe("late 23T07:04");
      // Wednesday: it fails again; Tuesday's refresh is still no new data.
      extract(5, 8);
      expect(await look(5, "01:45")).toBe("late 23T07:04");
      await reload(5, "07:00", "07:04");
      expect(await look(5, "07:10")).toBe("late 23T07:04");
      expect(kinds).toEqual(["app.freshness_breached@24T09:10"]);
    }, 60_000);

    test("the data times are read from the store once a term, and a Steward taking over the judging reads them again", async () => {
      const day = (d: number, hhmm: string) => Date.parse(`2026-11-2${d}T${hhmm}:00Z`);
      const cfg = parseConfigText(YAML.replace('maxAge: 2h\n      during: "07:00-18:00"', "maxAge: 26h"), "steward.yaml", ".").config.freshness!;
      const db = await backend.open([checkinMigrations, freshnessMigrations]);
      const store = createFreshnessStore(db);
      // Every read of the stored verdicts, where the data times are kept (the pages' reads below are not counted).
      let counting = true;
      let reads = 0;
      const getMeta = store.getMeta.bind(store);
      store.getMeta = (key) => {
        if (counting && key === "verdicts") reads++;
        return getMeta(key);
      };
      const clock = createManualClock(day(3, "00:00"));
      const promise = compilePromise("sales-hours", cfg.promises["sales-hours"]!);
      const tasks: TaskView[] = [
        { id: "extract", name: "Extract sales", watched: true },
        { id: "dashboard", name: "Reload Sales dashboard", watched: true, appId: SALES, after: [{ upstreamIds: ["extract"], onSuccess: true }] },
      ];
      const judgeOn = (host: string) =>
        createFreshnessService({
          promises: [promise],
          upstreams: [],
          feeds: new Map(),
          store,
          chainTasks: () => tasks,
          intervalMs: 60_000,
          clock,
          log: createSilentLogger(),
          metrics: createMetricsRegistry(),
          host,
          emit: async () => {},
        });
      let judge = judgeOn("alpha");
      const extract = (d: number, status: number) => Object.assign(tasks[0]!, { lastRunMs: day(d, "01:38"), lastStatus: status });
      const reload = (d: number, from: string, to: string) =>
        store.recordReload({
          appId: SALES,
          appName: "Sales dashboard",
          tags: [],
          ok: true,
          startMs: day(d, from),
          atMs: day(d, to),
          task: "Reload Sales dashboard",
        });
      const look = async (d: number, hhmm: string) => {
        await clock.set(day(d, hhmm));
        await judge.judgeNow();
        counting = false;
        const verdicts = await readVerdicts(store, clock.now(), 600_000);
        counting = true;
        const row = adminFreshnessView([promise], await store.apps(), await store.openConditions(), clock.now(), new Map(), verdicts)[0];
        return row ? `${row.state} ${row.dataAsOf?.slice(8, 16)}` : "no reload seen";
      };
      await look(3, "00:00");
      extract(3, 7);
      await reload(3, "01:39", "01:42");
      await look(3, "02:00");
      await reload(3, "07:00", "07:04");
      expect(await look(3, "07:10")).toBe("fresh 23T07:04");
      extract(4, 8);
      await reload(4, "07:00", "07:04");
      expect(await look(4, "07:10")).toBe("at_risk 23T07:04");
      expect(await look(4, "09:10")).toBe("late 23T07:04");
      // Five looks, one read: the term's first (it was one a look, two a minute at the default interval of 30 s).
      expect(reads).toBe(1);

      // Another Steward takes the judging over (a new term): it reads the data time alpha's looks kept, once, and the
      // refresh of the old QVDs on Wednesday still does not make the data younger.
      judge = judgeOn("beta");
      extract(5, 8);
      await reload(5, "07:00", "07:04");
      expect(await look(5, "07:10")).toBe("late 23T07:04");
      expect(await look(5, "08:10")).toBe("late 23T07:04");
      expect(reads).toBe(2);
    }, 60_000);
  });
}
