// What the [queue] rule re-runs once a node's queue drained, on SQLite and PostgreSQL against the simulator's QRS (the
// tasks' tags and enabled flag as Qlik shows them): only the cancelled runs of tasks the rule matches (its tags), never
// a task a person disabled, never one a maintenance window covers, never past the node's budget of the last hour, and
// never a run it re-ran already (the incident's second cancellation). Each stopped run is audited with its reason.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createQrsClient, type QrsClient } from "../../../../src/platform/qlik";
import { QlikSchema } from "../../../../src/platform/qlik/config";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { createAutoRerun } from "../../../../src/start/remediation/auto-rerun";
import { remediationSchema } from "../../../../src/start/remediation/config";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { createCauseAcknowledger } from "../../../../src/tell/grouping/cause-acknowledge";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { closeOver } from "../../../../src/tell/grouping/ended-causes";
import { groupingMigrations } from "../../../../src/tell/grouping/migrations";
import { CANCELLED_IN_QUEUE } from "../../../../src/tell/grouping/queue-backlog";
import { createStoredChains } from "../../../../src/tell/grouping/stored-chains";
import { createIncidentService, incidentMigrations, taskSubject } from "../../../../src/tell/incidents";
import { incidentsSchema } from "../../../../src/tell/incidents/config";
import { maintenanceWindowSchema } from "../../../../src/tell/maintenance/config";
import { compileWindows, coveringOccurrences } from "../../../../src/tell/maintenance/windows";
import { watchdogEvent } from "../../../../src/watch/watchdog/watchdog-event";
import { postgresBackend, sqliteBackend, type SqlBackend } from "../../../helpers/sql-backends";
import { simCertDir } from "../../../helpers/sim-certs";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const id = (n: number) => `c0e00000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;
const TASKS: Array<[number, string, string]> = [
  [1, "Load A", "tags: [Nightly]"],
  [2, "Load B", "tags: [Nightly], enabled: false"],
  [3, "Load C", "tags: []"],
  [4, "Patch D", "tags: [Nightly]"],
  [5, "Load E", "tags: [Nightly]"],
  [6, "Load F", "tags: [Nightly]"],
];
const SITE = `
site: { name: Queue rule limits }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
tags: [Nightly]
apps:
  - { name: Orders, owner: INTERNAL\\sa_scheduler }
