// Runs the queue cancels while a person's re-run of that cause is pending join it (issue 101), on SQLite and
// PostgreSQL against the simulator's QRS: Load orders cancelled and re-run asked for; Build model (10 minutes later)
// and Load stock (35 minutes later) cancelled after the press join it, in order of their cancellation, each after the
// one before, asked by the same person, once, also when two Stewards' workers look at the same moment.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import type { DomainEvents } from "../../../../src/platform/events/types";
import { createQrsClient, type QrsClient } from "../../../../src/platform/qlik";
import { QlikSchema } from "../../../../src/platform/qlik/config";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { createStartFilter } from "../../../../src/start/control/start-filter";
import { createTaskStarter } from "../../../../src/start/control/task-starter";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { remediationSchema } from "../../../../src/start/remediation/config";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { createRerunJoin } from "../../../../src/start/remediation/rerun-join";
import { createRemediationService } from "../../../../src/start/remediation/service";
import { createWorker } from "../../../../src/start/remediation/worker";
import { createCauseAcknowledger } from "../../../../src/tell/grouping/cause-acknowledge";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { groupingMigrations } from "../../../../src/tell/grouping/migrations";
import { CANCELLED_IN_QUEUE } from "../../../../src/tell/grouping/queue-backlog";
import { createStoredChains } from "../../../../src/tell/grouping/stored-chains";
import { createIncidentService, incidentMigrations, taskSubject } from "../../../../src/tell/incidents";
import { incidentsSchema } from "../../../../src/tell/incidents/config";
import { postgresBackend, sqliteBackend, type SqlBackend } from "../../../helpers/sql-backends";
import { simCertDir } from "../../../helpers/sim-certs";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const T = { orders: "9b0e0000-0000-4000-8000-000000000001", model: "9b0e0000-0000-4000-8000-000000000002", stock: "9b0e0000-0000-4000-8000-000000000003" };
const NAMES = { [T.orders]: "Load orders", [T.model]: "Build model", [T.stock]: "Load stock" };
const SITE = `
site: { name: Queue re-run join site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: Orders, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${T.orders}, name: Load orders, type: reload, app: Orders, node: Reload01, maxRetries: 0 }
  - { id: ${T.model}, name: Build model, type: reload, app: Orders, node: Reload01, maxRetries: 0, triggers: [{ type: composite, name: After the orders, rules: [{ task: Load orders }] }] }
  - { id: ${T.stock}, name: Load stock, type: reload, app: Orders, node: Reload01, maxRetries: 0 }
`;
const T0 = Date.UTC(2026, 10, 27, 2, 40, 0);
const SETS = [coreMigrations, auditMigrations, incidentMigrations, groupingMigrations, remediationMigrations];

