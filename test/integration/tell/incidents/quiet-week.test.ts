// The warnings' learned thresholds must not wake anyone for nothing: a simulated week of four tasks with ordinary
// spread in durations and row counts (a table that is often empty, a fast task that varies tenfold, a few failures
// and recoveries) raises no task.warning; then a run at 5 % of its usual time and a usually full table that comes
// back empty each raise exactly one. The runs go through the real incident service on the real store.
import { afterAll, expect, test } from "bun:test";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { scriptLogExcerpt } from "../../../../src/hear/events/enrich-mappers";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createIncidentService, incidentMigrations } from "../../../../src/tell/incidents";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { sqliteBackend } from "../../../helpers/sql-backends";

const backend = sqliteBackend();
afterAll(() => backend.shutdown());

/** Deterministic pseudo-random numbers (mulberry32), so the week is the same on every run. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface TaskPlan {
  id: string;
  name: string;
  everyMs: number;
  /** Median duration and how far (log-normal sigma) runs spread around it. */
  durationMs: number;
  sigma: number;
  tables: (r: () => number) => Record<string, number>;
}

const PLANS: TaskPlan[] = [
  {
    id: "aaaaaaaa-0000-4000-8000-000000000001",
    name: "Hourly sales",
    everyMs: 3_600_000,
    durationMs: 600_000,
    sigma: 0.3,
    tables: (r) => ({ Orders: Math.round(100_000 * (0.9 + 0.2 * r())), Rejects: r() < 0.7 ? 0 : Math.round(r() * 20) }),
  },
  {
    id: "aaaaaaaa-0000-4000-8000-000000000002",
    name: "Quarter-hourly stock",
    everyMs: 900_000,
    durationMs: 20_000,
    sigma: 1.0,
    tables: (r) => ({ Stock: Math.round(5_000 * (0.5 + r())) }),
  },
  {
    id: "aaaaaaaa-0000-4000-8000-000000000003",
    name: "Nightly finance",
    everyMs: 86_400_000,
    durationMs: 3_600_000,
    sigma: 0.2,
    tables: (r) => ({ Ledger: Math.round(2e6 * (0.95 + 0.1 * r())), Budget: 1_200 }),
  },
  {
    id: "aaaaaaaa-0000-4000-8000-000000000004",
    name: "Hourly HR",
    everyMs: 3_600_000,
    durationMs: 180_000,
    sigma: 0.4,
    tables: (r) => ({ Staff: 3_000 + Math.round(r() * 50) }),
  },
];

function normal(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function runEvent(plan: TaskPlan, stopMs: number, durationMs: number, outcome: "succeeded" | "failed", tables: Record<string, number>): TaskEvent {
  const e = syntheticTaskEvent({ outcome, taskId: plan.id, taskName: plan.name, nowMs: stopMs + 500, full: false });
  e.source = "udp";
  e.user = "INTERNAL\\sa_scheduler";
  e.execution = { ...e.execution!, startTime: new Date(stopMs - durationMs).toISOString(), stopTime: new Date(stopMs).toISOString(), durationMs };
  const lines = ["Execution started."];
  let n = 1;
  for (const [t, rows] of Object.entries(tables))
    lines.push(
      `${String(n++).padStart(4, "0")}  [${t}]:`,
      `${String(n++).padStart(4, "0")}  LOAD * FROM [lib://Data/${t}.qvd] (qvd);`,
      `${rows.toLocaleString("en-US")} Lines fetched`,
    );
  lines.push(
    outcome === "failed" ? "      Error: Cannot open file: 'lib://Data/missing.qvd'" : "App saved",
    outcome === "failed" ? "Execution Failed" : "Execution finished.",
  );
  e.scriptLog = scriptLogExcerpt(lines.map((l) => `20261120T010000.000+0100 ${l}`).join("\r\n"), 20, 40, 1024 * 1024);
  return e;
}

test("a quiet week raises no warning; a run at 5 % of its usual time and an emptied table raise one each", async () => {
  const t0 = Date.parse("2026-11-16T00:00:00Z");
  const clock = createManualClock(t0);
  const db = await backend.open([incidentMigrations]);
  const s = createIncidentService(IncidentsSchema.parse({ seedFromQrs: false }), { db, clock, log: createSilentLogger() });
  const r = rng(27);
  const all: TaskEvent[] = [];
  const week = 7 * 86_400_000;
  // Every run of the week, in the order they end.
  const schedule: Array<{ plan: TaskPlan; stop: number }> = [];
  for (const plan of PLANS) for (let start = t0; start < t0 + week; start += plan.everyMs) schedule.push({ plan, stop: start + plan.durationMs });
  schedule.sort((a, b) => a.stop - b.stop);
  let failures = 0;
  for (const { plan, stop } of schedule) {
    const duration = Math.max(1_000, Math.round(plan.durationMs * Math.exp(plan.sigma * normal(r))));
    // Now and then a run fails (a source down for a while): incidents open and close, without warnings.
    const outcome = r() < 0.02 ? "failed" : "succeeded";
    if (outcome === "failed") failures++;
    await clock.set(stop + 1_000);
    all.push(...(await s.annotate(runEvent(plan, stop, duration, outcome, plan.tables(r)))));
  }
  const runs = all.filter((e) => e.kind === "task.succeeded" || e.kind === "task.failed").length;
  expect(runs).toBe(schedule.length);
  expect(failures).toBeGreaterThan(3);
  expect(all.filter((e) => e.kind === "task.recovered").length).toBeGreaterThan(0);
  expect(all.filter((e) => e.kind === "task.warning").map((e) => `${e.task.name}: ${e.warnings!.map((w) => w.message).join("; ")}`)).toEqual([]);

  // The real thing, after the week: Hourly sales in 30 s (usually about 10 min), then Orders empty.
  const sales = PLANS[0]!;
  const after = t0 + week + 3_600_000;
  const short = await s.annotate(runEvent(sales, after, 30_000, "succeeded", { Orders: 101_000, Rejects: 0 }));
  expect(short.filter((e) => e.kind === "task.warning").map((e) => e.warnings!.map((w) => w.kind))).toEqual([["shortRun"]]);
  const empty = await s.annotate(runEvent(sales, after + 3_600_000, 600_000, "succeeded", { Orders: 0, Rejects: 0 }));
  expect(empty.filter((e) => e.kind === "task.warning").map((e) => e.warnings!.map((w) => `${w.kind} ${w.table}`))).toEqual([["emptyTable Orders"]]);
});
