// Bench section: what a finished run costs on its way to the bus for its history and incident (the run's row, the
// read of the task's last 50 runs, the incident's upsert), in-process on both stores: the CPU and wall time of
// annotating one failed run, with 4 runs in flight as the intake's default concurrency has them. Two shapes: a
// flood of one task's failures (the worst case: every run reads a full history and updates the same incident
// under the same lock) and failures spread over 200 tasks. `bun scripts/bench-incidents.ts` prints the rows.
import { IncidentsSchema } from "../src/tell/incidents/config";
import { systemClock } from "../src/platform/core/clock";
import { createSilentLogger } from "../src/platform/core/logger";
import { startPrivatePostgres } from "../src/show/demo/private-postgres";
import type { TaskEvent } from "../src/platform/events/types";
import { createIncidentService, incidentMigrations } from "../src/tell/incidents";
import { syntheticTaskEvent } from "../src/tell/notify/samples";
import { openStore } from "../src/platform/store/database";
import { openPostgresStore } from "../src/platform/store/postgres-store";
import type { SqlDb } from "../src/platform/store/sql";
import { createTempDir } from "../test/helpers/temp-dir";
import { freePort } from "./bench-proc";
import type { Figure } from "./bench-report";

const RUNS = 2_000;
const WARMUP = 300;
/** intake.concurrency's default: runs annotated at the same time. */
const CONCURRENCY = 4;
const SHAPES = [
  { tasks: 1, label: "a flood of one task's failures" },
  { tasks: 200, label: "failures spread over 200 tasks" },
] as const;

interface PerRun {
  cpuUs: number;
  wallUs: number;
}

export type IncidentBenchRaw = Record<string, PerRun>;

/** The n-th run ends a second after the one before it (a task runs one at a time, so its runs never end together). */
const T0 = Date.now() - 86_400_000;
function failedRun(taskId: string, n: number): TaskEvent {
  const e = syntheticTaskEvent({ outcome: "failed", taskId, taskName: `Reload ${taskId.slice(-4)}`, nowMs: T0 + n * 1_000 });
  e.source = "udp";
  e.user = "INTERNAL\\sa_scheduler";
  return e;
}

/** CPU and wall time per annotated run; the events are made before the clock starts. */
async function measure(db: SqlDb, tasks: number): Promise<PerRun> {
  const service = createIncidentService(IncidentsSchema.parse({ seedFromQrs: false }), { db, clock: systemClock, log: createSilentLogger() });
  const ids = Array.from({ length: tasks }, (_, i) => `7552d9fc-d1bb-4975-9a38-${String(i).padStart(12, "0")}`);
  const drive = async (events: TaskEvent[]) => {
    let next = 0;
    const worker = async () => {
      while (next < events.length) await service.annotate(events[next++]!);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  };
  await drive(Array.from({ length: WARMUP }, (_, i) => failedRun(ids[i % tasks]!, i)));
  const events = Array.from({ length: RUNS }, (_, i) => failedRun(ids[i % tasks]!, WARMUP + i));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await drive(events);
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { cpuUs: (c.user + c.system) / RUNS, wallUs: (wall * 1000) / RUNS };
}

export async function measureIncidents(log: (line: string) => void): Promise<IncidentBenchRaw> {
  const raw: IncidentBenchRaw = {};
  const dir = createTempDir("steward-bench-incidents-");
  try {
    for (const shape of SHAPES) {
      const store = openStore(`${dir.path}/sqlite-${shape.tasks}`, [incidentMigrations]);
      try {
        raw[`sqlite/${shape.tasks}`] = await measure(store.sql, shape.tasks);
      } finally {
        store.close();
      }
      log(`incidents: sqlite, ${shape.label}: ${raw[`sqlite/${shape.tasks}`]!.cpuUs.toFixed(0)} µs CPU per run`);
    }
    const pg = await startPrivatePostgres({ port: await freePort(), durableCommits: true });
    try {
      for (const shape of SHAPES) {
        const db = await openPostgresStore(
          { url: await pg.createDatabase(`incidents_${shape.tasks}`), maxConnections: 4, connectTimeoutMs: 5_000, tls: false, applicationName: "bench" },
          [incidentMigrations],
        );
        try {
          raw[`postgres/${shape.tasks}`] = await measure(db, shape.tasks);
        } finally {
          await db.close();
        }
        log(`incidents: postgres, ${shape.label}: ${raw[`postgres/${shape.tasks}`]!.cpuUs.toFixed(0)} µs CPU per run`);
      }
    } finally {
      await pg.stop();
    }
  } finally {
    dir.remove();
  }
  return raw;
}

export async function runIncidentSection(log: (line: string) => void): Promise<{ figures: Figure[]; raw: IncidentBenchRaw }> {
  const raw = await measureIncidents(log);
  const figures: Figure[] = [];
  for (const store of ["sqlite", "postgres"] as const)
    for (const shape of SHAPES) {
      const r = raw[`${store}/${shape.tasks}`];
      figures.push({
        metric: `A failed run's history and incident on ${store === "sqlite" ? "SQLite" : "PostgreSQL"}, ${shape.label}`,
        unit: "µs",
        steward: r?.cpuUs,
        note: `CPU per run, in-process, ${RUNS.toLocaleString("en-US")} runs, ${CONCURRENCY} at a time (wall ${r?.wallUs.toFixed(0)} µs per run)${store === "postgres" ? "; the client's CPU only (the server's is its own)" : ""}`,
      });
    }
  return { figures, raw };
}

if (import.meta.main) {
  const { figures } = await runIncidentSection((line) => console.log(`[bench] ${line}`));
  for (const f of figures) console.log(`${f.steward?.toFixed(0).padStart(8)} ${f.unit}  ${f.metric} (${f.note})`);
}
