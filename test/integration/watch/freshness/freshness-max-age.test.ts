// "Never older than 2 h during 07:00–18:00, Mon–Fri (Europe/Stockholm), warn at 90 min", judged by two Stewards'
// judges on one store, on both back ends (SQLite file, PostgreSQL), time on a manual clock: the warning when the data
// turns 90 min old in the hours, the breach at 2 h, one recovery when a reload lands; nothing outside the hours; and
// data from the evening before is a breach the moment the hours begin. Each event announced once for the site.
import { afterAll, describe, expect, test } from "bun:test";
import { checkinMigrations, createCheckinStore } from "../../../../src/watch/checkins/checkin-store";
import { parseConfigText } from "../../../../src/composition/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { compilePromise } from "../../../../src/watch/freshness/compile-promise";
import { createFreshnessStore, freshnessMigrations } from "../../../../src/watch/freshness/freshness-store";
import { createFreshnessService } from "../../../../src/watch/freshness/service";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const at = (s: string) => Date.parse(s);
const parse = (yaml: string) => parseConfigText(yaml, "steward.yaml", ".").config;
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";

const YAML = `freshness:
  promises:
    sales-hours:
      appNames: [Sales dashboard]
      maxAge: 2h
      warnAfter: 90m
      during: "07:00-18:00"
      days: [mon, tue, wed, thu, fri]
      timeZone: Europe/Stockholm
`;

