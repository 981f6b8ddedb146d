// Two Stewards on one PostgreSQL store watch one site: a task disabled is announced once (task.disabled) for the
// site, the Steward that takes the watchdog lease after the leader stops neither repeats it (the snapshot of what
// was seen is shared) nor forgets it, and its task.on_track comes once when the task runs again. Both Stewards and
// the simulator share one stepped clock (no wall-clock waits); the leases' expiry is the database's, in wall time,
// but a clean stop hands them over at once, so the takeover comes at the other Steward's next heartbeat.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
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
const seen = () => events.map(({ by, e }) => `${by} ${e.kind} ${e.condition.type} ${e.receivedAt.slice(11, 19)}`);

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("watchdog_turned_off_cluster");
  site = await startSteppedSite(dir.path, START, FIVE_MINUTE_SITE);
  for (const name of ["alpha", "beta"])
    stewards[name] = await startSteppedMember(site.clock, url, name, dir.path, {
      yaml: `${qlikYaml(site.sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { enabled: false }\n`,
      beforeStart: (t) => {
        for (const k of ["task.disabled", "task.missed", "task.on_track"] as const)
          t.app.bus.on(k, (e) => void events.push({ by: name, e: e as WatchdogEvent }));
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
// while both run, so the test keeps that span short (about 3 simulated minutes). Idle it takes some 2 s of wall time;
// beside 8 busy processes on 2 cores about 15 s, hence its wall-time bound.
test("a task disabled is announced once by the site's two Stewards, and its task.on_track once, across a leader change", async () => {
  const task = ((await simControl(site.sim, "GET", "/tasks")) as Array<{ id: string }>)[0]!;
  const successes = () => [...site.sim.repo.executions.values()].filter((e) => e.status === 7).length;
  const leader = () => Object.keys(stewards).filter((n) => stewards[n]!.app.cluster.holds("watchdog"));
  // alpha started first (08:03:30 to 08:03:31) and holds the watchdog's lease; beta (to 08:03:32) waits.
  expect(leader()).toEqual(["alpha"]);
  await site.clock.runUntil(Date.parse("2026-11-23T08:06:00Z"));
  expect(successes()).toBe(1); // 08:05
  await simControl(site.sim, "PATCH", `/tasks/${task.id}`, { enabled: false, modifiedBy: "CORP\\anna" });
  await run(MIN);
  // Disabled at 08:06:00, seen by the leader at its next look (every 12 s from 08:03:30).
  expect(seen()).toEqual(["alpha task.disabled disabled 08:06:06"]);
  await stewards.alpha!.app.stop();
  await run(2 * MIN); // beta takes the lease at its next heartbeat and looks several times
  expect(leader()).toEqual(["beta"]);
  // Re-enabled a simulated minute after a due time that fell while it was off (08:10): that due time is not a missed start.
  await site.clock.runUntil(Date.parse("2026-11-23T08:11:00Z"));
  expect(seen()).toEqual(["alpha task.disabled disabled 08:06:06"]);
  await simControl(site.sim, "PATCH", `/tasks/${task.id}`, { enabled: true, modifiedBy: "CORP\\anna" });
  await run(5 * MIN);
  // The run due at 08:15 closes it, seen by beta's next look. Beta looks every 12 s from its own start, which falls
  // a second or two after alpha's depending on how long alpha took to start, so the look lands within 12 s of 08:15.
  expect(successes()).toBe(2);
  expect(seen().slice(0, 1)).toEqual(["alpha task.disabled disabled 08:06:06"]);
  expect(
    seen()
      .slice(1)
      .map((s) => s.slice(0, -9)),
  ).toEqual(["beta task.on_track disabled"]);
  const onTrackAt = seen()[1]!.slice(-8);
  expect(onTrackAt >= "08:15:00" && onTrackAt <= "08:15:12").toBe(true);
  expect(events.filter((x) => x.e.kind === "task.missed")).toEqual([]);
}, 180_000);
