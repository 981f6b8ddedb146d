// A Steward alone in its PostgreSQL cluster looks for other Stewards' work (deliveries, escalation timers, changed
// schedules, dashboard events, distribution polls, a member gone silent) at the heartbeat's pace, not every second
// or two: nobody else writes such work, and the heartbeat is where it would learn of a new member. With a second
// Steward in the cluster the looks come every second or two again. On a stepped clock (no wall-clock waits) the count of timers that fired is exact. Before, the Steward alone fired over 10,000 timers an
// hour, each with its queries: a stepped simulation of days on PostgreSQL took many minutes.
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
async function startSteward(clock: SteppedClock, url: string, name: string): Promise<TestApp> {
  const t = await startSteppedMember(clock, url, name, dir.path);
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
  // About a dozen modules each look once a minute or less often (the heartbeat, the outbox, the loops).
  expect(alone).toBeLessThan(1_500);

  await startSteward(clock, url, "beta");
  await clock.runUntil(clock.now() + 2 * 60_000);
  before = clock.firedTimers();
  await clock.runUntil(clock.now() + HOUR / 6);
  const together = clock.firedTimers() - before;
  // In ten minutes, each of the two: the outbox and the dashboard feed every second (600 + 600), and the holder of the
  // duties escalation, schedules and the member check every two seconds (3 × 300).
  expect(together).toBeGreaterThan(2 * (600 + 600) + 3 * 300);
}, 300_000);