let dir: TempDir;
let sim: Simulator;
let qrs: QrsClient;
beforeAll(async () => {
  dir = createTempDir("steward-remedy-rerun-join-");
  // Its Scheduler on (no cron schedules in the site): it starts Build model when Load orders succeeds.
  sim = await startSimulator({
    site: SITE,
    certDir: simCertDir(join(dir.path, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    settings: { timing: { durationOverrideMs: 20 } },
  });
  qrs = createQrsClient(QlikSchema.parse({ host: "127.0.0.1", qrsPort: sim.ports.qrs, certDir: sim.certDir, timeoutMs: 5000, retries: 1 }), {
    log: createSilentLogger(),
    clock: createManualClock(T0),
    baseDir: dir.path,
  });
}, 60_000);
afterAll(async () => {
  await sim?.stop();
  dir?.remove();
});

/** Task `id`'s run that Qlik cancelled in the queue (event `eventId`), raised as its incident's failure of class queue. */
const raiseCancelled = (incidents: ReturnType<typeof createIncidentService>, id: string, eventId: string, at: number) =>
  incidents.raise({
    subject: taskSubject(id),
    taskId: id,
    title: NAMES[id]!,
    eventId,
    kind: "task.failed",
    summary: "cancelled after waiting in the queue",
    at,
    failedRun: true,
    errorClass: "queue",
  });
const _startsOf = (taskId: string) =>
  sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;

for (const backend of [sqliteBackend(), postgresBackend()] as SqlBackend[]) {
  describe(`runs cancelled after the press join the pending re-run (${backend.name})`, () => {
    afterAll(() => backend.shutdown());

    test("each once, after the one asked for, by when each was cancelled, however many Stewards look at once", { timeout: 60_000 }, async () => {
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const log = createSilentLogger();
      const audit = createAuditLog(db, clock);
      const incidents = createIncidentService(incidentsSchema().parse({}), { db, clock, log, causes: createCauseAcknowledger(db) });
      const causes = createCauseStore(db);
      const chains = createStoredChains(db);
      const store = createActionStore(db);
      const taskStarter = createTaskStarter({
        qrs,
        filter: createStartFilter({ enabled: false, taskIds: [], tags: [], customProperties: [] }),
        audit,
        log,
        metrics: createMetricsRegistry(),
      });
      const worker = createWorker({ store, clock, log, audit, instanceId: "node-a", qrs, taskStarter, incidents, leaseMs: 120_000, pollMs: 15_000 });
      const deps = { store, incidents, causes, chains, qrs, audit, log };
      const service = createRemediationService(remediationSchema().parse({}), {
        ...deps,
        worker,
        clock,
        bus: createEventBus<DomainEvents>(log),
        formatTime: (ms) => new Date(ms).toISOString(),
      });
      const planned = (id: string, upstreamIds: string[] = []) => [
        id,
        { id, name: NAMES[id]!, enabled: true, chains: upstreamIds.length ? [{ upstreamIds, ruleStates: [1] }] : [] },
      ];
      await chains.note({ tasks: new Map([planned(T.orders), planned(T.model, [T.orders]), planned(T.stock)] as never), apps: new Map() }, clock.now());
      const queue = { key: "queue:reload01", title: "reload queue backed up on reload01" };
      const { parentId } = await causes.attach(queue, { subject: "watch:queue:reload01", kind: "scheduler.queue_backlog", eventId: "backlog-j" }, clock.now());
      const cancel = async (id: string, at: number) => {
        await causes.attach(queue, { subject: taskSubject(id), kind: CANCELLED_IN_QUEUE, eventId: `cancel-${id}`, taskId: id, taskName: NAMES[id]! }, at);
        await raiseCancelled(incidents, id, `cancel-${id}`, at);
      };
      await cancel(T.orders, clock.now());
      const asked = await service.requestRerun({ causeId: parentId, by: "anna@corp.example", from: "link", verified: true });
      if (!asked.ok) throw new Error(asked.message);
      expect(asked.actions.map((a) => a.taskName)).toEqual(["Load orders"]);

      // Load stock cancelled 35 minutes on, Build model 10 minutes on: heard out of order, listed by when each was.
      await cancel(T.stock, T0 + 35 * 60_000);
      await cancel(T.model, T0 + 10 * 60_000);
      await clock.advance(36 * 60_000);
      // Two Stewards' workers look at the same moment (two joins on one store: on PostgreSQL, two connections).
      const joinA = createRerunJoin({ ...deps, log });
      const joinB = createRerunJoin({ ...deps, log });
      const added = await Promise.all([joinA(clock.now()), joinB(clock.now())]);
      expect(added[0]! + added[1]!).toBe(2);
      const rows = await store.ofCause(parentId);
      expect(rows.map((a) => [a.taskName, a.status, a.requestedBy, a.requestedFrom])).toEqual([
        ["Load orders", "pending", "anna@corp.example", "link"],
        ["Build model", "pending", "anna@corp.example", "link"],
        ["Load stock", "pending", "anna@corp.example", "link"],
      ]);
      expect(rows.map((a) => a.afterId)).toEqual([0, rows[0]!.id, rows[1]!.id]);
      // Looked at again: nothing more (each once).
      expect(await joinA(clock.now())).toBe(0);
      await audit.flush();
      const joins = (await audit.query({ action: "remediation.request" })).filter((x) => (x.details as { from?: string }).from === "join");
      expect(joins.flatMap((x) => (x.details as { order: Array<{ taskName: string }> }).order.map((o) => o.taskName)).sort()).toEqual([
        "Build model",
        "Load stock",
      ]);

      // Once the re-run has ended, a later cancellation is a new ask, not a join.
      for (const a of rows) await store.cancel(a.id, clock.now(), "test");
      await cancel(T.stock, clock.now());
      expect(await joinA(clock.now())).toBe(0);
    });
  });
}
