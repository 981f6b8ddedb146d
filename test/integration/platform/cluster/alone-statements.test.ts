// What a Steward alone in its PostgreSQL cluster sends to the store in a simulated hour with nothing to do, counted by
// statement on a stepped clock (each statement is work in flight there, under a label that starts with its text). On
// a stepped clock time stands still during each round trip, so a simulated week is as slow as its statements are
// many. The heartbeat writes its row and counts the others in one statement, the leases are claimed in one, the
// looks at who is alive read the members only, an idle outbox pass takes no claiming transaction and comes at the
// heartbeat's pace, as does its look for sends a dead Steward left, and an idle silence sweep is one query.
// A second Steward is still seen at the next heartbeat, and each duty is held by exactly one of the two.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DUTIES } from "../../../../src/platform/cluster";
import { createSteppedClock, type SteppedClock } from "../../../../src/platform/core/stepped-clock";
import type { TestApp } from "../../../helpers/app";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";

const MIN = 60_000;
const HOUR = 60 * MIN;
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

/** Counts the statements (and transactions) sent while `counting` is on, by the label the store tracks them under. */
function countStatements(clock: SteppedClock) {
  const labels = new Map<string, number>();
  let counting = false;
  const track = clock.track.bind(clock);
  clock.track = (work, label) => {
    if (counting && label.startsWith("PostgreSQL: ")) labels.set(label, (labels.get(label) ?? 0) + 1);
    return track(work, label);
  };
  return {
    start: () => {
      labels.clear();
      counting = true;
    },
    /** How many were sent whose label (after "PostgreSQL: ") starts with `text`. */
    of: (text: string) => [...labels].filter(([l]) => l.replace(/^PostgreSQL: /, "").startsWith(text)).reduce((n, [, c]) => n + c, 0),
    total: () => [...labels.values()].reduce((a, b) => a + b, 0),
    table: () => [...labels].sort((a, b) => b[1] - a[1]),
  };
}

/** Starts a Steward of the cluster on the stepped clock; closed with the others at the end. */
async function startSteward(clock: SteppedClock, url: string, name: string): Promise<TestApp> {
  const t = await startSteppedMember(clock, url, name, dir.path);
  apps.push(t);
  return t;
}

test("alone and idle, a Steward sends a few statements a minute; a second one is seen at the next heartbeat", async () => {
  const clock = createSteppedClock(Date.parse("2026-05-04T00:00:00Z"));
  const counts = countStatements(clock);
  const url = await pg!.createDatabase("alone_statements");
  const alpha = await startSteward(clock, url, "alpha");
  await clock.runUntil(clock.now() + 2 * MIN);
  expect(alpha.app.cluster.alone()).toBe(true);

  counts.start();
  await clock.runUntil(clock.now() + HOUR);
  const near = (n: number, per: number) => expect(Math.abs(n - per)).toBeLessThanOrEqual(2);
  // The heartbeat: one statement (it was three: forget the silent, count the others, write its row).
  near(counts.of("WITH gone AS (DELETE FROM cluster_members"), 60);
  expect(counts.of("DELETE FROM cluster_members") + counts.of("SELECT COUNT(*) AS n FROM cluster_members")).toBe(0);
  expect(counts.of("INSERT INTO cluster_members")).toBe(0);
  // Every lease wanted, claimed or renewed in one statement a heartbeat (it was one per duty).
  near(counts.of("INSERT INTO cluster_leases"), 60);
  // Who is alive (here the outbox's look for a dead Steward's sends; reconciliation's member check, without QRS, does
  // not run): the members only, once a minute, without the leases view() adds.
  near(counts.of("SELECT instance_id, name, host"), 60);
  expect(counts.of("SELECT duty, holder")).toBe(0);
  // The outbox: a pass at the heartbeat's pace (it was every 30 s), one look for anything due and no claiming
  // transaction while nothing is; the look for a dead Steward's sends at that pace too, not every 15 s.
  near(counts.of("SELECT MIN(t) AS t FROM (SELECT MIN(next_attempt_at)"), 60);
  // (Nothing else idle takes a transaction either: the KV store's purge runs only once a key has expired.)
  expect(counts.of("a transaction")).toBe(0);
  near(counts.of("UPDATE notify_deliveries SET status = 'pending'"), 60);
  // Silences: with nothing held, a minute's sweep is one query.
  near(counts.of("SELECT 1 AS x FROM silence_holds"), 60);
  expect(counts.of("SELECT h.* FROM silence_holds")).toBe(0);
  // Everything else (schedules, API keys, the dashboard feed, escalations, the KV store's expiry, distribution polls):
  // a look a minute or less, so the whole is a couple of dozen statements a minute.
  const perMinute = counts.total() / 60;
  if (perMinute >= 20) console.log(counts.table());
  expect(perMinute).toBeLessThan(20);

  // A second Steward: the first sees it at its next heartbeat, and each duty has exactly one holder.
  const beta = await startSteward(clock, url, "beta");
  await clock.runUntil(clock.now() + MIN + 1_000);
  expect(alpha.app.cluster.alone()).toBe(false);
  expect(beta.app.cluster.alone()).toBe(false);
  await clock.runUntil(clock.now() + 2 * MIN);
  const held = (t: TestApp) => DUTIES.filter((d) => t.app.cluster.holds(d));
  const wanted = DUTIES.filter((d) => held(alpha).includes(d) || held(beta).includes(d));
  expect(wanted.length).toBeGreaterThan(0);
  for (const d of wanted) expect([alpha, beta].filter((t) => t.app.cluster.holds(d))).toHaveLength(1);
  const leaders = (await alpha.app.cluster.view()).leaders.map((l) => l.duty);
  expect([...leaders].sort()).toEqual([...wanted].sort());
}, 300_000);
