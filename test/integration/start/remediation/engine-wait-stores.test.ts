// The worker's wait for a free engine on SQLite and PostgreSQL, against the simulator's QRS (node Reload01 runs one
// reload at a time): a chain's start asked while Hold engine runs there stays pending, its row saying so, and nothing is
// started; once Hold engine ended the next pass starts it, and the store lists its run among the runs remediation
// started (what the watchdog's queue look leaves out) until it ended. Where QRS refuses the Scheduler's settings, the
// limit is unknown and the start is not held for an engine (as before issue 101).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { QrsClient } from "../../../../src/platform/qlik";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import type { SqlDb } from "../../../../src/platform/store/sql";
import type { Simulator } from "../../../../src/sim";
import { createStartFilter } from "../../../../src/start/control/start-filter";
import { createTaskStarter } from "../../../../src/start/control/task-starter";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { createEngineRooms } from "../../../../src/start/remediation/engine-room";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { createWorker } from "../../../../src/start/remediation/worker";
import { createCauseAcknowledger } from "../../../../src/tell/grouping/cause-acknowledge";
import { groupingMigrations } from "../../../../src/tell/grouping/migrations";
import { createIncidentService, incidentMigrations, taskSubject } from "../../../../src/tell/incidents";
import { incidentsSchema } from "../../../../src/tell/incidents/config";
import { startSimWithQrs } from "../../../helpers/sim-with-qrs";
import { postgresBackend, type SqlBackend, sqliteBackend } from "../../../helpers/sql-backends";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const HOLD = "e7ee0000-0000-4000-8000-000000000001";
const EXTRACT = "e7ee0000-0000-4000-8000-000000000002";
const SITE = `
site: { name: Engine wait site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example, scheduler: { maxConcurrentEngines: 1, engineTimeout: 0 } }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: Orders, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${HOLD}, name: Hold engine, type: reload, app: Orders, node: Reload01 }
  - { id: ${EXTRACT}, name: Extract orders, type: reload, app: Orders, node: Reload01 }
`;
const T0 = Date.UTC(2026, 10, 28, 2, 0, 0);
const SETS = [coreMigrations, auditMigrations, incidentMigrations, groupingMigrations, remediationMigrations];

let dir: TempDir;
let sim: Simulator;
let qrs: QrsClient;
beforeAll(async () => {
  dir = createTempDir("steward-engine-wait-");
  ({ sim, qrs } = await startSimWithQrs(SITE, dir.path));
}, 60_000);
afterAll(async () => {
  await sim?.stop();
  dir?.remove();
});

const startsOf = (taskId: string) =>
  sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;
/** Hold engine started by an admin for 10 minutes, once it holds the engine (Started, past Triggered). */
async function holdEngine(): Promise<void> {
  sim.tasks.start(HOLD, { durationMs: 600_000, user: "CORP\\anna" });
  await waitFor(() => [...sim.repo.executions.values()].some((e) => e.taskId === HOLD && e.status === 2), { what: "Hold engine to start" });
}
const idle = (taskId: string) => waitFor(() => !sim.tasks.isRunning(taskId), { what: `task ${taskId} to end`, timeoutMs: 20_000 });

/** A worker with the engine check on the simulator's QRS, and a chain's start of Extract orders on reload01 asked for. */
async function chainStartAsked(db: SqlDb) {
  const clock = createManualClock(T0);
  const log = createSilentLogger();
  const audit = createAuditLog(db, clock);
  const taskStarter = createTaskStarter({
    qrs,
    filter: createStartFilter({ enabled: false, taskIds: [], tags: [], customProperties: [] }),
    audit,
    log,
    metrics: createMetricsRegistry(),
  });
  const store = createActionStore(db);
  const incidents = createIncidentService(incidentsSchema().parse({}), { db, clock, log, causes: createCauseAcknowledger(db) });
  const engines = createEngineRooms(qrs, log);
  const w = createWorker({ store, clock, log, audit, instanceId: "node-a", qrs, taskStarter, incidents, engines, leaseMs: 120_000, pollMs: 15_000 });
  const incident = await incidents.raise({
    subject: taskSubject(EXTRACT),
    taskId: EXTRACT,
    title: "Extract orders",
    eventId: `run-${EXTRACT}-${T0}`,
    kind: "task.failed",
    summary: "Field 'OrderDate' not found",
    at: T0,
    failedRun: true,
  });
  const { action } = await store.add({
    incidentId: incident.id,
    taskId: EXTRACT,
    taskName: "Extract orders",
    node: "reload01.test.example",
    kind: "chain",
    requestedBy: "anna@corp.example",
    requestedFrom: "rest",
    requestedAt: T0,
    dueAt: T0,
  });
  return { w, store, action };
}

for (const backend of [sqliteBackend(), postgresBackend()] as SqlBackend[]) {
  describe(`a chain's start waits for a free engine (${backend.name})`, () => {
    afterAll(() => backend.shutdown());

    test("pending while Hold engine runs, started at the first pass after it ended, listed as remediation's run", { timeout: 60_000 }, async () => {
      await idle(HOLD);
      await idle(EXTRACT);
      const db = await backend.open(SETS);
      const { w, store, action } = await chainStartAsked(db);
      const before = startsOf(EXTRACT);
      await holdEngine();
      await w.pass();
      const waiting = (await store.get(action.id))!;
      expect(waiting).toMatchObject({ status: "pending", qlikAnswer: "waiting for a free engine on reload01.test.example: 1 of 1 busy" });
      expect(startsOf(EXTRACT)).toBe(before);
      sim.tasks.abort(HOLD, "CORP\\anna");
      await idle(HOLD);
      await w.pass();
      const started = (await store.get(action.id))!;
      expect(started.status).toBe("started");
      expect(started.qlikAnswer).toContain("once reload01.test.example had a free engine (0 of 1 busy, none waiting)");
      expect(startsOf(EXTRACT)).toBe(before + 1);
      expect([...(await store.startedRuns())]).toEqual([started.executionId!.toLowerCase()]);
      await store.ended(EXTRACT, T0 + 60_000, "succeeded", null, started.executionId!);
      expect((await store.startedRuns()).size).toBe(0);
    });

    test("where QRS refuses the Scheduler's settings, the limit is unknown: the start is not held for an engine", { timeout: 60_000 }, async () => {
      await idle(HOLD);
      await idle(EXTRACT);
      const fault = sim.faults.add({ target: "qrs", pathContains: "schedulerservice", status: 403, body: "Forbidden" }, Date.now());
      try {
        const db = await backend.open(SETS);
        const { w, store, action } = await chainStartAsked(db);
        await holdEngine();
        await w.pass();
        expect((await store.get(action.id))!.status).toBe("started");
      } finally {
        sim.faults.remove(fault.id);
        sim.tasks.abort(HOLD, "CORP\\anna");
        await idle(EXTRACT);
        await idle(HOLD);
      }
    });
  });
}
