// Incidents in the store, on SQLite and PostgreSQL: a task failing five times then succeeding gives one incident
// with the right counts and one task.recovered; a run handled twice counts once; a failure older than a recorded
// success opens nothing; and on PostgreSQL two Stewards (two pools) raising the same task at once leave one incident.
import { afterAll, describe, expect, test } from "bun:test";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createIncidentService, incidentMigrations, taskSubject, type IncidentService } from "../../../../src/tell/incidents";
import { priorRuns } from "../../../../src/tell/incidents/history";
import { incidentSql, SUCCESS_AFTER_SQL } from "../../../../src/tell/incidents/incident-store";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { postgresBackend, sqliteBackend } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-20T01:00:00Z");
const TASK = "3f1a2b3c-0000-4000-8000-00000000000a";

function run(outcome: "succeeded" | "failed" | "aborted", stopMs: number, durationMs = 60_000, over: Partial<TaskEvent> = {}): TaskEvent {
  const e = syntheticTaskEvent({ outcome, taskId: TASK, taskName: "Reload Sales", nowMs: stopMs + 1000 });
  e.source = "udp";
  e.user = "INTERNAL\\sa_scheduler";
  e.execution = { ...e.execution!, startTime: new Date(stopMs - durationMs).toISOString(), stopTime: new Date(stopMs).toISOString(), durationMs };
  return { ...e, ...over };
}

const backends = [sqliteBackend(), postgresBackend()];
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

function service(db: SqlDb, clock = createManualClock(T0 + 86_400_000)): IncidentService {
  return createIncidentService(IncidentsSchema.parse({ seedFromQrs: false }), { db, clock, log: createSilentLogger() });
}

