// "Re-run the runs the queue cancelled", on SQLite and PostgreSQL against the simulator (its Scheduler fires task-event
// triggers): Qlik cancelled Load orders, Build model (which its chain starts after Load orders) and Load stock while
// they waited on reload01. Asked while the queue is backed up, nothing starts; once the cause closes (the queue
// drained) Load orders starts, then Load stock after it ended, and Build model, which its chain already ran again after
// Load orders, is skipped: two starts through QRS in chain order, none twice, each recorded and audited.
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
import { createRemediationService } from "../../../../src/start/remediation/service";
import { createWorker } from "../../../../src/start/remediation/worker";
import { createCauseAcknowledger } from "../../../../src/tell/grouping/cause-acknowledge";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { closeOver } from "../../../../src/tell/grouping/ended-causes";
import { groupingMigrations } from "../../../../src/tell/grouping/migrations";
import { CANCELLED_IN_QUEUE } from "../../../../src/tell/grouping/queue-backlog";
import { createStoredChains } from "../../../../src/tell/grouping/stored-chains";
import { createIncidentService, incidentMigrations, taskSubject } from "../../../../src/tell/incidents";
import { incidentsSchema } from "../../../../src/tell/incidents/config";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { postgresBackend, sqliteBackend, type SqlBackend } from "../../../helpers/sql-backends";
import { simCertDir } from "../../../helpers/sim-certs";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";

const T = { orders: "9b0e0000-0000-4000-8000-000000000001", model: "9b0e0000-0000-4000-8000-000000000002", stock: "9b0e0000-0000-4000-8000-000000000003" };
const NAMES = { [T.orders]: "Load orders", [T.model]: "Build model", [T.stock]: "Load stock" };
const SITE = `
site: { name: Queue re-run site }
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
  dir = createTempDir("steward-remedy-rerun-");
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
const startsOf = (taskId: string) =>
  sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${taskId}/start`)).length;

