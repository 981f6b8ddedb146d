// Two Stewards on one PostgreSQL store watch one site: the watchdog runs under one lease, so a missed start and
// its task.on_track are each announced once for the site, and the Steward that takes over after the leader stops
// neither repeats nor forgets the open condition. Both Stewards and the simulator share one stepped clock (no
// wall-clock waits); the leases' expiry is the database's, in wall time, but a clean stop hands them over at once,
// so the takeover comes at the other Steward's next heartbeat (a simulated minute).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { WATCHDOG_EVENT_KINDS, type WatchdogEvent } from "../../../../src/platform/events/types";
import type { TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { FIVE_MINUTE_SITE } from "./five-minute-site";

const START = Date.parse("2026-11-23T08:03:30Z");
const MIN = 60_000;

const dir = createTempDir();
let pg: PostgresService;
let site: SteppedSite;
const stewards: Record<string, TestApp> = {};
const events: Array<{ by: string; e: WatchdogEvent }> = [];
const run = (ms: number) => site.clock.runUntil(site.clock.now() + ms);
/** Each event as "Steward kind condition hh:mm:ss" (simulated time it was raised), in order. */
const seen = () => events.map(({ by, e }) => `${by} ${e.kind} ${e.condition.key.split(":")[0]} ${e.receivedAt.slice(11, 19)}`);

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("watchdog_cluster");
  site = await startSteppedSite(dir.path, START, FIVE_MINUTE_SITE);
  for (const name of ["alpha", "beta"])
    stewards[name] = await startSteppedMember(site.clock, url, name, dir.path, {
      yaml: `${qlikYaml(site.sim)}watchdog:\n  interval: 12s\n  grace: 3m\n`,
      // Every kind: each condition must be announced once for the site, whichever opened.
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

// With a peer each Steward looks for the other's work every second or two: a few hundred timers a simulated minute
// while both run, so the test keeps that span short (about 10 simulated minutes). Idle it takes some 3 s of wall
// time; beside 8 busy processes on 2 cores about 30 s (a minute before it was shortened), hence its wall-time bound.
test("a missed start is announced once by the site's two Stewards, and its task.on_track once, across a leader change", async () => {
  const successes = () => [...site.sim.repo.executions.values()].filter((e) => e.status === 7).length;
  const leader = () => Object.keys(stewards).filter((n) => stewards[n]!.app.cluster.holds("watchdog"));
  // alpha started first (08:03:30 to 08:03:31) and holds the watchdog's lease; beta (to 08:03:32) waits.
  expect(site.clock.now()).toBe(Date.parse("2026-11-23T08:03:32Z"));
  expect(leader()).toEqual(["alpha"]);
  await site.clock.runUntil(Date.parse("2026-11-23T08:06:00Z"));
  expect(successes()).toBe(1); // 08:05
  expect(events).toEqual([]);
  await simControl(site.sim, "POST", "/scheduler/pause");
  await run(7 * MIN + 30_000);
  // Paused at 08:06: the run due at 08:10 is missed after 3 minutes of grace, announced by the leader alone at its
  // next look (every 12 s from 08:03:30). Its app is past its due time from 08:13:30, but the missed start's page names
  // it: no app.stale on top, from the leader or (below) from the Steward that takes over, reading the open start.
  const opened = ["alpha task.missed missed 08:13:06"];
  expect(seen()).toEqual(opened);
  // The leader goes; beta takes the lease at its next heartbeat and must not announce the open condition again.
  await stewards.alpha!.app.stop();
  await run(2 * MIN);
  expect(leader()).toEqual(["beta"]);
  expect(seen()).toEqual(opened);
  await simControl(site.sim, "POST", "/scheduler/resume");
  await run(5 * MIN);
  // Resumed at 08:15:30: the run due at 08:20 starts, seen by beta's look (every 12 s from its start at 08:03:31).
  expect(successes()).toBe(2);
  expect(seen()).toEqual([...opened, "beta task.on_track missed 08:20:07"]);
  expect(events[1]!.e.condition.key).toBe(events[0]!.e.condition.key);
  expect(events.filter((x) => x.e.kind === "app.stale")).toEqual([]);
  // Each condition was announced once for the site.
  const perCondition = new Map<string, number>();
  for (const x of events) perCondition.set(`${x.e.kind} ${x.e.condition.key}`, (perCondition.get(`${x.e.kind} ${x.e.condition.key}`) ?? 0) + 1);
  expect([...perCondition].filter(([, n]) => n > 1)).toEqual([]);
}, 180_000);
