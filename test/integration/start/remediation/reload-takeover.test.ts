// "Reload the app through the Engine" on two Stewards of one store, against the simulator's QRS and Engine: a Steward
// that claimed the action and stopped before it submitted the reload leaves it to the next, which reloads once; one
// that stopped after submitting the reload job (before it recorded it) leaves a job the next Steward adopts: the app is
// reloaded once, never twice. A claim is written only by the Steward holding it; the action ends with its job, on
// whichever Steward looks.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { systemClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { QrsClient } from "../../../../src/platform/qlik";
import { QlikSchema } from "../../../../src/platform/qlik/config";
import { createEngineClient } from "../../../../src/platform/qlik/engine-client";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
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
import { sqliteBackend } from "../../../helpers/sql-backends";
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

let dir: TempDir;
let sim: Simulator;
let qrs: QrsClient;
const backend = sqliteBackend();
const reloaders: AppReloader[] = [];
beforeAll(async () => {
  dir = createTempDir("steward-remedy-reload-takeover-");
  ({ sim, qrs } = await startSimWithQrs(SITE, dir.path));
}, 60_000);
afterAll(async () => {
  for (const r of reloaders) await r.stop(1000);
  await sim?.stop();
  await backend.shutdown();
  dir?.remove();
});

/** One Steward on the shared store: its app reloader (on the simulator's Engine) and its remediation worker. */
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
    liveInstances: async () => ["node-a", "node-b"],
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
  const worker = createWorker({ store, clock, log, audit, instanceId, qrs, taskStarter, incidents, reloader, leaseMs: LEASE_MS, pollMs: 15_000 });
  return { reloader, worker, store, incidents };
}

async function askReload(s: Awaited<ReturnType<typeof steward>>) {
  const now = Date.now();
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

const engineReloads = () => sim.engine.reloads.filter((r) => r.appId === APP).length;

test("a Steward that stopped after submitting the reload leaves a job the next one adopts: one Engine reload, ended once", { timeout: 60_000 }, async () => {
  const db = await backend.open(SETS);
  const a = await steward(db, "node-a");
  const b = await steward(db, "node-b");
  const action = await askReload(a);
  const before = engineReloads();
  // node-a claims it and submits the reload, then stops before recording it (its step is never written).
  const got = await a.store.claim(action.id, "node-a", Date.now(), LEASE_MS);
  expect(got).toBeDefined();
  const job = await a.reloader.submit(
    APP,
    { reloadMode: 0, partialReload: false, startQSEoWTaskOnSuccess: [], startQSEoWTaskOnFailure: [] },
    {
      kind: "remediation",
      name: "anna@corp.example",
    },
  );
  await Bun.sleep(LEASE_MS * 2);
  await b.worker.pass();
  const taken = (await b.store.get(action.id))!;
  expect(taken).toMatchObject({ status: "started", claimedBy: "node-b", takenFrom: "node-a", executionId: job.jobId, claims: 2 });
  expect(taken.qlikAnswer).toContain(`adopted the Engine reload job ${job.jobId} that node-a submitted`);
  await waitFor(async () => (await a.reloader.get(job.jobId))?.status === "succeeded", { what: "the job to end", timeoutMs: 20_000 });
  await b.worker.pass();
  await a.worker.pass();
  expect(await b.store.get(action.id)).toMatchObject({ status: "ended", outcome: "succeeded" });
  expect(engineReloads() - before).toBe(1);
});

test("a Steward that stopped before submitting leaves the action to the next, which reloads once", { timeout: 60_000 }, async () => {
  const db = await backend.open(SETS);
  const a = await steward(db, "node-a");
  const b = await steward(db, "node-b");
  const action = await askReload(a);
  const before = engineReloads();
  expect(await a.store.claim(action.id, "node-a", Date.now(), LEASE_MS)).toBeDefined();
  await Bun.sleep(LEASE_MS * 2);
  // Both look; one of them acts (node-a's old claim is gone, its own pass claims anew or finds it taken).
  await Promise.all([b.worker.pass(), a.worker.pass()]);
  await waitFor(async () => (await b.store.get(action.id))?.status === "started", { what: "the reload to start" });
  const row = (await b.store.get(action.id))!;
  await waitFor(async () => (await a.reloader.get(row.executionId!))?.status === "succeeded", { what: "the job to end", timeoutMs: 20_000 });
  await b.worker.pass();
  expect(await b.store.get(action.id)).toMatchObject({ status: "ended", outcome: "succeeded", claims: 2 });
  expect(engineReloads() - before).toBe(1);
});
