// Several Stewards (issue 67, item 7): the queue look is part of the watchdog's look, a site duty under the watchdog
// lease. Two Stewards on one PostgreSQL store watch a node whose queue backs up (one engine, a 10-minute queue
// timeout, so the backlog pages at 5 minutes): the leader pages scheduler.queue_backlog once; it stops; the other
// takes the lease, carries on the same episode (kept in the store) and closes it once, naming what Qlik cancelled
// after the takeover; and each run's time counts once in the node's hours, though both read the runs around the
// handover. One stepped clock for the simulator and both Stewards (no wall-clock waits).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { WATCHDOG_EVENT_KINDS, type WatchdogEvent } from "../../../../src/platform/events/types";
import { createWatchStore } from "../../../../src/watch/watchdog/watch-store";
import type { TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-03-03T01:59:30Z");
const MIN = 60_000;
const HOUR = 60 * MIN;
const daily = `{ type: schema, name: Daily 02:00, incrementOption: daily, startDate: "2026-02-01T02:00:00.000", timeZone: UTC }`;
const SITE = `site: { name: Queue cluster }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example, scheduler: { maxConcurrentEngines: 1, engineTimeout: 10 } }
users: [{ userDirectory: INTERNAL, userId: sa_scheduler }]
apps:
${["Long", "Wait 1", "Wait 2"].map((n) => `  - { name: ${n} app, owner: INTERNAL\\sa_scheduler }`).join("\n")}
tasks:
  - { name: Long, type: reload, app: Long app, node: Reload01, durationMs: ${12 * MIN}, triggers: [${daily}] }
  - { name: Wait 1, type: reload, app: Wait 1 app, node: Reload01, durationMs: ${5 * MIN}, triggers: [${daily}] }
  - { name: Wait 2, type: reload, app: Wait 2 app, node: Reload01, durationMs: ${5 * MIN}, triggers: [${daily}] }
`;

const dir = createTempDir("steward-queue-cluster-");
let pg: PostgresService;
let site: SteppedSite;
const stewards: Record<string, TestApp> = {};
const events: Array<{ by: string; e: WatchdogEvent }> = [];
const at = (hhmmss: string) => Date.parse(`2026-03-03T${hhmmss}Z`);

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("queue_cluster");
  site = await startSteppedSite(dir.path, START, SITE);
  for (const name of ["alpha", "beta"])
    stewards[name] = await startSteppedMember(site.clock, url, name, dir.path, {
      yaml: `${qlikYaml(site.sim)}watchdog: {}\n`,
      beforeStart: (t) => {
        for (const k of WATCHDOG_EVENT_KINDS) t.app.bus.on(k, (e) => void events.push({ by: name, e: e as WatchdogEvent }));
      },
    });
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(stewards)) await s.close().catch(() => {});
  await site?.sim.stop();
  await pg?.stop();
  dir.remove();
});

test("the backlog is paged once by the leader, and closed once by the Steward that took over, with what Qlik cancelled", async () => {
  const leader = () => Object.keys(stewards).filter((n) => stewards[n]!.app.cluster.holds("watchdog"));
  expect(leader()).toEqual(["alpha"]);
  // Long takes the one engine at 02:00:02; Wait 1 and 2 wait from 02:00 and are cancelled at 02:10:02.
  await site.clock.runUntil(at("02:06:00"));
  const opened = events.map(({ by, e }) => `${by} ${e.kind}`);
  expect(opened).toEqual(["alpha scheduler.queue_backlog"]);
  // Looks come every minute at :30, from alpha's start.
  expect(events[0]!.e.receivedAt).toBe("2026-03-03T02:05:30.000Z");
  await stewards.alpha!.app.stop();
  await site.clock.runUntil(at("02:08:00"));
  expect(leader()).toEqual(["beta"]);
  await site.clock.runUntil(at("02:13:00"));
  expect(events.map(({ by, e }) => `${by} ${e.kind} ${e.condition.key}`)).toEqual([
    "alpha scheduler.queue_backlog queue:reload01.test.example",
    "beta task.on_track queue:reload01.test.example",
  ]);
  const closed = events[1]!.e;
  // beta looks at :31 (it started a second after alpha): the first look after the queue emptied at 02:10:02.
  expect(closed.receivedAt).toBe("2026-03-03T02:10:31.000Z");
  expect(closed.summary).toContain("Qlik cancelled 2 runs after waiting in the queue (Wait 1, Wait 2)");
}, 180_000);

test("each run's time counts once in the node's hours, across the handover", async () => {
  const hours = await createWatchStore(stewards.beta!.app.sharedStore.sql).nodeHours(at("02:00:00"), at("03:00:00"));
  const load = (await simControl(
    site.sim,
    "GET",
    `/nodes/Reload01/load?from=${new Date(at("02:00:00")).toISOString()}&to=${new Date(at("03:00:00")).toISOString()}`,
  )) as {
    hours: Array<{ hour: string; runningMs: number; waitingMs: number }>;
  };
  expect(hours.map((h) => [h.node, h.hourMs, h.runningMs, h.waitingMs])).toEqual(
    load.hours.map((h) => ["reload01.test.example", Date.parse(h.hour), h.runningMs, h.waitingMs]),
  );
  // Long ran 02:00:02–02:12; Wait 1 and 2 waited 02:00–02:10:02; each was Triggered 2 s first.
  expect(load.hours.map((h) => [h.runningMs, h.waitingMs])).toEqual([[12 * MIN - 2_000, 2_000 + 2 * (10 * MIN + 2_000)]]);
  expect(hours[0]!.hourMs).toBe(at("02:00:00"));
  expect(HOUR).toBe(3_600_000);
});