for (const backend of backends) {
  describe(`incidents on ${backend.name}`, () => {
    test("five failures then a success: one incident, counts 1..5, history, then task.recovered with the summary", async () => {
      const db = await backend.open([incidentMigrations]);
      const s = service(db);
      // Two earlier successes give a last success and, with a third, a usual duration.
      for (const [i, d] of [
        [0, 50_000],
        [1, 70_000],
        [2, 60_000],
      ] as const)
        await s.annotate(run("succeeded", T0 - (3 - i) * 3_600_000, d));
      const outs: TaskEvent[][] = [];
      for (let i = 0; i < 5; i++) outs.push(await s.annotate(run("failed", T0 + i * 15 * 60_000, 5_000)));
      expect(outs.map((o) => o.length)).toEqual([1, 1, 1, 1, 1]);
      expect(outs.map((o) => o[0]!.history!.consecutiveFailures)).toEqual([1, 2, 3, 4, 5]);
      const third = outs[2]![0]!;
      expect(third.history!.lastSuccessAt).toBe(new Date(T0 - 3_600_000).toISOString());
      expect(third.history!.failingSince).toBe(new Date(T0).toISOString());
      expect(third.history!.usualDurationMs).toBe(60_000);
      expect(third.history!.durationMs).toBe(5_000);
      expect(third.history!.startedBy.kind).toBe("scheduler");
      expect(third.errorClass).toBe("script");
      expect(third.errorLine).toBe("Field 'CustomerKey' not found");
      expect(new Set(outs.map((o) => o[0]!.incident!.id)).size).toBe(1);
      expect(third.incident).toMatchObject({ status: "open", failures: 3, openedAt: new Date(T0).toISOString() });

      const ok = await s.annotate(run("succeeded", T0 + 75 * 60_000));
      expect(ok.map((e) => e.kind)).toEqual(["task.succeeded", "task.recovered"]);
      const recovered = ok[1]!;
      expect(recovered.id).toBe(`${recovered.executionId}:recovered`);
      expect(recovered.incident).toMatchObject({ status: "closed", failures: 5, durationMs: 75 * 60_000 });
      const row = await s.get(recovered.incident!.id);
      expect(row!.closedSummary).toBe("recovered after 5 failed runs over 1 h 15 min");
      expect(await s.openIncident(taskSubject(TASK))).toBeUndefined();
      // The next success is just a success.
      expect((await s.annotate(run("succeeded", T0 + 90 * 60_000))).map((e) => e.kind)).toEqual(["task.succeeded"]);
    });

    test("each run's history is what the store holds of the runs before it, whatever order the runs arrive in", async () => {
      const db = await backend.open([incidentMigrations]);
      const s = service(db);
      // 150 runs (more than the window kept on SQLite): mostly in order, every seventh ending before the one
      // recorded before it, and now and then one from days ago.
      let seed = 7;
      const rand = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
      const stops = Array.from({ length: 150 }, (_, i) => T0 + i * 600_000 - (i % 7 === 6 ? 900_000 : 0) - (i % 41 === 40 ? 5 * 86_400_000 : 0));
      for (const [i, stop] of stops.entries()) {
        const outcome = rand() < 0.6 ? "succeeded" : rand() < 0.8 ? "failed" : "aborted";
        const e = run(outcome, stop, Math.round(10_000 + rand() * 90_000));
        const [out] = await s.annotate(e);
        const prior = priorRuns(await incidentSql(db).recent(TASK, stop, e.executionId, 50));
        const h = out!.history!;
        expect({ i, runsKnown: h.runsKnown, lastSuccessAt: h.lastSuccessAt, usual: h.usualDurationMs }).toEqual({
          i,
          runsKnown: prior.runsKnown,
          lastSuccessAt: prior.lastSuccessAt === undefined ? undefined : new Date(prior.lastSuccessAt).toISOString(),
          usual: prior.usualDurationMs,
        });
      }
    });

    test("a run handled twice says the same and counts once; the recovery is told again with the same id", async () => {
      const db = await backend.open([incidentMigrations]);
      const s = service(db);
      const f1 = run("failed", T0);
      const f2 = run("aborted", T0 + 60_000);
      await s.annotate(f1);
      const first = await s.annotate(f2);
      const again = await s.annotate(f2);
      expect(again[0]!.history!.consecutiveFailures).toBe(2);
      expect(again[0]!.incident).toEqual(first[0]!.incident);
      const ok = run("succeeded", T0 + 120_000);
      const a = await s.annotate(ok);
      const b = await s.annotate(ok);
      expect(b.map((e) => e.id)).toEqual(a.map((e) => e.id));
      expect(b[1]!.incident!.failures).toBe(2);
    });

    test("a failure older than a recorded success opens nothing; a success older than the incident's last failure closes nothing", async () => {
      const db = await backend.open([incidentMigrations]);
      const s = service(db);
      await s.annotate(run("succeeded", T0 + 60_000));
      const late = await s.annotate(run("failed", T0));
      expect(late[0]!.incident).toBeUndefined();
      expect(await s.openIncident(taskSubject(TASK))).toBeUndefined();
      await s.annotate(run("failed", T0 + 120_000));
      const oldSuccess = await s.annotate(run("succeeded", T0 + 90_000));
      expect(oldSuccess.map((e) => e.kind)).toEqual(["task.succeeded"]);
      expect((await s.openIncident(taskSubject(TASK)))?.failures).toBe(1);
    });

    test("an unconfirmed run reads the history but changes nothing (a forged success cannot close an incident)", async () => {
      const db = await backend.open([incidentMigrations]);
      const s = service(db);
      await s.annotate(run("failed", T0));
      const forged = await s.annotate(run("succeeded", T0 + 60_000, 60_000, { unconfirmed: { qrs: "denied", reason: "no such run" } }));
      expect(forged.map((e) => e.kind)).toEqual(["task.succeeded"]);
      expect((await s.openIncident(taskSubject(TASK)))?.status).toBe("open");
    });

    test("raise and resolve (the watchdog's surface) on the same incident as the runs", async () => {
      const db = await backend.open([incidentMigrations]);
      const s = service(db);
      const subject = taskSubject(TASK);
      const opened = await s.raise({
        subject,
        taskId: TASK,
        title: "Reload Sales",
        eventId: "w1",
        kind: "task.missed",
        summary: "did not start at 02:00",
        at: T0,
        failedRun: false,
      });
      expect(opened).toMatchObject({ status: "open", failures: 0, events: 1 });
      const failed = await s.annotate(run("failed", T0 + 60_000));
      expect(failed[0]!.incident).toMatchObject({ id: opened.id, failures: 1 });
      expect((await s.resolve({ subject, eventId: "w2", summary: "on track", at: T0 })) ?? null).toBeNull();
      const closed = await s.resolve({ subject, eventId: "w3", summary: "on track", at: T0 + 120_000 });
      expect(closed).toMatchObject({ id: opened.id, status: "closed", closedByEventId: "w3" });
    });

    test("a failure's question (a success after it?) reads the task's successes alone, not every later run", async () => {
      const db = await backend.open([incidentMigrations]);
      const s = service(db);
      for (let i = 0; i < 40; i++) await s.annotate(run(i % 10 === 0 ? "succeeded" : "failed", T0 + i * 60_000, 5_000));
      const sql = incidentSql(db);
      expect(await sql.successAfter(TASK, T0 + 5 * 60_000)).toBe(T0 + 10 * 60_000);
      expect(await sql.successAfter(TASK, T0 + 31 * 60_000)).toBeUndefined();
      const plan =
        db.dialect === "sqlite"
          ? JSON.stringify(await db.all(`EXPLAIN QUERY PLAN ${SUCCESS_AFTER_SQL}`, [TASK, T0]))
          : // A table this small would be scanned whatever the indexes: the plan is asked with scans priced out.
            await db.transaction(async (tx) => {
              await tx.exec("SET LOCAL enable_seqscan = off");
              return JSON.stringify(await tx.all(`EXPLAIN ${SUCCESS_AFTER_SQL}`, [TASK, T0]));
            });
      expect(plan).toContain("incident_runs_task_success");
    });
  });
}

describe("two Stewards on one PostgreSQL", () => {
  const pg = backends[1] as ReturnType<typeof postgresBackend>;
  test("raising the same task's incident from two pools at once leaves one incident counting every failure", async () => {
    const url = await (await pg.server()).createDatabase(`incidents_race_${process.pid}`);
    const opts = { url, maxConnections: 4, connectTimeoutMs: 5_000, tls: false as const, applicationName: "steward-test" };
    const [a, b] = [await openPostgresStore(opts, [incidentMigrations]), await openPostgresStore(opts, [incidentMigrations])];
    try {
      const sa = service(a);
      const sb = service(b);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? sa : sb).annotate(run("failed", T0 + i * 1000))));
      const ids = new Set(results.map((r) => r[0]!.incident!.id));
      expect(ids.size).toBe(1);
      const counts = results.map((r) => r[0]!.history!.consecutiveFailures).sort((x, y) => x - y);
      expect(counts).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await sa.openIncident(taskSubject(TASK)))?.failures).toBe(20);
      const list = await sb.list({ limit: 10 });
      expect(list.length).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
