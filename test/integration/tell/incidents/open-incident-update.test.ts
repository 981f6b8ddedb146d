// Issue 89: on SQLite a failure of a task whose incident is open updates that incident with one UPDATE, not the
// open incident's number look and an INSERT … ON CONFLICT (two statements, the upsert the dearer, 7 % of the main
// thread in a burst of failure datagrams). The incident it leaves is the one the upsert left: counts, first and last
// event, opened_at moved back by an earlier failure heard late, and the last event's fields kept when an older
// failure arrives after a newer one.
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { SqlDb, SqlExecutor } from "../../../../src/platform/store/sql";
import { createIncidentService, incidentMigrations, taskSubject } from "../../../../src/tell/incidents";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { sqliteBackend } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-20T01:00:00Z");
const TASK = "3f1a2b3c-0000-4000-8000-00000000000b";

function failure(stopMs: number, line: string, outcome: "failed" | "succeeded" = "failed"): TaskEvent {
  const e = syntheticTaskEvent({ outcome, taskId: TASK, taskName: "Reload Sales", nowMs: stopMs + 1000 });
  e.source = "udp";
  e.execution = { ...e.execution!, startTime: new Date(stopMs - 60_000).toISOString(), stopTime: new Date(stopMs).toISOString(), durationMs: 60_000 };
  e.logMessage = line;
  return e;
}

/** The store, with the statements its transactions send on the incidents and incident_runs tables listed (the first 40 characters; `whole`: all of each). */
function counted(db: SqlDb): { db: SqlDb; sent: string[]; whole: string[] } {
  const sent: string[] = [];
  const whole: string[] = [];
  const note = (sql: string) => {
    if (!/\bincident(s|_runs)\b/.test(sql)) return;
    whole.push(sql.replace(/\s+/g, " ").trim());
    sent.push(whole.at(-1)!.slice(0, 40));
  };
  const wrap = (x: SqlExecutor): SqlExecutor => ({
    dialect: x.dialect,
    get: (sql, p) => (note(sql), x.get(sql, p)),
    all: (sql, p) => (note(sql), x.all(sql, p)),
    run: (sql, p) => (note(sql), x.run(sql, p)),
    exec: (s) => x.exec(s),
  });
  const outer = wrap(db);
  return {
    sent,
    whole,
    db: {
      ...outer,
      transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
      get isOpen() {
        return db.isOpen;
      },
      close: () => db.close(),
    },
  };
}

const backend = sqliteBackend();

/** The incidents service on `db`, a day after T0, without QRS seeding. */
const incidentsOn = (db: SqlDb) =>
  createIncidentService(IncidentsSchema.parse({ seedFromQrs: false }), { db, clock: createManualClock(T0 + 86_400_000), log: createSilentLogger() });
afterAll(() => backend.shutdown());

describe("a failure of an open incident on SQLite", () => {
  test("is one UPDATE of the incident, and leaves it as the upsert did", async () => {
    const { db, sent } = counted(await backend.open([incidentMigrations]));
    const s = incidentsOn(db);
    const first = failure(T0, "Field 'CustomerKey' not found");
    await s.annotate(first);
    sent.length = 0;

    const second = failure(T0 + 15 * 60_000, "Connection to the database failed");
    const [out] = await s.annotate(second);
    expect(sent.filter((q) => q.startsWith("UPDATE incidents") || q.startsWith("INSERT INTO incidents") || q.startsWith("SELECT id FROM incidents"))).toEqual([
      "UPDATE incidents SET failures = failures",
    ]);
    expect(out!.incident).toMatchObject({ status: "open", failures: 2, openedAt: new Date(T0).toISOString() });
    expect(out!.history!.consecutiveFailures).toBe(2);

    // An older failure heard late: counted, opened_at moved back, the newest event's fields kept.
    const late = failure(T0 - 15 * 60_000, "Out of memory");
    const [lateOut] = await s.annotate(late);
    expect(lateOut!.incident).toMatchObject({ failures: 3, openedAt: new Date(T0 - 15 * 60_000).toISOString() });
    const row = (await s.openIncident(taskSubject(TASK)))!;
    expect(row).toMatchObject({
      failures: 3,
      events: 3,
      openedAt: T0 - 15 * 60_000,
      lastEventAt: T0 + 15 * 60_000,
      firstEventId: first.id,
      lastEventId: second.id,
      lastKind: "task.failed",
    });
    expect(row.lastSummary).toContain("failed");
    expect(row.lastSummary).toBe((await s.get(row.id))!.lastSummary);
  });
});

