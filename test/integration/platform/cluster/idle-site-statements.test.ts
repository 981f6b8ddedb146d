// What a Steward watching the default simulated site (watchdog and a freshness promise on, nothing failing) sends to
// its PostgreSQL store in a simulated hour, counted by statement on a stepped clock, each statement of a transaction
// too (issue 78). The duty holder reads its own state once a term and keeps it: no watchdog cursor or snapshot is read
// at each look, none is written unchanged, a promise's watching-since is read once, and closed conditions and old runs
// are pruned once an hour, not every look. With a peer, reconciliation's check for a member gone silent (every two
// seconds) and the outbox's for sends a gone member left (every peerPollIntervalMs) read the members only when their
// heartbeats, aged by the time since the last read, say one may be gone. Before: 52 statements a minute alone
// (watchdog_meta read 5 times a minute and written twice, freshness_meta read twice), 141 a minute for two (42 of them
// reads of the members; at the default peerPollIntervalMs of 1 s, 120 a minute more from the outbox).
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { SteppedClock } from "../../../../src/platform/core/stepped-clock";
import type { TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
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

/** Counts the statements sent while `counting` is on (a transaction's each, besides the transaction), by label. */
function countStatements(clock: SteppedClock) {
  const labels = new Map<string, number>();
  let counting = false;
  const track = clock.track.bind(clock);
  clock.track = (work, label) => {
    if (counting && label.startsWith("PostgreSQL")) labels.set(label, (labels.get(label) ?? 0) + 1);
    return track(work, label);
  };
  return {
    start: () => {
      labels.clear();
      counting = true;
    },
    /** How many were sent whose text starts with `text`, in a transaction or not. */
    of: (text: string) => [...labels].filter(([l]) => l.replace(/^PostgreSQL[^:]*: /, "").startsWith(text)).reduce((n, [, c]) => n + c, 0),
    total: () => [...labels.values()].reduce((a, b) => a + b, 0),
    table: () => [...labels].sort((a, b) => b[1] - a[1]),
  };
}

const WATCHING = `watchdog: {}
freshness:
  promises:
    sales-morning: { appNames: [Sales dashboard], freshBy: "07:00" }
`;

test("watching an idle site, a Steward alone sends under 36 statements a minute, two under 100 together", async () => {
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
  expect(counts.of("SELECT value FROM watchdog_meta")).toBe(0);
  // Only what changed is written: the time judged up to (each look), the cursor only after a look that saw a run
  // change (the site's schedules run a few tasks an hour; it was two writes every look).
  expect(counts.of("INSERT INTO watchdog_meta")).toBeLessThanOrEqual(90);
  // Old runs and closed conditions go once an hour (it was each look).
  expect(counts.of("DELETE FROM watchdog_runs")).toBeLessThanOrEqual(1);
  expect(counts.of("DELETE FROM freshness_conditions")).toBeLessThanOrEqual(1);
  // The open conditions: read once a look (it was four or five times), kept until the look writes one.
  expect(counts.of("SELECT key, type, task_id, app_id")).toBeLessThanOrEqual(2 * 62);
  // Freshness judges every 30 s: the promise's watching-since is known for the term, the projections written only
  // when they change or every five minutes, and nothing waits to be announced.
  expect(counts.of("SELECT value FROM freshness_meta")).toBe(0);
  expect(counts.of("INSERT INTO freshness_meta")).toBeLessThanOrEqual(13);
  const alone = counts.total() / 60;
  if (alone >= 36) console.log(counts.table());
  expect(alone).toBeLessThan(36);

  await member("beta");
  await clock.runUntil(clock.now() + 2 * MIN);
  expect(alpha.app.cluster.alone()).toBe(false);
  counts.start();
  await clock.runUntil(clock.now() + 10 * MIN);
  // Reconciliation asks every two seconds whether a member is gone (300 asks in ten minutes), the outbox every 10 s
  // here (120 for the two) whether one left sends behind: each ask read the members. Now the members are read when
  // a member's aged heartbeat passes the lease or the list is a lease time old, and by the outbox's reset every 15 s.
  expect(counts.of("SELECT instance_id, name, host")).toBeLessThan(100);
  const together = counts.total() / 10;
  if (together >= 100) console.log(counts.table());
  expect(together).toBeLessThan(100);
}, 300_000);
