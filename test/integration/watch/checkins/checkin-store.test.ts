// The check-ins' store and judge on both back ends (SQLite file, PostgreSQL), time on a manual clock: the latest
// ping of each kind survives pruning and late-arriving older pings; a missed check-in, a failure and their recoveries
// are each announced once, also by a second judge over the same store (another Steward after a lease change) and
// after a crash between storing a decision and announcing it.
import { afterAll, describe, expect, test } from "bun:test";
import { checkinMigrations, createCheckinStore } from "../../../../src/watch/checkins/checkin-store";
import { compileSchedule } from "../../../../src/watch/checkins/schedule";
import { createCheckinService } from "../../../../src/watch/checkins/service";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { bothBackends } from "../../../helpers/sql-backends";

const backends = bothBackends();
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

const at = (s: string) => Date.parse(s);
const ping = (name: string, kind: "start" | "success" | "fail" | "log", atMs: number, extra: { exitCode?: number; body?: string } = {}) => ({
  id: `${name}-${kind}-${atMs}`,
  name,
  kind,
  atMs,
  source: "10.0.0.7",
  steward: "alpha",
  bodyBytes: extra.body?.length ?? 0,
  truncated: false,
  ...extra,
});

function schedule() {
  const c = compileSchedule({ cron: "0 5 * * *", timeZone: "Europe/Stockholm" });
  if (!c.ok) throw new Error(c.error);
  return c.schedule;
}

// PostgreSQL's first start (initdb) can take longer than bun's default 5 s on a loaded machine.
const SLOW = 60_000;

for (const backend of backends) {
  describe(`check-ins on ${backend.name}`, () => {
    test(
      "the state keeps the newest ping of each kind, whatever order they arrive in; only the newest keepPings pings stay",
      async () => {
        const store = createCheckinStore(await backend.open([checkinMigrations]));
        await store.addPing(ping("erp", "start", 1_000), 3);
        await store.addPing(ping("erp", "fail", 5_000, { exitCode: 4 }), 3);
        await store.addPing(ping("erp", "success", 3_000, { exitCode: 0 }), 3);
        // A late-arriving older failure moves nothing and does not overwrite the newer exit code.
        await store.addPing(ping("erp", "fail", 2_000, { exitCode: 9 }), 3);
        await store.addPing(ping("erp", "log", 6_000, { body: "note" }), 3);
        expect(await store.states()).toEqual(
          new Map([["erp", { name: "erp", lastStartMs: 1_000, lastSuccessMs: 3_000, lastFailMs: 5_000, lastPingMs: 6_000, lastExit: 4 }]]),
        );
        expect((await store.pings("erp", 10)).map((p) => [p.kind, p.atMs])).toEqual([
          ["log", 6_000],
          ["fail", 5_000],
          ["success", 3_000],
        ]);
        expect(await store.initMeta("since:erp", "7")).toBe("7");
        expect(await store.initMeta("since:erp", "8")).toBe("7");
      },
      SLOW,
    );

    test(
      "missed at 05:15 local, announced once by two judges over the store; a ping ends it once; a failure carries its log",
      async () => {
        const db = await backend.open([checkinMigrations]);
        const store = createCheckinStore(db);
        const clock = createManualClock(at("2026-11-23T03:00:00Z"));
        const events: Array<{ by: string; e: WatchdogEvent }> = [];
        const judgeOf = (by: string) =>
          createCheckinService({
            checks: [{ name: "erp", enabled: true, schedule: schedule(), graceMs: 15 * 60_000, feeds: { tasks: [], apps: ["Sales"] } }],
            intervalMs: 3_600_000,
            store,
            clock,
            log: createSilentLogger(),
            metrics: createMetricsRegistry(),
            host: by,
            emit: async (e) => void events.push({ by, e }),
          });
        const alpha = judgeOf("alpha");
        const beta = judgeOf("beta");
        await alpha.judgeNow();
        await clock.set(at("2026-11-23T04:15:00Z"));
        await alpha.judgeNow();
        await beta.judgeNow();
        await clock.set(at("2026-11-23T06:00:00Z"));
        await beta.judgeNow();
        expect(events.map((x) => [x.by, x.e.kind])).toEqual([["alpha", "checkin.missed"]]);
        expect(events[0]!.e.summary).toContain('It feeds app "Sales".');

        await store.addPing(ping("erp", "start", at("2026-11-23T06:01:00Z")), 100);
        await store.addPing(ping("erp", "fail", at("2026-11-23T06:09:00Z"), { exitCode: 1, body: "extract: disk full" }), 100);
        await clock.set(at("2026-11-23T06:10:00Z"));
        await beta.judgeNow();
        await alpha.judgeNow();
        expect(events.map((x) => [x.by, x.e.kind])).toEqual([
          ["alpha", "checkin.missed"],
          ["beta", "checkin.failed"],
          ["beta", "checkin.recovered"],
        ]);
        expect(events[1]!.e.data).toMatchObject({ exitCode: 1, log: "extract: disk full" });
        expect(events[2]!.e.condition).toMatchObject({ type: "checkin_missed", closedAt: "2026-11-23T06:10:00.000Z" });
      },
      SLOW,
    );

    test(
      "a decision stored but not announced (the notifier refused) is announced by the next judgement, with the same id",
      async () => {
        const store = createCheckinStore(await backend.open([checkinMigrations]));
        const clock = createManualClock(at("2026-11-23T03:00:00Z"));
        const seen: string[] = [];
        let refuse = true;
        const svc = createCheckinService({
          checks: [{ name: "erp", enabled: true, schedule: schedule(), graceMs: 60_000, feeds: { tasks: [], apps: [] } }],
          intervalMs: 3_600_000,
          store,
          clock,
          log: createSilentLogger(),
          metrics: createMetricsRegistry(),
          host: "alpha",
          emit: async (e) => {
            if (refuse) throw new Error("outbox unavailable");
            seen.push(e.id);
          },
        });
        await svc.judgeNow();
        await clock.set(at("2026-11-23T04:05:00Z"));
        await svc.judgeNow();
        expect(svc.lastError()).toBe("outbox unavailable");
        expect(seen).toEqual([]);
        refuse = false;
        await svc.judgeNow();
        await svc.judgeNow();
        expect(seen).toEqual([`checkin:checkin_missed:erp:${at("2026-11-23T04:01:00Z")}:open`]);
      },
      SLOW,
    );
  });
}
