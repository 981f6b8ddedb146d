// What stops an automatic retry, on SQLite and PostgreSQL: the budgets (per task, per node, for the site, each per
// hour), a maintenance window covering the failure (tell/maintenance's own windows), a task a person disabled, and a
// rule's retries spent. Each stopped failure is not held (it pages), and a budget or window stop is audited.
import { afterAll, describe, expect, test } from "bun:test";
import { auditMigrations, createAuditLog } from "../../../../src/platform/audit/audit-log";
import { createManualClock } from "../../../../src/platform/core/clock";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { coreMigrations } from "../../../../src/platform/store/core-migrations";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { createCauseProbes } from "../../../../src/start/remediation/cause-probes";
import { createFailureHold } from "../../../../src/start/remediation/auto";
import { remediationSchema } from "../../../../src/start/remediation/config";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { maintenanceWindowSchema } from "../../../../src/tell/maintenance/config";
import { compileWindows, coveringOccurrences } from "../../../../src/tell/maintenance/windows";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { postgresBackend, sqliteBackend, type SqlBackend } from "../../../helpers/sql-backends";

const T0 = Date.UTC(2026, 10, 27, 2, 0, 0);
const SETS = [coreMigrations, auditMigrations, remediationMigrations];
let incidentSeq = 0;

