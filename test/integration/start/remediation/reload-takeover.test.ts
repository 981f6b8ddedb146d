// "Reload the app through the Engine" on two Stewards of one store (one SQLite file; one PostgreSQL database, each
// Steward on its own connections as a cluster's members are), against the simulator's QRS and Engine: a Steward
// that claimed the action and stopped before it submitted the reload leaves it to the next, which reloads once; one
// that stopped after submitting the reload job (before it recorded it) leaves a job the next Steward adopts: the app is
// reloaded once, never twice, also when two Stewards look for it at the same moment. A claim is written only by the
// Steward holding it; the action ends with its job, on whichever Steward looks. On PostgreSQL, a member killed while
// its reload ran leaves the job running: the survivor marks it interrupted once the member left the cluster.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createManualClock, systemClock, type ManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { QrsClient } from "../../../../src/platform/qlik";
import { QlikSchema } from "../../../../src/platform/qlik/config";
import { createEngineClient } from "../../../../src/platform/qlik/engine-client";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { createAppReloader, type AppReloader } from "../../../../src/start/control/app-reloader";
import { reloadSchema } from "../../../../src/start/control/config";
import { controlMigrations, createReloadJobStore } from "../../../../src/start/control/reload-jobs";
import { createStartFilter } from "../../../../src/start/control/start-filter";
import { createTaskStarter } from "../../../../src/start/control/task-starter";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { createWorker } from "../../../../src/start/remediation/worker";
import { createCauseAcknowledger } from "../../../../src/tell/grouping/cause-acknowledge";
import { groupingMigrations } from "../../../../src/tell/grouping/migrations";
import { createIncidentService, incidentMigrations, taskSubject } from "../../../../src/tell/incidents";
import { incidentsSchema } from "../../../../src/tell/incidents/config";
import type { Simulator } from "../../../../src/sim";
import { startSimWithQrs } from "../../../helpers/sim-with-qrs";
import { postgresBackend, sqliteBackend } from "../../../helpers/sql-backends";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const TASK = "5a2e0000-0000-4000-8000-000000000001";
const APP = "5a2e0000-0000-4000-8000-0000000000a1";
const SITE = `
site: { name: Reload take-over site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { id: ${APP}, name: CRM, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${TASK}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0 }
`;
const SETS = [coreMigrations, auditMigrations, incidentMigrations, groupingMigrations, remediationMigrations, controlMigrations];
const LEASE_MS = 30;
/**
 * The actions' time: claims, leases and due times are judged on it, and it moves only when a test says (a lease
 * lapses by `leases.advance`, never because a loaded machine made a pass slower than the lease). The reloads, the
 * Engine and the incidents run on the system clock.
 */
let leases: ManualClock;
beforeEach(() => {
  leases = createManualClock(Date.now());
});

let dir: TempDir;
let sim: Simulator;
let qrs: QrsClient;
const sqlite = sqliteBackend();
const pg = postgresBackend();
const reloaders: AppReloader[] = [];
const pgStores: SqlDb[] = [];
let databases = 0;

