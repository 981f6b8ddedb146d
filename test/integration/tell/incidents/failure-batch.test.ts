// Failed runs recorded together on PostgreSQL (src/tell/incidents/failure-batch.ts): runs annotated at the same moment
// share a transaction and still say, and store, what they would have one after another; a batch PostgreSQL refuses
// because of one run is recorded again run by run, so the others are counted once and only that one fails.
import { afterAll, describe, expect, test } from "bun:test";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { incidentMigrations } from "../../../../src/tell/incidents";
import { createAnnotator } from "../../../../src/tell/incidents/annotator";
import { createClassifier } from "../../../../src/tell/incidents/classify";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { SqlDb, SqlExecutor, SqlValue } from "../../../../src/platform/store/sql";
import { postgresBackend } from "../../../helpers/sql-backends";

const T0 = Date.parse("2026-11-20T01:00:00Z");
const TASK_A = "3f1a2b3c-0000-4000-8000-00000000000a";
const TASK_B = "3f1a2b3c-0000-4000-8000-00000000000b";

function run(taskId: string, outcome: "succeeded" | "failed", stopMs: number, durationMs = 60_000): TaskEvent {
  const e = syntheticTaskEvent({ outcome, taskId, taskName: `Reload ${taskId.slice(-1)}`, nowMs: stopMs + 1000 });
  e.source = "udp";
  e.user = "INTERNAL\\sa_scheduler";
  e.execution = { ...e.execution!, startTime: new Date(stopMs - durationMs).toISOString(), stopTime: new Date(stopMs).toISOString(), durationMs };
  return e;
}

const backend = postgresBackend();
afterAll(() => backend.shutdown());

function annotator(db: SqlDb) {
  const cfg = IncidentsSchema.parse({ seedFromQrs: false });
  return createAnnotator(cfg, {
    db,
    classifier: createClassifier(cfg.errorClasses, cfg.hints),
    clock: createManualClock(T0 + 86_400_000),
    log: createSilentLogger(),
  });
}

/** What a run's event says of its history and incident. */
const said = (e: TaskEvent) => ({
  id: e.id,
  consecutiveFailures: e.history?.consecutiveFailures,
  failingSince: e.history?.failingSince,
  lastSuccessAt: e.history?.lastSuccessAt,
  incidentFailures: e.incident?.failures,
  openedAt: e.incident?.openedAt,
});

async function stored(db: SqlDb) {
  const runs = await db.all(
    "SELECT execution_id, outcome, consecutive_failures, incident_id IS NOT NULL AS linked FROM incident_runs ORDER BY execution_id, outcome",
  );
  const incidents = await db.all(
    "SELECT subject, status, failures, events, opened_at, last_event_at, first_event_id, last_event_id, last_summary FROM incidents ORDER BY subject",
  );
  return { runs, incidents };
}

