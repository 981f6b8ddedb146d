// Three schedulers sharing one PostgreSQL store, each behind its own cluster membership: a schedule created
// through a Steward that does not lead fires on the leader, once per occurrence; when the leader dies (its
// connections cut mid-run) another takes over within the lease time and makes the fires missed meanwhile up
// once; no occurrence ever starts the task twice.
import { afterAll, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../src/audit/audit-log";
import { createPostgresCluster, type Cluster } from "../../../src/cluster";
import { clusterMigrations } from "../../../src/cluster/migrations";
import { SchedulerSchema } from "../../../src/config/sections/scheduler";
import { systemClock } from "../../../src/core/clock";
import { createEventBus } from "../../../src/core/bus";
import { createSilentLogger } from "../../../src/core/logger";
import { createMetricsRegistry } from "../../../src/core/metrics";
import type { TaskStarter } from "../../../src/control/types";
import type { DomainEvents } from "../../../src/events/types";
import { createScheduler, schedulerMigrations, type Scheduler } from "../../../src/scheduler";
import { openPostgresStore } from "../../../src/store/postgres-store";
import type { SqlDb } from "../../../src/store/sql";
import { postgresBackend } from "../../helpers/sql-backends";
import { waitFor } from "../../helpers/wait-for";

const pg = postgresBackend();
const timing = { leaseTtlMs: 1_500, heartbeatMs: 250 };
const TASK = "11111111-2222-3333-4444-555555555555";
const nodes: Node[] = [];
afterAll(async () => {
  for (const n of nodes) await n.shutdown();
  await pg.shutdown();
});

interface Node {
  name: string;
  db: SqlDb;
  cluster: Cluster;
  scheduler: Scheduler;
  shutdown(): Promise<void>;
}

/** Every task start any node made: when, and by which node. */
const starts: Array<{ at: number; node: string }> = [];

async function node(url: string, name: string): Promise<Node> {
  const db = await openPostgresStore({ url, maxConnections: 3, connectTimeoutMs: 2_000, tls: false, applicationName: name }, [auditMigrations, schedulerMigrations, clusterMigrations]);
  const log = createSilentLogger();
  const cluster = createPostgresCluster(timing, { db, log, version: "test", instanceName: name });
  const taskStarter: TaskStarter = {
    async start(sel) {
      starts.push({ at: Date.now(), node: name });
      return { started: (sel.taskIds ?? []).map((taskId) => ({ taskId, taskName: "Sales", status: "started" as const })), notFound: [], invalid: [], denied: [], byTag: [], byCustomProperty: [] };
    },
  };
  const scheduler = createScheduler(SchedulerSchema.parse({}), {
    db,
    clock: systemClock,
    log,
    audit: createAuditLog(db, systemClock),
    metrics: createMetricsRegistry(),
    bus: createEventBus<DomainEvents>(log),
    taskStarter,
    duty: { holds: () => cluster.holds("scheduler"), onChange: (fn) => cluster.onDuty("scheduler", fn) },
    syncIntervalMs: 200,
    takeoverGraceMs: timing.leaseTtlMs + 4 * timing.heartbeatMs,
  });
  await scheduler.start();
  await cluster.start();
  let down = false;
  const n: Node = {
    name,
    db,
    cluster,
    scheduler,
    async shutdown() {
      if (down) return;
      down = true;
      await scheduler.stop(1000);
      await cluster.stop(1000);
      await db.close();
    },
  };
  nodes.push(n);
  return n;
}

test("a schedule fires once per occurrence across three Stewards, through the death of the leader", async () => {
  const url = await (await pg.server()).createDatabase("sched_cluster");
  const a = await node(url, "node-a");
  const b = await node(url, "node-b");
  const c = await node(url, "node-c");
  await waitFor(() => [a, b, c].filter((n) => n.cluster.holds("scheduler")).length === 1, { what: "one leader" });
  const leader = [a, b, c].find((n) => n.cluster.holds("scheduler"))!;
  const other = [a, b, c].find((n) => n !== leader)!;
  // Created through a Steward that does not lead: the leader picks it up from the store.
  const s = await other.scheduler.create({ name: "every second", qlikSenseTaskId: TASK, cronSchedule: "* * * * * *", timezone: "UTC", catchUp: false }, { kind: "apiKey", name: "ops" });
  await waitFor(() => starts.length >= 3, { what: "three fires", timeoutMs: 10_000 });
  expect(new Set(starts.map((x) => x.node))).toEqual(new Set([leader.name]));

  // The leader dies: its connections are cut, it can neither fire nor hand over.
  await leader.db.close();
  const killedAt = Date.now();
  const survivors = [a, b, c].filter((n) => n !== leader);
  await waitFor(() => survivors.some((n) => n.cluster.holds("scheduler")), { what: "a new leader", timeoutMs: 10_000 });
  const newLeader = survivors.find((n) => n.cluster.holds("scheduler"))!;
  await waitFor(() => starts.filter((x) => x.node === newLeader.name).length >= 3, { what: "fires by the new leader", timeoutMs: 10_000 });
  const missed = (await newLeader.scheduler.get(s.id))!.missed;
  for (const n of survivors) await n.shutdown();
  await leader.cluster.stop(100);
  await leader.scheduler.stop(100);

  // No occurrence twice: fires of one occurrence would come within milliseconds of each other.
  const times = starts.map((x) => x.at).sort((p, q) => p - q);
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThan(300);
  // None lost beyond the rule: every second from the first to the last fire has its own fire, except the
  // seconds the lead was vacant, which are made up by one fire of the new leader (reported as missed).
  expect(missed).toMatchObject({ caughtUp: true });
  expect(Date.parse(missed!.first)).toBeGreaterThanOrEqual(killedAt - 1000);
  const seconds = new Set(times.map((t) => Math.floor(t / 1000)));
  const first = Math.floor(times[0]! / 1000);
  const last = Math.floor(times[times.length - 1]! / 1000);
  const vacant = new Set<number>();
  for (let t = Date.parse(missed!.first); t <= Date.parse(missed!.last); t += 1000) vacant.add(Math.floor(t / 1000));
  const uncovered = [];
  for (let sec = first; sec <= last; sec++) if (!seconds.has(sec) && !vacant.has(sec)) uncovered.push(sec);
  expect(uncovered).toEqual([]);
  expect(vacant.size).toBe(missed!.count);
  // The takeover came within the lease time (plus a renewal and the one-second cron step).
  expect(Date.parse(missed!.detectedAt) - killedAt).toBeLessThan(timing.leaseTtlMs + 2 * timing.heartbeatMs + 1000);
});
