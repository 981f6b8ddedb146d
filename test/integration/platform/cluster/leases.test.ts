// Leader leases on PostgreSQL: one holder per duty; a clean stop hands over at once; a holder that can no
// longer reach the store (killed, or PostgreSQL down) gives the duty up before anyone else can take it, and
// another instance takes over within the lease time. Never two holders at once.
import { afterAll, expect, test } from "bun:test";
import { createPostgresCluster, type Cluster, type DutyName } from "../../../../src/platform/cluster";
import { clusterMigrations } from "../../../../src/platform/cluster/migrations";
import { systemClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { postgresBackend } from "../../../helpers/sql-backends";
import { waitFor } from "../../../helpers/wait-for";
import { wallLimit } from "../../../helpers/time-limit";

const pg = postgresBackend({ own: true });
const timing = { leaseTtlMs: 1_500, heartbeatMs: 250 };
const opened: Array<{ c: Cluster; db: SqlDb }> = [];
afterAll(async () => {
  for (const { c, db } of opened) {
    await Promise.resolve(c.stop(1000)).catch(() => {});
    await db.close().catch(() => {});
  }
  await pg.shutdown();
});

async function member(url: string, name: string, duties: DutyName[] = ["scheduler"], t: typeof timing = timing) {
  const db = await openPostgresStore({ url, maxConnections: 2, connectTimeoutMs: 2_000, tls: false, applicationName: name }, [clusterMigrations]);
  const c = createPostgresCluster(t, { db, log: createSilentLogger(), clock: systemClock, version: "test", instanceName: name });
  const changes: boolean[] = [];
  for (const d of duties) c.onDuty(d, (held) => changes.push(held));
  opened.push({ c, db });
  return { c, db, changes };
}

/** Samples who holds the duty every 10 ms while `during` runs; fails if two ever do. */
async function neverTwo(members: Cluster[], duty: DutyName, during: () => Promise<void>): Promise<void> {
  let worst = 0;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      worst = Math.max(worst, members.filter((m) => m.holds(duty)).length);
      await Bun.sleep(10);
    }
  })();
  try {
    await during();
  } finally {
    done = true;
    await sampler;
  }
  expect(worst).toBeLessThanOrEqual(1);
}

test("one holder; a clean stop hands the duty over at once; the view lists members and leaders", async () => {
  const url = await (await pg.server()).createDatabase("lease_clean");
  const a = await member(url, "node-a");
  const b = await member(url, "node-b");
  await a.c.start();
  await b.c.start();
  expect(a.c.holds("scheduler")).toBe(true);
  expect(b.c.holds("scheduler")).toBe(false);
  const view = await b.c.view();
  expect(view.mode).toBe("cluster");
  expect(view.members.map((m) => [m.name, m.self])).toEqual([
    ["node-a", false],
    ["node-b", true],
  ]);
  expect(view.members.every((m) => m.heartbeatAgeMs < 5_000)).toBe(true);
  expect(view.leaders).toMatchObject([{ duty: "scheduler", name: "node-a", instanceId: a.c.instanceId }]);
  const t0 = performance.now();
  await neverTwo([a.c, b.c], "scheduler", async () => {
    await a.c.stop(1000);
    await waitFor(() => b.c.holds("scheduler"), { what: "node-b takes over", timeoutMs: 5_000, intervalMs: 10 });
  });
  // Handed over at the next renewal, well before the lease would have run out.
  expect(performance.now() - t0).toBeLessThan(timing.leaseTtlMs);
  expect(a.changes).toEqual([true, false]);
  expect(b.changes).toEqual([true]);
  expect((await b.c.view()).members.map((m) => m.name)).toEqual(["node-b"]);
});

test("a holder that lost the store gives up first; another takes over within the lease time; never two at once", async () => {
  const url = await (await pg.server()).createDatabase("lease_killed");
  const a = await member(url, "node-a");
  const b = await member(url, "node-b");
  const c = await member(url, "node-c");
  await a.c.start();
  await b.c.start();
  await c.c.start();
  expect(a.c.holds("scheduler")).toBe(true);
  let tookOverAfter = 0;
  await neverTwo([a.c, b.c, c.c], "scheduler", async () => {
    // The leader's connections die (as when its process is killed): it can neither renew nor release.
    await a.db.close();
    const t0 = performance.now();
    await waitFor(() => b.c.holds("scheduler") || c.c.holds("scheduler"), { what: "a new leader", timeoutMs: 10_000, intervalMs: 10 });
    tookOverAfter = performance.now() - t0;
  });
  expect(a.c.holds("scheduler")).toBe(false);
  expect(tookOverAfter).toBeLessThan(timing.leaseTtlMs + 2 * timing.heartbeatMs + 500);
  expect([b.c.holds("scheduler"), c.c.holds("scheduler")].filter(Boolean).length).toBe(1);
});

test("while PostgreSQL is down nobody leads; afterwards exactly one does again", async () => {
  const server = await pg.server();
  const url = await server.createDatabase("lease_outage");
  const a = await member(url, "node-a", ["scheduler", "reconcile"]);
  const b = await member(url, "node-b", ["scheduler", "reconcile"]);
  await a.c.start();
  await b.c.start();
  await neverTwo([a.c, b.c], "scheduler", async () => {
    const leader = a.c.holds("scheduler") ? a : b;
    expect(leader.changes).toEqual([true, true]);
    await server.halt();
    try {
      // The listeners hear of the loss when the lease may have run out, not when a hanging renewal gives up.
      await waitFor(() => leader.changes.length === 4, { what: "the leader is told it lost both duties", timeoutMs: timing.leaseTtlMs + 500, intervalMs: 10 });
      expect(leader.changes).toEqual([true, true, false, false]);
      expect(a.c.holds("scheduler") || b.c.holds("scheduler") || a.c.holds("reconcile") || b.c.holds("reconcile")).toBe(false);
    } finally {
      await server.resume();
    }
    await waitFor(() => [a, b].filter((m) => m.c.holds("scheduler")).length === 1, { what: "one leader after the outage", timeoutMs: 15_000, intervalMs: 10 });
  });
});

test("a heartbeat of half the lease time (the most the config allows) keeps the duty: no loss at each renewal", { timeout: wallLimit(20_000) }, async () => {
  const url = await (await pg.server()).createDatabase("lease_half");
  // Seconds, not hundreds of milliseconds: the slack before a renewal is late is a quarter of the lease, and a
  // machine busy with other jobs delays a timer by a few hundred milliseconds.
  const a = await member(url, "node-half", ["scheduler"], { leaseTtlMs: 4_000, heartbeatMs: 2_000 });
  await a.c.start();
  await Bun.sleep(8_500); // four renewals
  expect(a.changes).toEqual([true]);
});
