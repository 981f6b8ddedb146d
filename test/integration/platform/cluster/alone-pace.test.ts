// A Steward alone in its PostgreSQL cluster looks for other Stewards' work (deliveries, escalation timers, changed
// schedules, dashboard events, distribution polls, a member gone silent) at the heartbeat's pace, not every second
// or two: nobody else writes such work, and the heartbeat is where it would learn of a new member. With a second
// Steward in the cluster the looks come every second or two again (store.postgres.peerPollIntervalMs, 1 s by default),
// and ten times less often at 10 s. On a stepped clock (no wall-clock waits) the count of timers that fired is exact.
// Before, the Steward alone fired over 10,000 timers an hour, each with its queries: a stepped simulation of days on
// PostgreSQL took many minutes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createSteppedClock, type SteppedClock } from "../../../../src/platform/core/stepped-clock";
import type { TestApp } from "../../../helpers/app";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";

const HOUR = 3_600_000;
const dir = createTempDir();
let pg: PostgresService | undefined;
const apps: TestApp[] = [];
beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  for (const t of apps) await t.close();
  await pg?.stop();
  dir.remove();
});

/** Starts a Steward of the cluster on the stepped clock; closed with the others at the end. */
async function startSteward(clock: SteppedClock, url: string, name: string, peerPollIntervalMs = 1_000): Promise<TestApp> {
  const t = await startSteppedMember(clock, url, name, dir.path, { peerPollIntervalMs });
  apps.push(t);
  return t;
}

test("alone in its cluster a Steward looks for others' work at the heartbeat's pace; with a peer, every second or two", async () => {
  const clock = createSteppedClock(Date.parse("2026-05-04T00:00:00Z"));
  const url = await pg!.createDatabase("alone_pace");
  await startSteward(clock, url, "alpha");
  // Its first heartbeat has looked: alone from then on.
  await clock.runUntil(clock.now() + 2 * 60_000);
  let before = clock.firedTimers();
  await clock.runUntil(clock.now() + HOUR);
  const alone = clock.firedTimers() - before;
  // About a dozen modules each wake once a minute or less often (the heartbeat, the loops); the outbox, escalations
  // and distribution polls sleep until their own next due (src/platform/cluster/peer-poll.ts): 640 timers an hour,
  // 818 while they looked every heartbeat.
  expect(alone).toBeLessThan(700);

  await startSteward(clock, url, "beta");
  await clock.runUntil(clock.now() + 2 * 60_000);
  before = clock.firedTimers();
  await clock.runUntil(clock.now() + HOUR / 6);
  const together = clock.firedTimers() - before;
  // In ten minutes, each of the two: the outbox and the dashboard feed every second (600 + 600), and the holder of the
  // duties escalation, schedules and the member check every two seconds (3 × 300).
  expect(together).toBeGreaterThan(2 * (600 + 600) + 3 * 300);
}, 300_000);

test("with peerPollIntervalMs at 10 s two Stewards look for each other's work every 10 or 20 s", async () => {
  const clock = createSteppedClock(Date.parse("2026-05-04T00:00:00Z"));
  const url = await pg!.createDatabase("peer_pace");
  await startSteward(clock, url, "gamma", 10_000);
  await startSteward(clock, url, "delta", 10_000);
  await clock.runUntil(clock.now() + 2 * 60_000);
  const before = clock.firedTimers();
  await clock.runUntil(clock.now() + HOUR / 6);
  const together = clock.firedTimers() - before;
  // In ten minutes, each of the two: the outbox and the dashboard feed every 10 s (60 + 60); the holder's escalation
  // and schedule looks every 20 s (2 × 30) and its member check; besides, what each does alone (under 250 in ten
  // minutes, as the test above bounds it).
  expect(together).toBeGreaterThan(2 * (60 + 60) + 2 * 30);
  // A tenth of the looks at the default: fewer than 2 × (600 + 600) + 3 × 300 of the test above.
  expect(together).toBeLessThan(1_000);
}, 300_000);