for (const backend of [sqliteBackend(), postgresBackend()] as SqlBackend[]) {
  describe(`re-run after the queue drained (${backend.name})`, () => {
    afterAll(() => backend.shutdown());

    test("in chain order, once the queue drained, a task its chain ran again skipped", { timeout: 60_000 }, async () => {
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const log = createSilentLogger();
      const bus = createEventBus<DomainEvents>(log);
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
      const service = createRemediationService(remediationSchema().parse({}), {
        store,
        worker,
        incidents,
        clock,
        log,
        audit,
        bus,
        causes,
        chains,
        qrs,
        formatTime: (ms) => new Date(ms).toISOString(),
      });
      // What the watchdog and grouping leave in the store on such a night: the chain plan, the node's queue cause
      // holding the three cancellations (Build model's first), each task's incident of class queue.
      const planned = (id: string, upstreamIds: string[] = []) => [
        id,
        { id, name: NAMES[id]!, enabled: true, chains: upstreamIds.length ? [{ upstreamIds, ruleStates: [1] }] : [] },
      ];
      await chains.note({ tasks: new Map([planned(T.orders), planned(T.model, [T.orders]), planned(T.stock)] as never), apps: new Map() }, clock.now());
      const { parentId } = await causes.attach(
        { key: "queue:reload01", title: "reload queue backed up on reload01" },
        { subject: "watch:queue:reload01", kind: "scheduler.queue_backlog", eventId: "backlog-1" },
        clock.now(),
      );
      for (const [i, id] of [T.model, T.orders, T.stock].entries()) {
        await causes.attach(
          { key: "queue:reload01", title: "reload queue backed up on reload01" },
          { subject: taskSubject(id), kind: CANCELLED_IN_QUEUE, eventId: `cancel-${i}`, taskId: id, taskName: NAMES[id]! },
          clock.now() + i * 1000,
        );
        await raiseCancelled(incidents, id, `cancel-${i}`, clock.now());
      }
      const before = { orders: startsOf(T.orders), model: startsOf(T.model), stock: startsOf(T.stock) };
      /** The success of the run action `id` started, as the intake tells it: its datagram names that run's session. */
      const runEnd = async (id: number) => {
        const a = (await store.get(id))!;
        const e = syntheticTaskEvent({ outcome: "succeeded", taskId: a.taskId, taskName: a.taskName });
        return { ...e, id: `${a.executionId}:succeeded`, executionId: a.executionId!, source: "udp" as const };
      };
      const asked = await service.requestRerun({ causeId: parentId, by: "anna@corp.example", from: "rest", verified: true });
      if (!asked.ok) throw new Error(asked.message);
      expect(asked.actions.map((a) => a.taskName)).toEqual(["Load orders", "Load stock", "Build model"]);
      expect(asked.actions.map((a) => a.afterId)).toEqual([0, asked.actions[0]!.id, asked.actions[1]!.id]);

      // The queue is still backed up: nothing starts.
      await worker.pass();
      expect(startsOf(T.orders)).toBe(before.orders);
      expect((await store.ofIncident(asked.actions[0]!.incidentId))[0]!.status).toBe("pending");

      // The queue drained: the cause closes as the queue rule closes it.
      expect(await closeOver(db, parentId, clock.now())).toBe(true);
      await worker.pass();
      expect(startsOf(T.orders)).toBe(before.orders + 1);
      expect(startsOf(T.stock)).toBe(before.stock); // waits for Load orders to end
      // Load orders ends (as the intake would tell it), and its chain starts Build model in Qlik.
      await waitFor(() => !sim.tasks.isRunning(T.orders) && !sim.tasks.isRunning(T.model), { what: "Load orders and its chain to end" });
      await bus.emit("task.succeeded", await runEnd(asked.actions[0]!.id));
      await worker.pass();
      expect(startsOf(T.stock)).toBe(before.stock + 1);
      await waitFor(() => !sim.tasks.isRunning(T.stock), { what: "Load stock to end" });
      await bus.emit("task.succeeded", await runEnd(asked.actions[1]!.id));
      await worker.pass();
      const model = (await store.ofIncident(asked.actions[2]!.incidentId))[0]!;
      expect(model.status).toBe("skipped");
      expect(model.qlikAnswer).toContain("the task ran since the re-run was asked for");
      expect(startsOf(T.model)).toBe(before.model);
      const all = await Promise.all(asked.actions.map(async (a) => (await store.get(a.id))!));
      expect(all.map((a) => [a.taskName, a.status, a.outcome])).toEqual([
        ["Load orders", "ended", "succeeded"],
        ["Load stock", "ended", "succeeded"],
        ["Build model", "skipped", "not needed"],
      ]);
      await audit.flush();
      expect((await audit.query({ action: "remediation.request" }))[0]).toMatchObject({ target: `cause:${parentId}`, details: { kind: "rerun" } });
      expect((await audit.query({ action: "remediation.rerun" })).map((e) => e.target).sort()).toEqual([T.model, T.orders, T.stock].sort());
    });

    test("under the two-person rule: the first ask waits, the same person is refused, a second confirms all; unconfirmed ones expire", {
      timeout: 60_000,
    }, async () => {
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const log = createSilentLogger();
      const audit = createAuditLog(db, clock);
      const incidents = createIncidentService(incidentsSchema().parse({}), { db, clock, log, causes: createCauseAcknowledger(db) });
      const causes = createCauseStore(db);
      const store = createActionStore(db);
      let pokes = 0;
      const taskStarter = createTaskStarter({
        qrs,
        filter: createStartFilter({ enabled: false, taskIds: [], tags: [], customProperties: [] }),
        audit,
        log,
        metrics: createMetricsRegistry(),
      });
      const real = createWorker({ store, clock, log, audit, instanceId: "node-a", qrs, taskStarter, incidents, leaseMs: 120_000, pollMs: 15_000 });
      // The real worker, its pokes counted: the cause stays open here, so a confirmed re-run waits and starts nothing.
      const worker = {
        ...real,
        poke: async () => {
          pokes++;
          await real.poke();
        },
      };
      const service = createRemediationService(remediationSchema().parse({ approval: { rerunCancelled: "two-person", within: "30m" } }), {
        store,
        worker,
        incidents,
        clock,
        log,
        audit,
        bus: createEventBus<DomainEvents>(log),
        causes,
        chains: createStoredChains(db),
        qrs,
        formatTime: (ms) => new Date(ms).toISOString(),
      });
      const queue = { key: "queue:reload01", title: "reload queue backed up on reload01" };
      const { parentId } = await causes.attach(queue, { subject: "watch:queue:reload01", kind: "scheduler.queue_backlog", eventId: "b-2" }, clock.now());
      for (const id of [T.orders, T.stock]) {
        await causes.attach(queue, { subject: taskSubject(id), kind: CANCELLED_IN_QUEUE, eventId: `c2-${id}`, taskId: id, taskName: NAMES[id]! }, clock.now());
        await raiseCancelled(incidents, id, `c2-${id}`, clock.now());
      }
      const ask = (by: string) => service.requestRerun({ causeId: parentId, by, from: "link", verified: true });
      const first = await ask("anna@corp.example");
      expect(first).toMatchObject({ ok: true, awaiting: true });
      if (!first.ok) throw new Error(first.message);
      expect(first.actions.map((a) => a.status)).toEqual(["awaiting", "awaiting"]);
      // The worker looks (issue 101): an ask nobody confirms expires at its look and is told, without another press.
      expect(pokes).toBe(1);
      expect(await store.due(clock.now())).toEqual([]);
      const same = await ask("ANNA@corp.example");
      expect(same).toMatchObject({ ok: false, status: 403 });
      expect(!same.ok && same.message).toContain("needs a second, different person to confirm it");
      const second = await ask("bob@corp.example");
      expect(second).toMatchObject({ ok: true, confirmed: { firstBy: "anna@corp.example" } });
      expect((await store.ofCause(parentId)).map((a) => [a.status, a.requestedBy, a.confirmedBy, a.confirmedFrom])).toEqual([
        ["pending", "anna@corp.example", "bob@corp.example", "link"],
        ["pending", "anna@corp.example", "bob@corp.example", "link"],
      ]);
      expect(pokes).toBe(2);
      // A later ask joins the confirmed actions: nothing new waits, nothing runs twice.
      const late = await ask("carl@corp.example");
      expect(late.ok && late.actions.length + late.joined.length).toBe(2);
      expect(late.ok && late.joined.every((a) => a.status === "pending")).toBe(true);
      await audit.flush();
      expect((await audit.query({ action: "remediation.confirm" })).map((x) => [x.actor.name, x.result]).reverse()).toEqual([
        ["ANNA@corp.example", "denied"],
        ["bob@corp.example", "ok"],
      ]);

      // Unconfirmed within 30 minutes, a re-run asked for on another cause is cancelled; the next ask starts again.
      for (const a of await store.ofCause(parentId)) await store.cancel(a.id, clock.now(), "test");
      const again = await ask("anna@corp.example");
      expect(again).toMatchObject({ ok: true, awaiting: true });
      await clock.advance(31 * 60_000);
      const afterExpiry = await ask("bob@corp.example");
      expect(afterExpiry).toMatchObject({ ok: true, awaiting: true });
      const rows = await store.ofCause(parentId);
      expect(rows.filter((a) => a.status === "cancelled" && a.outcome === "not confirmed by a second person within 30 min").length).toBe(2);
      expect(rows.filter((a) => a.status === "awaiting").map((a) => a.requestedBy)).toEqual(["bob@corp.example", "bob@corp.example"]);
    });
  });
}
