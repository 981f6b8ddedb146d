// Issue 84, point 4: the incident numbers a person sees (#12 on a page, in the dashboard, GET /v4/incidents) have no
// unexplained gaps. Each failure joining a task's open incident went through INSERT … ON CONFLICT DO UPDATE, and each
// took a number all the same (SQLite's AUTOINCREMENT and PostgreSQL's identity alike): after a task failed five
// times, the next incident was five numbers on. A transaction rolled back after opening one (a store that went away,
// a Steward stopped) kept its number taken on PostgreSQL. Now the next incident is the next number, on both stores
// and with two Stewards on one PostgreSQL.
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { openPostgresStore } from "../../../../src/platform/store/postgres-store";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { createIncidentService, incidentMigrations, type IncidentService } from "../../../../src/tell/incidents";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { incidentSql } from "../../../../src/tell/incidents/incident-store";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { postgresBackend, sqliteBackend } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-20T01:00:00Z");

function failure(task: string, stopMs: number): TaskEvent {
  const e = syntheticTaskEvent({ outcome: "failed", taskId: `task-${task}`, taskName: `Load ${task}`, nowMs: stopMs + 1000 });
  e.source = "udp";
  e.execution = { ...e.execution!, startTime: new Date(stopMs - 60_000).toISOString(), stopTime: new Date(stopMs).toISOString(), durationMs: 60_000 };
  return e;
}

const missed = (key: string, at: number) => ({
  subject: `watch:missed:${key}`,
  title: `Task did not start: ${key}`,
  summary: "did not start",
  eventId: `watch:missed:${key}:${at}`,
  kind: "task.missed",
  at,
  failedRun: false,
});

function service(db: SqlDb): IncidentService {
  return createIncidentService(IncidentsSchema.parse({ seedFromQrs: false }), { db, clock: createManualClock(T0 + 86_400_000), log: createSilentLogger() });
}

const backends = [sqliteBackend(), postgresBackend()];
afterAll(async () => {
  for (const b of backends) await b.shutdown();
});

for (const backend of backends)
  describe(`incident numbers on ${backend.name}`, () => {
    test("five failures of one task, a missed start's raises, a rolled-back opening: the incidents are 1, 2, 3", async () => {
      const db = await backend.open([incidentMigrations]);
      const incidents = service(db);
      const first = [];
      for (let i = 0; i < 5; i++) first.push((await incidents.annotate(failure("orders", T0 + i * 60_000)))[0]!.incident!.id);
      expect(first).toEqual([1, 1, 1, 1, 1]);
      // A condition raised three times is one incident.
      for (let i = 0; i < 3; i++) expect((await incidents.raise(missed("stock", T0 + i * 1_000))).id).toBe(2);
      // An incident opened in a transaction that is then rolled back takes no number.
      await expect(
        db.transaction(async (tx) => {
          await incidentSql(tx).touch(missed("never", T0), T0);
          throw new Error("the store went away");
        }),
      ).rejects.toThrow("the store went away");
      expect((await incidents.annotate(failure("ledger", T0)))[0]!.incident!.id).toBe(3);
      expect((await incidents.list({ limit: 10 })).map((i) => i.id).sort()).toEqual([1, 2, 3]);
    }, 60_000);
  });

describe("incident numbers with two Stewards on one PostgreSQL", () => {
  const pg = backends[1] as ReturnType<typeof postgresBackend>;
  test("ten tasks failing three times each and five conditions, from two pools at once: the incidents are 1 to 15", async () => {
    const url = await (await pg.server()).createDatabase(`incident_numbers_${process.pid}`);
    const opts = { url, maxConnections: 4, connectTimeoutMs: 5_000, tls: false as const, applicationName: "steward-test" };
    const [a, b] = [await openPostgresStore(opts, [incidentMigrations]), await openPostgresStore(opts, [incidentMigrations])];
    try {
      const [sa, sb] = [service(a), service(b)];
      const work: Array<Promise<unknown>> = [];
      for (let run = 0; run < 3; run++) for (let t = 0; t < 10; t++) work.push(((t + run) % 2 ? sa : sb).annotate(failure(`t${t}`, T0 + run * 60_000 + t)));
      for (let c = 0; c < 5; c++) for (const s of [sa, sb]) work.push(s.raise(missed(`c${c}`, T0 + c)));
      await Promise.all(work);
      const ids = (await sa.list({ limit: 100 })).map((i) => i.id).sort((x, y) => x - y);
      expect(ids).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