tasks:
${TASKS.map(([n, name, more]) => `  - { id: ${id(n)}, name: ${name}, type: reload, app: Orders, node: Reload01, maxRetries: 0, ${more} }`).join("\n")}
`;
const T0 = Date.UTC(2026, 10, 27, 2, 40, 0);
const SETS = [coreMigrations, auditMigrations, incidentMigrations, groupingMigrations, remediationMigrations];
const QUEUE = { key: "queue:reload01", title: "reload queue backed up on reload01" };

let dir: TempDir;
let sim: Simulator;
let qrs: QrsClient;
beforeAll(async () => {
  dir = createTempDir("steward-remedy-rerun-rule-");
  sim = await startSimulator({ site: SITE, certDir: simCertDir(join(dir.path, "certs")), qrsPort: 0, enginePort: 0, controlPort: 0 });
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

const drained = (now: number) =>
  watchdogEvent({
    kind: "task.on_track",
    condition: { type: "queue_backlog", key: "queue:reload01.test.example", openedAtMs: now - 1_800_000, closedAtMs: now },
    nowMs: now,
    host: "reload01.test.example",
    details: { node: "reload01.test.example" },
  });

for (const backend of [sqliteBackend(), postgresBackend()] as SqlBackend[]) {
  describe(`the [queue] rule's re-runs (${backend.name})`, () => {
    afterAll(() => backend.shutdown());

    test("its tags, a disabled task, a window, the node's budget, and never twice", { timeout: 60_000 }, async () => {
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const log = createSilentLogger();
      const audit = createAuditLog(db, clock);
      const incidents = createIncidentService(incidentsSchema().parse({}), { db, clock, log, causes: createCauseAcknowledger(db) });
      const causes = createCauseStore(db);
      const store = createActionStore(db);
      const windows = compileWindows([
        maintenanceWindowSchema().parse({
          name: "patching",
          start: new Date(T0 - 60_000).toISOString(),
          end: new Date(T0 + 3_600_000).toISOString(),
          matcher: { taskNames: ["Patch*"] },
        }),
      ]);
      const cfg = remediationSchema().parse({ rules: [{ name: "nightly-queue", errorClasses: ["queue"], tags: ["Nightly"] }], budget: { perNode: 2 } });
      let pokes = 0;
      const onDrained = createAutoRerun(cfg, {
        store,
        causes,
        chains: createStoredChains(db),
        incidents,
        qrs,
        clock,
        audit,
        log,
        inMaintenance: (e, now) => coveringOccurrences(windows, e, now)[0],
        poke: async () => void pokes++,
      })!;
      /** A backlog on reload01 whose cancellations are these tasks', each with its open incident of class queue. */
      const backlog = async (ns: number[]) => {
        const { parentId } = await causes.attach(
          QUEUE,
          { subject: "watch:queue:reload01", kind: "scheduler.queue_backlog", eventId: `b-${clock.now()}` },
          clock.now(),
        );
        for (const [i, n] of ns.entries()) {
          const name = TASKS.find((x) => x[0] === n)![1];
          const eventId = `cancel-${n}-${clock.now()}`;
          await causes.attach(QUEUE, { subject: taskSubject(id(n)), kind: CANCELLED_IN_QUEUE, eventId, taskId: id(n), taskName: name }, clock.now() + i);
          await incidents.raise({
            subject: taskSubject(id(n)),
            taskId: id(n),
            title: name,
            eventId,
            kind: "task.failed",
            summary: "cancelled after waiting in the queue",
            at: clock.now(),
            failedRun: true,
            errorClass: "queue",
          });
        }
        return parentId;
      };

      const first = await backlog([1, 2, 3, 4, 5, 6]);
      await onDrained(drained(clock.now()));
      const asked = await store.ofCause(first);
      expect(asked.map((a) => [a.taskName, a.requestedBy, a.requestedFrom, a.node])).toEqual([
        ["Load A", "rule:nightly-queue", "rule", "reload01"],
        ["Load E", "rule:nightly-queue", "rule", "reload01"],
      ]);
      expect(asked[1]!.afterId).toBe(asked[0]!.id);
      expect(pokes).toBe(1);
      await audit.flush();
      const withheld = async () =>
        (await audit.query({ action: "remediation.withheld" })).map((x) => [x.target, String(x.details?.reason)]).sort((a, b) => a[0]!.localeCompare(b[0]!));
      expect(await withheld()).toEqual([
        [id(2), "the task is disabled"],
        [id(4), "maintenance window patching is on"],
        [id(6), "node reload01's budget of 2 automatic retries an hour is used"],
      ]);

      // Load A's re-run ran and Qlik cancelled it in the queue again, in a later backlog: the rule does not re-run it.
      for (const a of asked) {
        const got = await store.claim(a.id, "s", clock.now(), 60_000);
        await store.started(got!.claim, clock.now(), `x-${a.id}`, "ok");
      }
      const runOf = (task: string) => `x-${asked.find((a) => a.taskId === task)!.id}`;
      await store.ended(id(1), clock.now(), "failed", null, runOf(id(1)));
      await store.ended(id(5), clock.now(), "succeeded", null, runOf(id(5)));
      expect(await closeOver(db, first, clock.now())).toBe(true);
      await clock.advance(2 * 3_600_000);
      const second = await backlog([1]);
      await onDrained(drained(clock.now()));
      expect(await store.ofCause(second)).toEqual([]);
      await audit.flush();
      expect((await withheld()).find((w) => w[0] === id(1))?.[1]).toBe(`re-run once already (action #${asked[0]!.id}): not re-run a second time`);
    });
  });
}
