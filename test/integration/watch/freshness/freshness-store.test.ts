// The freshness promise "Sales fresh by 07:00 on weekdays, warn at 06:30" whose chain starts with a check-in due at
// 05:00, judged on both back ends (SQLite file, PostgreSQL) with time on a manual clock: the check-in not arriving
// gives one warning at 06:30 naming the missing job and the other apps it feeds, one breach at 07:00, and one
// recovery when the chain completes (the job checks in, the reload succeeds), announced once by two judges.
import { afterAll, describe, expect, test } from "bun:test";
import { checkinMigrations, createCheckinStore } from "../../../../src/watch/checkins/checkin-store";
import { compileSchedule } from "../../../../src/watch/checkins/schedule";
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
const SALES = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const SLOW = 60_000;

for (const backend of backends) {
  describe(`freshness on ${backend.name}`, () => {
    test(
      "missing check-in: one warning as soon as the breach is certain (06:29 local, before warnAt 06:30) naming the job and what it feeds, one breach at 07:00, one recovery when the chain completes",
      async () => {
        const db = await backend.open([checkinMigrations, freshnessMigrations]);
        const store = createFreshnessStore(db);
        const checkins = createCheckinStore(db);
        // Monday 2026-11-23, 04:50 in Stockholm (UTC+1).
        const clock = createManualClock(at("2026-11-23T03:50:00Z"));
        const erp = compileSchedule({ cron: "0 5 * * 1-5", timeZone: "Europe/Stockholm" });
        if (!erp.ok) throw new Error(erp.error);
        const events: Array<{ by: string; e: WatchdogEvent }> = [];
        const judgeOf = (by: string) =>
          createFreshnessService({
            promises: [
              compilePromise("sales-morning", {
                appIds: [],
                appNames: ["Sales dashboard"],
                streams: [],
                appTags: [],
                freshBy: "07:00",
                warnAt: "06:30",
                days: ["mon", "tue", "wed", "thu", "fri"],
                timeZone: "Europe/Stockholm",
              }),
            ],
            upstreams: [{ check: "erp-extract", dueAtOrBefore: erp.schedule.previous, appIds: new Set(), appNames: new Set(["sales dashboard", "finance"]) }],
            feeds: new Map([["erp-extract", ["Sales dashboard", "Finance"]]]),
            store,
            checkins,
            intervalMs: 3_600_000,
            clock,
            log: createSilentLogger(),
            metrics: createMetricsRegistry(),
            host: by,
            emit: async (e) => void events.push({ by, e }),
          });
        const alpha = judgeOf("alpha");
        const beta = judgeOf("beta");
        // Friday's reload: Sales is known, with one cycle of history (the extract checked in 40 min before it).
        await store.recordReload({
          appId: SALES,
          appName: "Sales dashboard",
          stream: "Sales",
          tags: [],
          ok: true,
          atMs: at("2026-11-20T04:40:00Z"),
          task: "Reload Sales dashboard",
          lagMs: 40 * 60_000,
        });
        const step = async (iso: string) => {
          await clock.set(at(iso));
          await alpha.judgeNow();
          await beta.judgeNow();
        };
        await step("2026-11-23T03:50:00Z");
        // At 05:19 a check-in would still make it (40 min usual): nothing yet.
        await step("2026-11-23T05:19:00Z");
        expect(events).toEqual([]);
        // From 05:20 it cannot (issue 67): the warning comes at that look, before warnAt (05:30), saying so.
        await step("2026-11-23T05:29:00Z");
        await step("2026-11-23T05:30:00Z");
        await step("2026-11-23T05:45:00Z");
        expect(events.map((x) => [x.by, x.e.kind])).toEqual([["alpha", "app.freshness_warning"]]);
        const warning = events[0]!.e;
        expect(warning.title).toBe("At risk: Sales dashboard will not be fresh by 2026-11-23T06:00:00.000Z");
        expect(warning.summary).toBe(
          'The promise cannot be kept: Sales dashboard will not be fresh by 2026-11-23T06:00:00.000Z ("erp-extract" has not checked in, and the app is usually fresh 40 min after it does). Sales dashboard is not fresh yet and is promised by 2026-11-23T06:00:00.000Z (promise "sales-morning", 07:00 Mon, Tue, Wed, Thu, Fri (Europe/Stockholm)): job "erp-extract" has not checked in (due 2026-11-23T04:00:00.000Z). Sales dashboard is usually fresh 40 min after "erp-extract" checks in. The late job also feeds "Finance".',
        );
        expect(warning.data.atRisk).toBe('"erp-extract" has not checked in, and the app is usually fresh 40 min after it does');
        expect(warning.app).toMatchObject({ id: SALES, name: "Sales dashboard", stream: "Sales" });
        expect(warning.condition).toEqual({ type: "freshness_warning", key: `freshness:sales-morning:${SALES}`, openedAt: "2026-11-23T05:29:00.000Z" });

        await step("2026-11-23T06:00:00Z");
        await step("2026-11-23T06:20:00Z");
        expect(events.map((x) => x.e.kind)).toEqual(["app.freshness_warning", "app.freshness_breached"]);
        expect(events[1]!.e.condition.type).toBe("freshness_breached");

        // The extract runs late: it checks in at 06:25; Sales is now expected 40 min later.
        await checkins.addPing(
          {
            id: "p1",
            name: "erp-extract",
            kind: "success",
            atMs: at("2026-11-23T06:25:00Z"),
            source: "10.0.0.7",
            steward: "beta",
            bodyBytes: 0,
            truncated: false,
          },
          100,
        );
        await step("2026-11-23T06:30:00Z");
        expect(events).toHaveLength(2);
        // The reload completes the chain.
        await store.recordReload({
          appId: SALES,
          appName: "Sales dashboard",
          stream: "Sales",
          tags: [],
          ok: true,
          atMs: at("2026-11-23T07:02:00Z"),
          task: "Reload Sales dashboard",
        });
        await step("2026-11-23T07:03:00Z");
        await step("2026-11-23T08:00:00Z");
        expect(events.map((x) => x.e.kind)).toEqual(["app.freshness_warning", "app.freshness_breached", "app.freshness_recovered"]);
        const recovered = events[2]!.e;
        // It names what the reload that brought the data came after (issue 102).
        expect(recovered.summary).toBe(
          'Sales dashboard is fresh: reloaded successfully at 2026-11-23T07:02:00.000Z by "Reload Sales dashboard", after "erp-extract" checked in, promised by 2026-11-23T06:00:00.000Z.',
        );
        expect(recovered.data).toMatchObject({ freshFrom: "2026-11-23T07:02:00.000Z", freshAfter: "checkin" });
        expect(recovered.condition).toMatchObject({ type: "freshness_breached", closedAt: "2026-11-23T07:03:00.000Z" });
        // Tuesday: fresh by 07:00 after the extract at 05:00 and the reload at 05:40: nothing.
        await checkins.addPing(
          {
            id: "p2",
            name: "erp-extract",
            kind: "success",
            atMs: at("2026-11-24T04:05:00Z"),
            source: "10.0.0.7",
            steward: "beta",
            bodyBytes: 0,
            truncated: false,
          },
          100,
        );
        await store.recordReload({
          appId: SALES,
          appName: "Sales dashboard",
          stream: "Sales",
          tags: [],
          ok: true,
          atMs: at("2026-11-24T04:40:00Z"),
          task: "Reload Sales dashboard",
        });
        await step("2026-11-24T05:45:00Z");
        await step("2026-11-24T06:30:00Z");
        expect(events).toHaveLength(3);
      },
      SLOW,
    );

    test(
      "when the job checked in and the reload is what is late, the warning says when the app is expected and that the reload failed",
      async () => {
        const db = await backend.open([checkinMigrations, freshnessMigrations]);
        const store = createFreshnessStore(db);
        const checkins = createCheckinStore(db);
        const clock = createManualClock(at("2026-11-23T03:50:00Z"));
        const erp = compileSchedule({ cron: "0 5 * * 1-5", timeZone: "Europe/Stockholm" });
        if (!erp.ok) throw new Error(erp.error);
        const events: WatchdogEvent[] = [];
        const svc = createFreshnessService({
          promises: [
            compilePromise("sales-morning", {
              appIds: [SALES],
              appNames: [],
              streams: [],
              appTags: [],
              freshBy: "07:00",
              warnAt: "06:30",
              days: ["mon"],
              timeZone: "Europe/Stockholm",
            }),
          ],
          upstreams: [{ check: "erp-extract", dueAtOrBefore: erp.schedule.previous, appIds: new Set([SALES]), appNames: new Set() }],
          feeds: new Map([["erp-extract", [SALES]]]),
          store,
          checkins,
          intervalMs: 3_600_000,
          clock,
          log: createSilentLogger(),
          metrics: createMetricsRegistry(),
          host: "alpha",
          emit: async (e) => void events.push(e),
        });
        await store.recordReload({
          appId: SALES,
          appName: "Sales dashboard",
          tags: [],
          ok: true,
          atMs: at("2026-11-20T04:40:00Z"),
          task: "Reload Sales dashboard",
          lagMs: 30 * 60_000,
        });
        await svc.judgeNow();
        await checkins.addPing(
          {
            id: "p1",
            name: "erp-extract",
            kind: "success",
            atMs: at("2026-11-23T05:10:00Z"),
            source: "10.0.0.7",
            steward: "alpha",
            bodyBytes: 0,
            truncated: false,
          },
          100,
        );
        await store.recordReload({
          appId: SALES,
          appName: "Sales dashboard",
          tags: [],
          ok: false,
          atMs: at("2026-11-23T05:20:00Z"),
          task: "Reload Sales dashboard",
        });
        await clock.set(at("2026-11-23T05:30:00Z"));
        await svc.judgeNow();
        expect(events.map((e) => e.kind)).toEqual(["app.freshness_warning"]);
        expect(events[0]!.summary).toContain('the reload "Reload Sales dashboard" failed at 2026-11-23T05:20:00.000Z');
        expect(events[0]!.summary).toContain("Sales dashboard is expected to be fresh at about 2026-11-23T05:40:00.000Z.");
        expect(events[0]!.data.expectedAt).toBe("2026-11-23T05:40:00.000Z");
      },
      SLOW,
    );
  });
}