describe("what a failure of an open incident reads back on SQLite", () => {
  // Issue 89 (dg5): the UPDATE's `RETURNING *` was most of the touch's cost (8.5-9 % of the main thread in a burst).
  test("only the columns the event and the log need, without RETURNING, and the incident's paged and acknowledged state with them", async () => {
    const { db, whole } = counted(await backend.open([incidentMigrations]));
    const s = incidentsOn(db);
    const [opened] = await s.annotate(failure(T0, "Field 'CustomerKey' not found"));
    const id = opened!.incident!.id;
    await s.markPaged(id, T0 + 60_000);
    await s.acknowledge(id, "ops-key", "looking");
    whole.length = 0;

    const [out] = await s.annotate(failure(T0 + 15 * 60_000, "Connection to the database failed"));
    const onIncidents = whole.filter((q) => !q.startsWith("UPDATE incident_runs"));
    expect(onIncidents.filter((q) => q.includes("RETURNING"))).toEqual([]);
    expect(onIncidents.filter((q) => q.startsWith("SELECT *"))).toEqual([]);
    expect(out!.incident).toMatchObject({
      id,
      status: "open",
      failures: 2,
      openedAt: new Date(T0).toISOString(),
      acknowledgedBy: "ops-key",
      paged: true,
    });
    expect(out!.incident!.acknowledgedAt).toBeDefined();
    expect(out!.history!.consecutiveFailures).toBe(2);
    // The run's row is linked to the incident with its count, as before.
    const runs = await db.all<{ incident_id: number; consecutive_failures: number }>(
      "SELECT incident_id, consecutive_failures FROM incident_runs ORDER BY finished_at",
    );
    expect(runs.map((r) => [Number(r.incident_id), Number(r.consecutive_failures)])).toEqual([
      [id, 1],
      [id, 2],
    ]);
  });
});

describe("a failure's row on SQLite", () => {
  const linksOf = async (db: SqlDb) =>
    (
      await db.all<{ incident_id: number | null; consecutive_failures: number }>(
        "SELECT incident_id, consecutive_failures FROM incident_runs ORDER BY finished_at",
      )
    ).map((r) => [r.incident_id === null ? null : Number(r.incident_id), Number(r.consecutive_failures)]);

  // Issue 89 (dg5): the row and then its link to the incident were two statements a failure (the link 2.4 % of the
  // main thread in a burst); with an incident open the row is written linked, after the incident's update.
  test("is written linked to its open incident in one INSERT; the same run again changes nothing", async () => {
    const { db, whole } = counted(await backend.open([incidentMigrations]));
    const s = incidentsOn(db);
    const [opened] = await s.annotate(failure(T0, "Field 'CustomerKey' not found"));
    const id = opened!.incident!.id;
    whole.length = 0;

    const second = failure(T0 + 15 * 60_000, "Connection to the database failed");
    const [out] = await s.annotate(second);
    const onRuns = whole.filter((q) => /^(INSERT INTO|UPDATE) incident_runs/.test(q)).map((q) => q.slice(0, 26));
    expect(onRuns).toEqual(["INSERT INTO incident_runs "]);
    expect(out!.incident).toMatchObject({ id, failures: 2 });
    expect(await linksOf(db)).toEqual([
      [id, 1],
      [id, 2],
    ]);

    // Handled again (a retry after a crash): the incident's update is undone, and the run says what it said first.
    const [again] = await s.annotate(second);
    expect(again!.incident).toMatchObject({ id, failures: 2 });
    expect(again!.history!.consecutiveFailures).toBe(2);
    expect(await s.get(id)).toMatchObject({ failures: 2, events: 2, lastEventId: second.id });
    expect(await linksOf(db)).toEqual([
      [id, 1],
      [id, 2],
    ]);
  });

  test("of a failure older than a recorded success is written with its count and no incident, once", async () => {
    const { db, whole } = counted(await backend.open([incidentMigrations]));
    const s = incidentsOn(db);
    await s.annotate(failure(T0, "Field 'CustomerKey' not found"));
    await s.annotate(failure(T0 + 30 * 60_000, "", "succeeded"));
    whole.length = 0;
    const old = failure(T0 + 15 * 60_000, "Out of memory");
    const [late] = await s.annotate(old);
    expect(late!.heardAfterSuccess).toBeDefined();
    expect(late!.incident).toBeUndefined();
    expect(whole.filter((q) => q.startsWith("UPDATE incident_runs"))).toEqual([]);
    const [again] = await s.annotate(old);
    expect(again!.heardAfterSuccess).toBeDefined();
    expect(again!.history!.consecutiveFailures).toBe(2);
    const links = await linksOf(db);
    expect(links).toHaveLength(3);
    expect(links[1]).toEqual([null, 2]);
  });
});