for (const backend of backends) {
  describe(`never older than, on ${backend.name}`, () => {
    test("warning at 90 min, breach at 2 h, recovery on reload; quiet outside the hours; stale data at 07:00 is a breach at once", async () => {
      const cfg = parse(YAML).freshness!;
      const db = await backend.open([checkinMigrations, freshnessMigrations]);
      const store = createFreshnessStore(db);
      // Monday 2026-11-23, 05:00 in Stockholm (UTC+1): the hours begin at 06:00Z and end at 17:00Z.
      const clock = createManualClock(at("2026-11-23T04:00:00Z"));
      const events: Array<{ by: string; e: WatchdogEvent }> = [];
      const judgeOf = (by: string) =>
        createFreshnessService({
          promises: [compilePromise("sales-hours", cfg.promises["sales-hours"]!)],
          upstreams: [],
          feeds: new Map(),
          store,
          checkins: createCheckinStore(db),
          intervalMs: 3_600_000,
          clock,
          log: createSilentLogger(),
          metrics: createMetricsRegistry(),
          host: by,
          emit: async (e) => void events.push({ by, e }),
        });
      const alpha = judgeOf("alpha");
      const beta = judgeOf("beta");
      const reload = (iso: string) =>
        store.recordReload({ appId: SALES, appName: "Sales dashboard", stream: "Sales", tags: [], ok: true, atMs: at(iso), task: "Reload Sales dashboard" });
      const step = async (iso: string) => {
        await clock.set(at(iso));
        await alpha.judgeNow();
        await beta.judgeNow();
      };
      const seen = () => events.map((x) => `${x.e.kind}@${x.e.receivedAt}`);

      // Friday's data, 60 h old, but before the hours nothing is judged.
      await reload("2026-11-20T16:00:00Z");
      await step("2026-11-23T04:00:00Z");
      await reload("2026-11-23T05:30:00Z");
      await step("2026-11-23T06:00:00Z");
      await step("2026-11-23T06:59:00Z");
      expect(events).toEqual([]);
      await step("2026-11-23T07:00:00Z");
      await step("2026-11-23T07:10:00Z");
      expect(seen()).toEqual(["app.freshness_warning@2026-11-23T07:00:00.000Z"]);
      const warning = events[0]!.e;
      expect(warning.title).toBe("At risk: Sales dashboard will be older than 2 h at 2026-11-23T07:30:00.000Z");
      expect(warning.summary).toBe(
        'Sales dashboard is promised never older than 2 h and its data is as of 2026-11-23T05:30:00.000Z: too old at 2026-11-23T07:30:00.000Z (promise "sales-hours", never older than 2 h, 07:00–18:00 Mon, Tue, Wed, Thu, Fri (Europe/Stockholm)): no successful reload since 2026-11-23T05:30:00.000Z. When Sales dashboard will be fresh is not known yet (Steward has not seen enough cycles).',
      );
      expect(warning.condition).toEqual({ type: "freshness_warning", key: `freshness:sales-hours:${SALES}`, openedAt: "2026-11-23T07:00:00.000Z" });
      expect(warning.data).toMatchObject({ maxAgeMs: 7_200_000, deadline: "2026-11-23T07:30:00.000Z" });

      await step("2026-11-23T07:30:00Z");
      await step("2026-11-23T07:40:00Z");
      expect(seen()).toEqual(["app.freshness_warning@2026-11-23T07:00:00.000Z", "app.freshness_breached@2026-11-23T07:30:00.000Z"]);
      expect(events[1]!.e.title).toBe("Late: Sales dashboard is older than the promised 2 h");
      expect(events[1]!.e.summary).toStartWith(
        "Sales dashboard is older than the promised 2 h since 2026-11-23T07:30:00.000Z (its data is as of 2026-11-23T05:30:00.000Z)",
      );
      await reload("2026-11-23T07:45:00Z");
      await step("2026-11-23T07:46:00Z");
      await step("2026-11-23T08:00:00Z");
      expect(events.map((x) => x.e.kind)).toEqual(["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"]);
      expect(events[2]!.e.summary).toBe(
        'Sales dashboard is fresh: reloaded successfully at 2026-11-23T07:45:00.000Z by "Reload Sales dashboard", promised never older than 2 h.',
      );

      // The last reload of the day at 16:30Z (17:30 local); the hours end at 17:00Z and the night is not judged.
      await reload("2026-11-23T16:30:00Z");
      for (const iso of ["2026-11-23T16:59:00Z", "2026-11-23T18:00:00Z", "2026-11-24T02:00:00Z", "2026-11-24T05:59:00Z"]) await step(iso);
      expect(events).toHaveLength(3);
      // Tuesday 07:00 local: the data is from last evening: a breach at once, no warning first.
      await step("2026-11-24T06:00:00Z");
      await step("2026-11-24T06:05:00Z");
      expect(seen().slice(3)).toEqual(["app.freshness_breached@2026-11-24T06:00:00.000Z"]);
      expect(events[3]!.e.condition.openedAt).toBe("2026-11-24T06:00:00.000Z");
      await reload("2026-11-24T06:10:00Z");
      await step("2026-11-24T06:11:00Z");
      expect(events.map((x) => x.e.kind).slice(3)).toEqual(["app.freshness_breached", "app.freshness_recovered"]);
      // Each one announced by one judge only.
      expect(new Set(events.map((x) => x.e.id)).size).toBe(events.length);
    }, 60_000);
  });
}

test("config: exactly one of freshBy and maxAge; warnAfter shorter than maxAge; hours that end after they begin", () => {
  const bad = (p: string) => () => parse(`freshness:\n  promises:\n    p:\n      appNames: [A]\n${p}`);
  expect(bad('      freshBy: "07:00"\n      maxAge: 2h\n')).toThrow("freshness.promises.p.freshBy");
  expect(bad("      days: [mon]\n")).toThrow("give exactly one of freshBy (a deadline) or maxAge");
  expect(bad("      maxAge: 2h\n      warnAfter: 3h\n")).toThrow("freshness.promises.p.warnAfter");
  expect(bad('      maxAge: 2h\n      during: "18:00-07:00"\n')).toThrow("freshness.promises.p.during");
  expect(bad('      maxAge: 2h\n      warnAt: "06:00"\n')).toThrow("warnAt goes with freshBy");
  expect(bad('      freshBy: "07:00"\n      during: "07:00-18:00"\n')).toThrow("during goes with maxAge");
});
