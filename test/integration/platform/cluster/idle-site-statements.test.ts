// What a Steward sends to its PostgreSQL store in a simulated hour, counted by statement on a stepped clock (each
// statement is work in flight there, under a label that starts with its text; test/helpers/statement-counts.ts). On a
// stepped clock time stands still during each round trip, so a simulated week is as slow as its statements are many.
//
// Alone in its cluster with nothing to do, counted per round trip (a transaction as one): the heartbeat writes its
// row and counts the others in one statement, the leases are claimed in one, the looks for other Stewards' work
// (who is alive, deliveries, escalations, schedules, keys, the dashboard feed, distribution polls) are skipped while
// the peer epoch stands still, and an idle silence sweep is one query. A second Steward is still seen at the next
// heartbeat, and each duty is held by exactly one of the two.
//
// Watching the default simulated site (watchdog and a freshness promise on, nothing failing), counted per statement,
// each statement of a transaction too (issue 78). The duty holder reads its own state once a term and keeps it: no
// watchdog cursor or snapshot is read at each look, none is written unchanged, a promise's watching-since is read
// once, and closed conditions and old runs are pruned once an hour, not every look. With a peer, reconciliation's
// check for a member gone silent (every two seconds) and the outbox's for sends a gone member left (every
// peerPollIntervalMs) read the members only when their heartbeats, aged by the time since the last read, say one may
// be gone. Before: 52 statements a minute alone (watchdog_meta read 5 times a minute and written twice, freshness_meta
// read twice), 141 a minute for two (42 of them reads of the members; at the default peerPollIntervalMs of 1 s, 120 a
// minute more from the outbox).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { DUTIES } from "../../../../src/platform/cluster";
import { createSteppedClock, type SteppedClock } from "../../../../src/platform/core/stepped-clock";
import type { TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { countStatements } from "../../../helpers/statement-counts";
import { startSteppedMember } from "../../../helpers/stepped-cluster-member";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const MIN = 60_000;
const HOUR = 60 * MIN;
const dir = createTempDir();
let pg: PostgresService | undefined;
let site: SteppedSite | undefined;
const apps: TestApp[] = [];
beforeAll(async () => {
  pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  for (const t of apps) await t.close();
  await site?.sim.stop();
  await pg?.stop();
  dir.remove();
});

/** Starts a Steward of the idle cluster on the stepped clock (its own folder); closed with the others at the end. */
async function startSteward(clock: SteppedClock, url: string, name: string): Promise<TestApp> {
  const t = await startSteppedMember(clock, url, name, join(dir.path, "idle"));
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
  // Who is alive (the outbox's look for a dead Steward's sends; reconciliation's member check, without QRS, does not
  // run): not read at all while alone and nothing changed (the peer epoch, src/platform/cluster/peer-poll.ts), at most
  // once at the hourly purge pass; never the leases view() adds. It was once a minute.
  expect(counts.of("SELECT instance_id, name, host")).toBeLessThanOrEqual(1);
  expect(counts.of("SELECT duty, holder")).toBe(0);
  // The outbox: alone, it sleeps until its own next due or the hourly purge (it looked once a minute, and every 30 s
  // before that), and takes no claiming transaction while nothing is due.
  expect(counts.of("SELECT MIN(t) AS t FROM (SELECT MIN(next_attempt_at)")).toBeLessThanOrEqual(1);
  // (Nothing else idle takes a transaction either: the KV store's purge runs only once a key has expired.)
  expect(counts.of("a transaction")).toBe(0);
  expect(counts.of("UPDATE notify_deliveries SET status = 'pending'")).toBeLessThanOrEqual(1);
  // Silences: with nothing held, a minute's sweep is one query.
  near(counts.of("SELECT 1 AS x FROM silence_holds"), 60);
  expect(counts.of("SELECT h.* FROM silence_holds")).toBe(0);
  // Everything else: the store's readiness and the KV store's expiry a minute; the schedules, API keys, dashboard
  // feed, escalations, distribution polls and held attempts not at all (they were a minute each: 16 a minute then).
  expect(counts.of("SELECT execution_id, event, held_at")).toBeLessThanOrEqual(1);
  const perMinute = counts.total() / 60;
  if (perMinute >= 6) console.log(counts.table());
  expect(perMinute).toBeLessThan(6);

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

const WATCHING = `watchdog: {}
freshness:
  promises:
    sales-morning: { appNames: [Sales dashboard], freshBy: "07:00" }
`;

test("watching an idle site, a Steward alone sends under 26 statements a minute, two under 100 together", async () => {
  site = await startSteppedSite(dir.path, Date.parse("2026-11-23T08:00:00Z"));
  const { clock } = site;
  const counts = countStatements(clock);
  const url = await pg!.createDatabase("idle_site_statements");
  const member = async (name: string) => {
    const t = await startSteppedMember(clock, url, name, dir.path, { yaml: qlikYaml(site!.sim) + WATCHING });
    apps.push(t);
    return t;
  };
  const alpha = await member("alpha");
  await clock.runUntil(clock.now() + 5 * MIN);
  expect(alpha.app.cluster.holds("watchdog")).toBe(true);

  counts.start();
  await clock.runUntil(clock.now() + HOUR);
  // The watchdog looks once a minute: its cursors and snapshots were read at the term's first look, not since.
  expect(counts.ofAll("SELECT value FROM watchdog_meta")).toBe(0);
  // Only what changed is written: the time judged up to (each look), the cursor only after a look that saw a run
  // change (the site's schedules run a few tasks an hour; it was two writes every look).
  expect(counts.ofAll("INSERT INTO watchdog_meta")).toBeLessThanOrEqual(90);
  // Old runs and closed conditions go once an hour (it was each look).
  expect(counts.ofAll("DELETE FROM watchdog_runs")).toBeLessThanOrEqual(1);
  expect(counts.ofAll("DELETE FROM freshness_conditions")).toBeLessThanOrEqual(1);
  // The open conditions: read once a look (it was four or five times), kept until the look writes one.
  expect(counts.ofAll("SELECT key, type, task_id, app_id")).toBeLessThanOrEqual(2 * 62);
  // Freshness judges every 30 s: the promise's watching-since is known for the term, the projections and the verdicts
  // (issue 102: the state every page reads) written only when they change or every five minutes, and nothing waits to
  // be announced.
  expect(counts.ofAll("SELECT value FROM freshness_meta")).toBe(0);
  expect(counts.ofAll("INSERT INTO freshness_meta")).toBeLessThanOrEqual(26);
  const alone = counts.totalAll() / 60;
  // It was under 36 while the looks for other Stewards' work came once a minute each (about 33 then, 22 later). 24.45
  // before the watchdog's look read Steward's own successful Engine reload jobs too (issue 101: an app a person had
  // reloaded is fresh at the next look, whichever member ran the job): one statement a look, 25.45 now.
  if (alone >= 26) console.log(counts.table());
  expect(alone).toBeLessThan(26);

  await member("beta");
  await clock.runUntil(clock.now() + 2 * MIN);
  expect(alpha.app.cluster.alone()).toBe(false);
  counts.start();
  await clock.runUntil(clock.now() + 10 * MIN);
  // Reconciliation asks every two seconds whether a member is gone (300 asks in ten minutes), the outbox every 10 s
  // here (120 for the two) whether one left sends behind: each ask read the members. Now the members are read when
  // a member's aged heartbeat passes the lease or the list is a lease time old, and by the outbox's reset every 15 s.
  expect(counts.ofAll("SELECT instance_id, name, host")).toBeLessThan(100);
  const together = counts.totalAll() / 10;
  if (together >= 100) console.log(counts.table());
  expect(together).toBeLessThan(100);
}, 300_000);