/** A task's failure with a connection error, as the annotator hands it over: its incident open. */
function failure(taskId: string, node: string, o: { incidentId?: number; enabled?: boolean; execution?: string } = {}): TaskEvent {
  const e = syntheticTaskEvent({ outcome: "failed", taskId, taskName: `Task ${taskId.slice(-2)}`, host: node });
  // No script log: a failure that names no source is its own cause, retried on its own (cause-retry-store.test.ts has
  // the failures of one source).
  return {
    ...e,
    // A retry's run: the session its start recorded, which Qlik's end datagram of that run carries.
    ...(o.execution ? { id: `${o.execution}:failed`, executionId: o.execution } : {}),
    scriptLog: undefined,
    source: "udp",
    errorClass: "connection",
    errorLine: "connection refused",
    task: { ...e.task, ...(o.enabled === false ? { enabled: false } : {}) },
    incident: { id: o.incidentId ?? ++incidentSeq, status: "open", failures: 1, openedAt: new Date(T0).toISOString(), paged: false },
  } as TaskEvent;
}
const id = (n: number) => `b1d00000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;

for (const backend of [sqliteBackend(), postgresBackend()] as SqlBackend[]) {
  describe(`what stops an automatic retry (${backend.name})`, () => {
    afterAll(() => backend.shutdown());

    async function setUp(yaml: Record<string, unknown>, windows: unknown[] = []) {
      const db = await backend.open(SETS);
      const clock = createManualClock(T0);
      const audit = createAuditLog(db, clock);
      const store = createActionStore(db);
      const compiled = compileWindows(windows.map((w) => maintenanceWindowSchema().parse(w)));
      const cfg = remediationSchema().parse({ rules: [{ name: "conn", retryAfter: ["5m", "15m"] }], ...yaml });
      const hold = createFailureHold(cfg, {
        store,
        probes: createCauseProbes(db),
        clock,
        audit,
        inMaintenance: (e, now) => coveringOccurrences(compiled, e, now)[0],
        poke: async () => {},
      })!;
      return { hold, store, audit, clock };
    }

    test("the budgets per task, per node and for the site, each over the last hour", { timeout: 30_000 }, async () => {
      const { hold, audit, clock } = await setUp({ budget: { perTask: 1, perNode: 2, perSite: 3 } });
      // Task 01 on node a: retried once; its second incident in the hour is not (the task's budget).
      expect((await hold(failure(id(1), "a.corp")))?.failures).toBe(2);
      expect(await hold(failure(id(1), "a.corp"))).toBeUndefined();
      // Task 02 on node a: the node's second retry; task 03 on node a: the node's budget is used.
      expect((await hold(failure(id(2), "a.corp")))?.failures).toBe(2);
      expect(await hold(failure(id(3), "a.corp"))).toBeUndefined();
      // Task 04 on node b: the site's third; task 05 on node b: the site's budget is used.
      expect((await hold(failure(id(4), "b.corp")))?.failures).toBe(2);
      expect(await hold(failure(id(5), "b.corp"))).toBeUndefined();
      // An hour later the budgets are free again.
      await clock.advance(3_600_001);
      expect((await hold(failure(id(5), "b.corp")))?.failures).toBe(2);
      await audit.flush();
      const withheld = await audit.query({ action: "remediation.withheld" });
      expect(withheld.map((w) => String(w.details?.reason)).reverse()).toEqual([
        "the task's budget of 1 automatic retries an hour is used",
        "node a.corp's budget of 2 automatic retries an hour is used",
        "the site's budget of 3 automatic retries an hour is used",
      ]);
    });

    test("a node's budget counts its queue's re-runs and its tasks' retries alike, whichever name the node goes by", { timeout: 30_000 }, async () => {
      const { hold, store, audit, clock } = await setUp({ budget: { perNode: 1 } });
      // The [queue] rule re-ran a run of reload01's queue (the queue cause names the node by its short name)...
      const { added } = await store.add({
        incidentId: ++incidentSeq,
        taskId: id(30),
        taskName: "Task 30",
        node: "reload01",
        kind: "rerun",
        requestedBy: "rule:queue-reruns",
        requestedFrom: "rule",
        requestedAt: clock.now(),
        dueAt: clock.now(),
      });
      expect(added).toBe(true);
      // ... so a failure on that node (its run names the node by its host name) is not retried within the hour.
      expect(await hold(failure(id(31), "reload01.corp.example"))).toBeUndefined();
      await audit.flush();
      expect((await audit.query({ action: "remediation.withheld" })).map((w) => String(w.details?.reason))).toEqual([
        "node reload01.corp.example's budget of 1 automatic retries an hour is used",
      ]);
    });

    test("never inside a maintenance window, never for a disabled task", { timeout: 30_000 }, async () => {
      const { hold, store } = await setUp({}, [
        { name: "b-patching", start: new Date(T0 - 60_000).toISOString(), end: new Date(T0 + 3_600_000).toISOString(), nodes: ["b.corp"] },
      ]);
      expect(await hold(failure(id(10), "b.corp"))).toBeUndefined();
      expect(await hold(failure(id(11), "a.corp", { enabled: false }))).toBeUndefined();
      expect((await hold(failure(id(12), "a.corp")))?.failures).toBe(2);
      expect((await store.unfinished(id(10))) ?? null).toBeNull();
      expect((await store.unfinished(id(11))) ?? null).toBeNull();
    });

    test("a late word of the run before the rule's retry (found by the look at QRS after it started) neither ends the retry nor spends the next", {
      timeout: 30_000,
    }, async () => {
      const { hold, store, clock } = await setUp({});
      const incidentId = ++incidentSeq;
      const retrySession = "4e7a0000-0000-4000-8000-000000000011";
      expect((await hold(failure(id(21), "a.corp", { incidentId })))?.failures).toBe(2); // held, retry 1 in 5 min
      const c = await store.claim((await store.unfinished(id(21)))!.id, "s", clock.now() + 300_000, 60_000);
      await store.started(c!.claim, clock.now(), retrySession, "ok");
      // The task's own trigger ran it once more before the retry; that failure's datagram was lost and comes in now.
      const late = failure(id(21), "a.corp", { incidentId, execution: "4e7a0000-0000-4000-8000-000000000010" });
      expect((await hold(late))?.failures).toBe(3); // still held: the retry's run is yet to end
      expect((await store.ofIncident(incidentId)).map((a) => [a.status, a.outcome])).toEqual([["started", null]]);
      // The retry's own run fails: it ends with its outcome, and the rule's second retry is asked.
      expect((await hold(failure(id(21), "a.corp", { incidentId, execution: retrySession })))?.failures).toBe(3);
      expect((await store.ofIncident(incidentId)).map((a) => [a.status, a.outcome, a.executionId])).toEqual([
        ["ended", "failed", retrySession],
        ["pending", null, null],
      ]);
    });

    test("the rule's retries spent, the next failure of the incident pages: no third retry", { timeout: 30_000 }, async () => {
      const { hold, store, clock } = await setUp({});
      const incidentId = ++incidentSeq;
      const fail = (execution?: string) => hold(failure(id(20), "a.corp", { incidentId, execution }));
      /** The worker starts the pending retry (due in `dueIn`): QRS answers with the run's `execution` session. */
      const retryStarts = async (dueIn: number, execution: string) => {
        const c = await store.claim((await store.unfinished(id(20)))!.id, "s", clock.now() + dueIn, 60_000);
        await store.started(c!.claim, clock.now(), execution, "ok");
      };
      const [first, second] = ["4e7a0000-0000-4000-8000-000000000001", "4e7a0000-0000-4000-8000-000000000002"];
      expect((await fail())?.failures).toBe(2); // held, retry 1 in 5 min
      await retryStarts(300_000, first);
      expect((await fail(first))?.failures).toBe(3); // retry 1 failed: held, retry 2
      await retryStarts(900_000, second);
      expect((await fail(second))?.failures).toBe(3); // retry 2 failed: the 3rd failure reaches 3, it pages
      expect((await store.unfinished(id(20))) ?? null).toBeNull();
      expect((await store.ofIncident(incidentId)).map((a) => [a.status, a.outcome, a.outcomeLine])).toEqual([
        ["ended", "failed", "connection refused"],
        ["ended", "failed", "connection refused"],
      ]);
    });
  });
}