/** The store of each of the two Stewards: one SQLite file both open, or one PostgreSQL database, a connection pool each. */
const STORES: Array<{ name: string; pair(): Promise<[SqlDb, SqlDb]> }> = [
  {
    name: "sqlite",
    async pair() {
      const db = await sqlite.open(SETS);
      return [db, db];
    },
  },
  {
    name: "postgres",
    async pair() {
      const url = await (await pg.server()).createDatabase(`steward_reload_takeover_${process.pid}_${++databases}`);
      const open = () => openPostgresStore({ url, maxConnections: 4, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" }, SETS);
      const dbA = await open();
      const dbB = await open();
      pgStores.push(dbA, dbB);
      return [dbA, dbB];
    },
  },
];
beforeAll(async () => {
  dir = createTempDir("steward-remedy-reload-takeover-");
  ({ sim, qrs } = await startSimWithQrs(SITE, dir.path));
}, 60_000);
afterAll(async () => {
  for (const r of reloaders) await r.stop(1000);
  for (const db of pgStores) await db.close();
  await sim?.stop();
  await sqlite.shutdown();
  await pg.shutdown();
  dir?.remove();
});

/** One Steward on the shared store: its app reloader (on the simulator's Engine) and its remediation worker. */
/** The cluster's live members, as each Steward's member list shows them (a killed member drops out once its heartbeat ages). */
let live = ["node-a", "node-b", "node-a2"];

async function steward(db: SqlDb, instanceId: string) {
  const log = createSilentLogger();
  const clock = systemClock;
  const audit = createAuditLog(db, clock);
  const taskStarter = createTaskStarter({
    qrs,
    filter: createStartFilter({ enabled: false, taskIds: [], tags: [], customProperties: [] }),
    audit,
    log,
    metrics: createMetricsRegistry(),
  });
  const qlik = QlikSchema.parse({ host: "127.0.0.1", qrsPort: sim.ports.qrs, enginePort: sim.ports.engine, certDir: sim.certDir, timeoutMs: 5000 });
  const reloader = createAppReloader({
    engine: createEngineClient(qlik, { baseDir: dir.path, log, clock }),
    starter: taskStarter,
    jobs: createReloadJobStore(db, clock, instanceId),
    liveInstances: async () => [...live],
    audit,
    log,
    metrics: createMetricsRegistry(),
    clock,
    cfg: reloadSchema().parse({}),
  });
  await reloader.start();
  reloaders.push(reloader);
  const incidents = createIncidentService(incidentsSchema().parse({}), { db, clock, log, causes: createCauseAcknowledger(db) });
  const store = createActionStore(db);
  const worker = createWorker({ store, clock: leases, log, audit, instanceId, qrs, taskStarter, incidents, reloader, leaseMs: LEASE_MS, pollMs: 15_000 });
  return { reloader, worker, store, incidents, audit };
}

async function askReload(s: Awaited<ReturnType<typeof steward>>) {
  const now = leases.now();
  const incident = await s.incidents.raise({
    subject: taskSubject(TASK),
    taskId: TASK,
    title: "Reload CRM",
    eventId: `run-${now}`,
    kind: "task.failed",
    summary: "connection refused",
    at: now,
    failedRun: true,
    errorClass: "connection",
  });
  const { action } = await s.store.add({
    incidentId: incident.id,
    taskId: TASK,
    taskName: "Reload CRM",
    kind: "reload",
    requestedBy: "anna@corp.example",
    requestedFrom: "link",
    requestedAt: now,
    dueAt: now,
  });
  return action;
}

/** What node-a leaves when it is killed mid-reload: its job running (its own row, owner node-a), the action started on it. */
async function killedMidReload(db: SqlDb, a: Awaited<ReturnType<typeof steward>>, actionId: number) {
  const got = (await a.store.claim(actionId, "node-a", leases.now(), LEASE_MS))!;
  const job = {
    jobId: crypto.randomUUID(),
    appId: APP,
    status: "running" as const,
    phase: "reloading" as const,
    request: { reloadMode: 0 as const, partialReload: false, startQSEoWTaskOnSuccess: [], startQSEoWTaskOnFailure: [] },
    requestedBy: { kind: "remediation", name: "anna@corp.example" },
    createdAt: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    scriptLogTail: [],
  };
  await createReloadJobStore(db, systemClock, "node-a").insert(job);
  expect(await a.store.started(got.claim, leases.now(), job.jobId, "the Engine took the reload")).toBe(true);
  return job;
}

const engineReloads = () => sim.engine.reloads.filter((r) => r.appId === APP).length;

for (const store of STORES) {
  describe(`reload take-over (${store.name})`, () => {
    test("a Steward that stopped after submitting the reload leaves a job the next one adopts: one Engine reload, ended once", {
      timeout: 60_000,
    }, async () => {
      const [dbA, dbB] = await store.pair();
      const a = await steward(dbA, "node-a");
      const b = await steward(dbB, "node-b");
      const action = await askReload(a);
      const before = engineReloads();
      // node-a claims it and submits the reload, then stops before recording it (its step is never written).
      const got = await a.store.claim(action.id, "node-a", leases.now(), LEASE_MS);
      expect(got).toBeDefined();
      const job = await a.reloader.submit(
        APP,
        { reloadMode: 0, partialReload: false, startQSEoWTaskOnSuccess: [], startQSEoWTaskOnFailure: [] },
        {
          kind: "remediation",
          name: "anna@corp.example",
        },
      );
      await leases.advance(LEASE_MS * 2);
      // node-b and node-a started again (a new instance, on node-a's connections) look at the same moment: one adopts.
      const again = await steward(dbA, "node-a2");
      await Promise.all([b.worker.pass(), again.worker.pass()]);
      const taken = (await b.store.get(action.id))!;
      expect(taken).toMatchObject({ takenFrom: "node-a", executionId: job.jobId, claims: 2 });
      // Started, or already ended: the job of 20 ms may have ended before the slower of the two looks followed it.
      expect(["started", "ended"]).toContain(taken.status);
      expect(["node-b", "node-a2"]).toContain(taken.claimedBy!);
      // Its answer then is the job's end; the audit keeps the adoption, once.
      const adopted = [...(await b.audit.query({ action: "remediation.reload" })), ...(await again.audit.query({ action: "remediation.reload" }))].filter(
        (x) => (x.details as { adopted?: boolean } | undefined)?.adopted === true,
      );
      expect(new Set(adopted.map((x) => x.id)).size).toBe(1);
      expect(String((adopted[0]!.details as { answer?: string }).answer)).toContain(`adopted the Engine reload job ${job.jobId} that node-a submitted`);
      await waitFor(async () => (await a.reloader.get(job.jobId))?.status === "succeeded", { what: "the job to end", timeoutMs: 20_000 });
      await b.worker.pass();
      await a.worker.pass();
      expect(await b.store.get(action.id)).toMatchObject({ status: "ended", outcome: "succeeded" });
      expect(engineReloads() - before).toBe(1);
    });

    test("a Steward that stopped before submitting leaves the action to the next, which reloads once", { timeout: 60_000 }, async () => {
      const [dbA, dbB] = await store.pair();
      const a = await steward(dbA, "node-a");
      const b = await steward(dbB, "node-b");
      const action = await askReload(a);
      const before = engineReloads();
      expect(await a.store.claim(action.id, "node-a", leases.now(), LEASE_MS)).toBeDefined();
      await leases.advance(LEASE_MS * 2);
      // Both look; one of them acts (node-a's old claim is gone, its own pass claims anew or finds it taken).
      await Promise.all([b.worker.pass(), a.worker.pass()]);
      await waitFor(async () => (await b.store.get(action.id))?.status === "started", { what: "the reload to start" });
      const row = (await b.store.get(action.id))!;
      await waitFor(async () => (await a.reloader.get(row.executionId!))?.status === "succeeded", { what: "the job to end", timeoutMs: 20_000 });
      await b.worker.pass();
      expect(await b.store.get(action.id)).toMatchObject({ status: "ended", outcome: "succeeded", claims: 2 });
      expect(engineReloads() - before).toBe(1);
    });

    if (store.name === "postgres")
      test("a member killed while its reload ran: the survivor marks the job interrupted and ends the action aborted at its next look", {
        timeout: 60_000,
      }, async () => {
        live = ["node-a", "node-b", "node-a2"];
        const [dbA, dbB] = await store.pair();
        const a = await steward(dbA, "node-a");
        const b = await steward(dbB, "node-b");
        const action = await askReload(a);
        const job = await killedMidReload(dbA, a, action.id);
        // While node-a is alive, its job is its own: the survivor's look leaves it running.
        await b.worker.pass();
        expect(await b.store.get(action.id)).toMatchObject({ status: "started" });
        expect((await b.reloader.get(job.jobId))?.status).toBe("running");
        // node-a's heartbeat aged past the cluster's lease: it is gone. node-b's next look ends it, without a restart.
        live = ["node-b"];
        await b.worker.pass();
        expect((await b.reloader.get(job.jobId))?.status).toBe("interrupted");
        const row = (await b.store.get(action.id))!;
        expect(row).toMatchObject({ status: "ended", outcome: "aborted" });
        expect(row.qlikAnswer).toContain(`the Engine reload was interrupted (reload job ${job.jobId})`);
        expect(row.qlikAnswer).toContain("left the cluster");
      });

    if (store.name === "sqlite")
      test("a lone Steward killed while its reload ran: started again, it marks the job interrupted and ends the action aborted", {
        timeout: 60_000,
      }, async () => {
        const [db] = await store.pair();
        live = ["node-a", "node-b", "node-a2"];
        const a = await steward(db, "node-a");
        const action = await askReload(a);
        const job = await killedMidReload(db, a, action.id);
        // Alone there is no member list: the Steward started again takes every job left running as its own before it.
        live = [];
        const again = await steward(db, "node-a2");
        await again.worker.pass();
        expect((await again.reloader.get(job.jobId))?.status).toBe("interrupted");
        expect(await again.store.get(action.id)).toMatchObject({ status: "ended", outcome: "aborted" });
      });
  });
}