describe("failure batches on PostgreSQL", () => {
  test("failures annotated together share transactions and say and store what they would one after another", { timeout: 60_000 }, async () => {
    // Two successes each, then failures of two tasks interleaved, one of them arriving after later ones.
    const earlier = [run(TASK_A, "succeeded", T0 - 7_200_000), run(TASK_A, "succeeded", T0 - 3_600_000), run(TASK_B, "succeeded", T0 - 3_600_000)];
    const failures: TaskEvent[] = [];
    for (let i = 0; i < 12; i++) failures.push(run(i % 3 === 2 ? TASK_B : TASK_A, "failed", T0 + (i + 1) * 60_000, 5_000));
    failures.push(run(TASK_A, "failed", T0 + 30_000, 5_000));
    for (let i = 12; i < 20; i++) failures.push(run(TASK_A, "failed", T0 + (i + 1) * 60_000, 5_000));

    const alone = await backend.open([incidentMigrations]);
    const one = annotator(alone);
    for (const e of earlier) await one.annotate(e);
    const expected: TaskEvent[] = [];
    for (const e of failures) expected.push(...(await one.annotate(e)));

    const together = await backend.open([incidentMigrations]);
    const batched = annotator(together);
    for (const e of earlier) await batched.annotate(e);
    const before = { ...batched.failureBatches()! };
    const got = (await Promise.all(failures.map((e) => batched.annotate(e)))).flat();
    const stats = batched.failureBatches()!;

    expect(stats.runs - before.runs).toBe(failures.length);
    expect(stats.batches - before.batches).toBeLessThan(failures.length / 4);
    expect(got.map(said)).toEqual(expected.map(said));
    expect(got.map((e) => e.history!.consecutiveFailures).slice(0, 4)).toEqual([1, 2, 1, 3]);
    expect(await stored(together)).toEqual(await stored(alone));
  });

  test("a batch PostgreSQL refuses because of one run: the others are recorded once, the refused run is tried alone and fails alone", {
    timeout: 60_000,
  }, async () => {
    const db = await backend.open([incidentMigrations]);
    const a = annotator(db);
    await a.annotate(run(TASK_A, "succeeded", T0 - 3_600_000));
    const good = [0, 1, 2, 3].map((i) => run(TASK_A, "failed", T0 + i * 60_000, 5_000));
    // A task id PostgreSQL will not store (a NUL character, as a forged datagram could carry): its batch fails.
    const refused = run(`${TASK_B}\u0000`, "failed", T0 + 90_000, 5_000);
    const batch = [good[0]!, good[1]!, refused, good[2]!, good[3]!];
    const before = { ...a.failureBatches()! };
    const outs = await Promise.allSettled(batch.map((e) => a.annotate(e)));

    expect(a.failureBatches()!.batches - before.batches).toBe(1);
    expect(outs.map((o) => o.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled"]);
    const events = outs.flatMap((o) => (o.status === "fulfilled" ? o.value : []));
    expect(events.map((e) => e.history!.consecutiveFailures)).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => e.incident?.failures)).toEqual([1, 2, 3, 4]);
    const { runs, incidents } = await stored(db);
    expect(runs.map((r) => Number((r as { consecutive_failures: number }).consecutive_failures)).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ status: "open", failures: 4, events: 4, first_event_id: good[0]!.id, last_event_id: good[3]!.id });
  });

  test("with thousands of runs stored, a batch finds its runs and any newer success by index, not by reading every stored run", {
    timeout: 60_000,
  }, async () => {
    const db = await backend.open([incidentMigrations]);
    // Earlier failures of the task and of others (as a busy site keeps for weeks); the planner knows the table's size.
    await db.run(
      `INSERT INTO incident_runs (execution_id, outcome, task_id, finished_at, duration_ms, error_class, tables, incident_id, consecutive_failures, source, recorded_at)
       SELECT 'old-' || g, 'failed', CASE WHEN g % 2 = 0 THEN ? ELSE 'other-' || (g % 50) END, CAST(? AS BIGINT) + g, 1000, NULL, NULL, NULL, 0, 'event', 0
       FROM generate_series(1, 4000) g`,
      [TASK_A, T0 - 86_400_000],
    );
    await db.run("ANALYZE incident_runs");
    // Each statement of a batch that names incident_runs is explained (with its parameters) before it runs.
    const plans: string[] = [];
    const explained = (tx: SqlExecutor): SqlExecutor => {
      const spy: SqlExecutor = Object.create(tx);
      const explain = async (sql: string, params?: readonly SqlValue[]) => {
        if (!/incident_runs/.test(sql) || sql.startsWith("INSERT")) return;
        const rows = await tx.all<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params);
        plans.push(`${sql.slice(0, 40)}\n${rows.map((r) => r["QUERY PLAN"]).join("\n")}`);
      };
      spy.all = async <T>(sql: string, params?: readonly SqlValue[]) => (await explain(sql, params), tx.all<T>(sql, params));
      spy.get = async <T>(sql: string, params?: readonly SqlValue[]) => (await explain(sql, params), tx.get<T>(sql, params));
      return spy;
    };
    const watched: SqlDb = Object.create(db);
    watched.transaction = (fn) => db.transaction((tx) => fn(explained(tx)));
    const a = annotator(watched);
    const failures = Array.from({ length: 12 }, (_, i) => run(TASK_A, "failed", T0 + i * 60_000, 5_000));
    const before = { ...a.failureBatches()! };
    const events = (await Promise.all(failures.map((e) => a.annotate(e)))).flat();

    expect(a.failureBatches()!.batches - before.batches).toBeLessThan(4);
    const first = events[0]!.incident!.failures;
    expect(events.map((e) => e.incident?.failures)).toEqual(failures.map((_, i) => first + i));
    // The newer success is looked up on the task's successes alone (the partial index), not on all its later runs.
    expect(plans.some((p) => p.includes("incident_runs_task_success"))).toBe(true);
    expect(plans.some((p) => p.startsWith("WITH b AS"))).toBe(true);
    expect(plans.filter((p) => /Seq Scan on incident_runs/.test(p))).toEqual([]);
  });
});
