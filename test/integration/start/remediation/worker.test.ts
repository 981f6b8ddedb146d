// The worker of approved remediation against the simulator's QRS, on SQLite and PostgreSQL, on a manual clock: a
// retry asked "in 5 minutes" starts nothing at 4 min 59 s and the task once at 5 min; a task a person disabled is not
// started; two Stewards on one PostgreSQL start an action once; a Steward that takes over the claim of one that
// stopped mid-way starts the task when the first had not, and adopts the run when the first's start had reached Qlik.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createAuditLog } from "../../../../src/platform/audit/audit-log";
import { auditMigrations } from "../../../../src/platform/audit/audit-log";
import { createManualClock, type ManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { createStartFilter } from "../../../../src/start/control/start-filter";
import { createTaskStarter } from "../../../../src/start/control/task-starter";
import { createActionStore, type ActionStore } from "../../../../src/start/remediation/action-store";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { createWorker } from "../../../../src/start/remediation/worker";
import { createCauseAcknowledger } from "../../../../src/tell/grouping/cause-acknowledge";
import { groupingMigrations } from "../../../../src/tell/grouping/migrations";
import { createIncidentService, incidentMigrations, taskSubject } from "../../../../src/tell/incidents";
import { incidentsSchema } from "../../../../src/tell/incidents/config";
import type { Simulator } from "../../../../src/sim";
import type { QrsClient } from "../../../../src/platform/qlik";
import { eq } from "../../../../src/platform/qlik/qrs-filter";
import { postgresBackend, sqliteBackend, type SqlBackend } from "../../../helpers/sql-backends";
import { startSimWithQrs } from "../../../helpers/sim-with-qrs";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const TASK = "5a1e0000-0000-4000-8000-000000000001";
const OFF = "5a1e0000-0000-4000-8000-000000000002";
const SITE = `
site: { name: Remediation worker site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${TASK}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0 }
  - { id: ${OFF}, name: Reload CRM off, type: reload, app: CRM, maxRetries: 0, enabled: false }
`;
const T0 = Date.UTC(2026, 10, 27, 2, 0, 0);
const MIN = 60_000;
const SETS = [coreMigrations, auditMigrations, incidentMigrations, groupingMigrations, remediationMigrations];

let dir: TempDir;
let sim: Simulator;
let qrs: QrsClient;
beforeAll(async () => {
  dir = createTempDir("steward-remedy-worker-");
  ({ sim, qrs } = await startSimWithQrs(SITE, dir.path));
}, 60_000);
afterAll(async () => {
  await sim?.stop();
  dir?.remove();
});

/** The starts the simulator's QRS was asked for, of one task. */
const startsOf = (taskId: string) =>
  sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;

/** The incidents service on the store, with the causes that hold incidents (tell/grouping's tables). */
const incidentsOn = (db: SqlDb, clock: ManualClock) =>
  createIncidentService(incidentsSchema().parse({}), { db, clock, log: createSilentLogger(), causes: createCauseAcknowledger(db) });

function worker(db: SqlDb, clock: ManualClock, instanceId: string, leaseMs = 2 * MIN, opts: { store?: ActionStore; idlePollMs?: () => number } = {}) {
  const log = createSilentLogger();
  const audit = createAuditLog(db, clock);
  const taskStarter = createTaskStarter({
    qrs,
    filter: createStartFilter({ enabled: false, taskIds: [], tags: [], customProperties: [] }),
    audit,
    log,
    metrics: createMetricsRegistry(),
  });
  const store = opts.store ?? createActionStore(db);
  const incidents = incidentsOn(db, clock);
  const idlePollMs = opts.idlePollMs ? { idlePollMs: opts.idlePollMs } : {};
  const w = createWorker({ store, clock, log, audit, instanceId, qrs, taskStarter, incidents, leaseMs, pollMs: 15_000, ...idlePollMs });
  return { w, store, audit, incidents };
}

/** Opens the task's incident (a connection error) and asks for its retry in `inMs`. */
async function ask(db: SqlDb, store: ActionStore, clock: ManualClock, taskId: string, inMs: number) {
  const now = clock.now();
  const incident = await incidentsOn(db, clock).raise({
    subject: taskSubject(taskId),
    taskId,
    title: "Reload CRM",
    eventId: `run-${taskId}-${now}`,
    kind: "task.failed",
    summary: "connection refused",
    at: now,
    failedRun: true,
    errorClass: "connection",
  });
  return store.add({
    incidentId: incident.id,
    taskId,
    taskName: "Reload CRM",
    kind: "retry",
    requestedBy: "anna@corp.example",
    requestedFrom: "link",
    requestedAt: now,
    dueAt: now + inMs,
  });
}

const idle = (taskId: string) => waitFor(() => !sim.tasks.isRunning(taskId), { what: `task ${taskId} to end` });

for (const backend of [sqliteBackend(), postgresBackend()] as SqlBackend[]) {
  describe(`remediation worker (${backend.name})`, () => {
    afterAll(() => backend.shutdown());

    test("a retry in 5 minutes starts nothing before its time and the task once at it, on the clock's timer", { timeout: 30_000 }, async () => {
      await idle(TASK);
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const { w, store, audit } = worker(db, clock, "node-a");
      w.component.start();
      const before = startsOf(TASK);
      const { action } = await ask(db, store, clock, TASK, 5 * MIN);
      await w.poke();
      await clock.advance(5 * MIN - 1000);
      await w.pass();
      expect(startsOf(TASK)).toBe(before);
      expect((await store.get(action.id))!.status).toBe("pending");
      await clock.advance(1000); // the timer armed for the action's minute fires: no pass called here
      await waitFor(async () => (await store.get(action.id))!.status === "started", { what: "the action to be started" });
      expect(startsOf(TASK)).toBe(before + 1);
      const done = (await store.get(action.id))!;
      expect(done.qlikAnswer).toMatch(/^Qlik started the task \(execution session [0-9a-f-]{36}\)$/);
      expect(done.startedAt).toBe(T0 + 5 * MIN);
      expect(done.claimedBy).toBe("node-a");
      await clock.advance(10 * MIN);
      await w.pass();
      expect(startsOf(TASK)).toBe(before + 1);
      await w.component.stop(1000);
      await audit.flush();
      const entries = await audit.query({ action: "remediation.retry" });
      expect(entries).toHaveLength(1);
      expect(entries[0]!.actor).toMatchObject({ kind: "remediation", name: "anna@corp.example" });
      expect(entries[0]!.details).toMatchObject({ actionId: action.id, requestedFrom: "link", by: "node-a" });
      expect((await audit.query({ action: "task.start" }))[0]!.details).toMatchObject({ executionSessionId: done.executionId });
    });

    test("with no action unfinished it looks at its idle pace, at pollInterval again once one is asked for", async () => {
      // An idle Steward on PostgreSQL sent two remediation statements every 15 s (idle-site-statements.test.ts, issue 89).
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const real = createActionStore(db);
      let looks = 0;
      const store: ActionStore = {
        ...real,
        due: (...a) => {
          looks++;
          return real.due(...a);
        },
      };
      const { w } = worker(db, clock, "node-a", 2 * MIN, { store, idlePollMs: () => 60 * MIN });
      w.component.start();
      await w.poke(); // one look, then the timer armed at the idle pace
      looks = 0;
      for (let i = 0; i < 8; i++) await clock.advance(15_000);
      expect(looks).toBe(0);
      // Added to the store as another member would: this Steward finds it at its idle look, then looks every 15 s.
      await ask(db, store, clock, "9b0e0000-0000-4000-8000-0000000000f3", 90 * MIN);
      await clock.advance(58 * MIN);
      expect(looks).toBe(1);
      for (let i = 0; i < 4; i++) await clock.advance(15_000);
      expect(looks).toBeGreaterThanOrEqual(4);
      await w.component.stop(1000);
    });

    test("the timer is armed for what falls due later, not again for an action due and still waiting", async () => {
      // A re-run due since it was asked for waits for its queue to drain: arming for it would be a timer of 0 again
      // and again (a loop on the database; on a stepped clock, time that never moves on: queue-chain-e2e.test.ts).
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const store = createActionStore(db);
      await ask(db, store, clock, "9b0e0000-0000-4000-8000-0000000000f1", 0);
      expect(await store.nextDue(clock.now())).toBeUndefined();
      await ask(db, store, clock, "9b0e0000-0000-4000-8000-0000000000f2", 5 * MIN);
      expect(await store.nextDue(clock.now())).toBe(T0 + 5 * MIN);
    });

    test("a task a person disabled is not started: the action ends saying so", { timeout: 30_000 }, async () => {
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const { w, store } = worker(db, clock, "node-a");
      const { action } = await ask(db, store, clock, OFF, 0);
      await w.pass();
      const a = (await store.get(action.id))!;
      expect(a.status).toBe("failed");
      expect(a.qlikAnswer).toContain("disabled in the QMC");
      expect(startsOf(OFF)).toBe(0);
    });

    test("a task has one action not yet ended: a second ask joins the first", { timeout: 30_000 }, async () => {
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const store = createActionStore(db);
      const first = await ask(db, store, clock, TASK, MIN);
      const second = await ask(db, store, clock, TASK.toUpperCase(), 0);
      expect(first.added).toBe(true);
      expect(second).toMatchObject({ added: false, action: { id: first.action.id } });
    });

    test("a Steward taking over a claim whose Steward stopped before starting starts the task once", { timeout: 30_000 }, async () => {
      await idle(TASK);
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const { w, store } = worker(db, clock, "node-b");
      const before = startsOf(TASK);
      const { action } = await ask(db, store, clock, TASK, 0);
      // node-a claimed it and stopped (killed) before it looked at QRS.
      expect(await store.claim(action.id, "node-a", clock.now(), 2 * MIN)).toBeDefined();
      await w.pass();
      expect(startsOf(TASK)).toBe(before); // its lease holds
      await clock.advance(2 * MIN + 1);
      await w.pass();
      const a = (await store.get(action.id))!;
      // The simulator's run is short: the pass may already have seen it end.
      expect(a).toMatchObject({ claimedBy: "node-b", claims: 2 });
      expect(["started", "ended"]).toContain(a.status);
      expect(startsOf(TASK)).toBe(before + 1);
    });

    test("a Steward taking over a claim whose Steward's start had reached Qlik adopts that run: not started twice", { timeout: 30_000 }, async () => {
      await idle(TASK);
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const { w, store } = worker(db, clock, "node-b");
      const { action } = await ask(db, store, clock, TASK, 0);
      // node-a claimed it, looked at the task's last run, started it through QRS and was killed before recording it.
      const got = (await store.claim(action.id, "node-a", clock.now(), 2 * MIN))!;
      const [task] = await qrs.listTasksFull(eq("id", TASK));
      expect(await store.seen(got.claim, task!.operational?.lastExecutionResult?.id ?? "none", clock.now() + 2 * MIN)).toBe(true);
      await qrs.startTask(TASK);
      const before = startsOf(TASK);
      await clock.advance(2 * MIN + 1);
      await w.pass();
      const a = (await store.get(action.id))!;
      // The adopted run is short: the pass may already have seen it end (a full run alone saw "ended", succeeded).
      expect(a).toMatchObject({ claimedBy: "node-b", claims: 2 });
      expect(["started", "ended"]).toContain(a.status);
      expect(a.qlikAnswer).toContain("adopted the run");
      expect(a.qlikAnswer).toContain("node-a");
      expect(startsOf(TASK)).toBe(before);
    });

    test("node-a's step after node-b took its claim over writes nothing", { timeout: 30_000 }, async () => {
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const store = createActionStore(db);
      const { action } = await ask(db, store, clock, TASK, 0);
      const a = (await store.claim(action.id, "node-a", clock.now(), MIN))!;
      await clock.advance(MIN + 1);
      const b = (await store.claim(action.id, "node-b", clock.now(), MIN))!;
      expect(await store.started(a.claim, clock.now(), "x", "late")).toBe(false);
      expect(await store.started(b.claim, clock.now(), "y", "ok")).toBe(true);
      expect((await store.get(action.id))!.executionId).toBe("y");
    });
  });
}

describe("two Stewards on one PostgreSQL", () => {
  const pg = postgresBackend();
  afterAll(() => pg.shutdown());

  test("every due action is started exactly once when both look at the same moment", { timeout: 30_000 }, async () => {
    const service = await pg.server();
    const url = await service.createDatabase(`steward_remedy_two_${process.pid}`);
    const open = () => openPostgresStore({ url, maxConnections: 4, connectTimeoutMs: 5_000, tls: false, applicationName: "steward-test" }, SETS);
    const [dbA, dbB] = [await open(), await open()];
    try {
      await idle(TASK);
      const clock = createManualClock(T0);
      const a = worker(dbA, clock, "node-a");
      const b = worker(dbB, clock, "node-b");
      const before = startsOf(TASK);
      const { action } = await ask(dbA, a.store, clock, TASK, 0);
      await Promise.all([a.w.pass(), b.w.pass(), a.w.pass(), b.w.pass()]);
      expect(startsOf(TASK)).toBe(before + 1);
      const row = (await a.store.get(action.id))!;
      expect(row.status).toBe("started");
      expect(row.claims).toBe(1);
    } finally {
      await dbA.close();
      await dbB.close();
    }
  });
});
