// The UDP intake on PostgreSQL, one or two Steward binaries alternately on one private PostgreSQL (a fresh database
// per start): a burst of failed runs timed until every one is handled, and paced senders at given rates for 5 s,
// with the CPU each run cost Steward and PostgreSQL, the statements and commits PostgreSQL ran per run
// (pg_stat_statements, pg_stat_database) and the share of the offered runs processed.
//   bun scripts/bench-udp-postgres.ts <binary-A> [binary-B] [rounds=3] [rates=2000,5000]
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import postgres from "postgres";
import { findPostgresPrograms, startPrivatePostgres } from "../src/show/demo/private-postgres";
import { cpuMs, freePort } from "./bench-proc";
import { startSteward, type StewardTarget } from "./bench-targets";
import { createUdpSender, type UdpSender } from "./bench-udp-load";
import { sumMetric } from "./bench-udp";
import { postgresCpuMs } from "./bench-postgres";

const BURST = 800;
const PACED_MS = 5_000;

const [binA, binB, roundsArg, ratesArg] = process.argv.slice(2);
if (!binA) throw new Error("usage: bun scripts/bench-udp-postgres.ts <binary-A> [binary-B] [rounds=3] [rates=2000,5000]");
const bins = [binA, ...(binB && binB !== "-" ? [binB] : [])];
const rounds = Number(roundsArg ?? 3);
const rates = (ratesArg ?? "2000,5000").split(",").map(Number);

interface Counters {
  stewardMs: number;
  postgresMs: number;
  statements: number;
  commits: number;
  emitted: number;
}

const pg = await startPrivatePostgres({ port: await freePort(), programs: findPostgresPrograms(), prefix: "steward-bench-udp-pg-" });
const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
const work = mkdtempSync(join(tmpdir(), "steward-bench-udp-pg-"));
try {
  // Statement counts need pg_stat_statements loaded at server start.
  await admin`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`;
  await admin.end();
  await pg.halt();
  await pg.resume();
  for (let round = 1; round <= rounds; round++) {
    for (const [i, bin] of bins.entries()) {
      const label = bins.length > 1 ? (i === 0 ? "A" : "B") : "A";
      await measure(bin, label, round);
    }
  }
} finally {
  await pg.stop();
  rmSync(work, { recursive: true, force: true });
}

async function measure(bin: string, label: string, round: number): Promise<void> {
  const dbName = `bench_${label.toLowerCase()}_${round}`;
  const url = await pg.createDatabase(dbName);
  const db = postgres(url, { max: 1, onnotice: () => {} });
  await db`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`;
  let steward: StewardTarget | undefined;
  let sender: UdpSender | undefined;
  try {
    steward = await startSteward(bin, join(work, `${label}-${round}`), `store:\n  postgres: { url: ${JSON.stringify(url)}, instanceName: bench }`);
    const target = steward;
    sender = await createUdpSender(target.udpPort);
    const metric = async (names: string[]) => sumMetric(await (await fetch(`${target.url}/metrics`)).text(), names) ?? 0;
    const busy = async () => (await metric(["steward_intake_queue_depth", "steward_intake_in_flight"])) > 0;
    const drained = async () => {
      for (let n = 0; n < 1200 && (await busy()); n++) await Bun.sleep(50);
    };
    const read = async (): Promise<Counters> => {
      const [s] =
        await db`SELECT COALESCE(SUM(calls), 0)::bigint AS n FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ${dbName}`;
      const [c] = await db`SELECT pg_stat_get_db_xact_commit(oid)::bigint AS n FROM pg_database WHERE datname = ${dbName}`;
      return {
        stewardMs: cpuMs(target.proc.pid),
        postgresMs: postgresCpuMs(pg.pid),
        statements: Number(s?.n ?? 0),
        commits: Number(c?.n ?? 0),
        emitted: await metric(["steward_intake_events_emitted_total"]),
      };
    };
    const per = (a: Counters, b: Counters) => {
      const runs = Math.max(1, b.emitted - a.emitted);
      return {
        runs: b.emitted - a.emitted,
        stewardUs: Math.round(((b.stewardMs - a.stewardMs) * 1000) / runs),
        postgresUs: Math.round(((b.postgresMs - a.postgresMs) * 1000) / runs),
        statements: ((b.statements - a.statements) / runs).toFixed(1),
        commits: ((b.commits - a.commits) / runs).toFixed(2),
      };
    };
    // Warm-up: a first burst (connections opened, statements prepared).
    await sender.burst(200);
    await Bun.sleep(200);
    await drained();

    // pg_stat_database counts lag by up to a second (the backends report at transaction end, at most once a 500 ms).
    await Bun.sleep(1_100);
    if (process.env.BENCH_PG_TOP) await db`SELECT pg_stat_statements_reset()`;
    const b0 = await read();
    const t0 = performance.now();
    await sender.burst(BURST);
    await Bun.sleep(100);
    await drained();
    const seconds = (performance.now() - t0) / 1000;
    await Bun.sleep(1_100);
    const b = per(b0, await read());
    console.log(
      `${label} round ${round}: burst of ${BURST}: ${b.runs} runs at ${Math.round(b.runs / seconds)}/s; per run: Steward ${b.stewardUs} µs, ` +
        `PostgreSQL ${b.postgresUs} µs, ${b.statements} statements, ${b.commits} commits`,
    );
    if (process.env.BENCH_PG_TOP) await topStatements(db, dbName, b.runs);
    for (const rate of rates) {
      if (process.env.BENCH_PG_TOP) await db`SELECT pg_stat_statements_reset()`;
      const p0 = await read();
      const sent = await sender.paced(rate, PACED_MS);
      const whileSending = (await metric(["steward_intake_events_emitted_total"])) - p0.emitted;
      await Bun.sleep(100);
      await drained();
      await Bun.sleep(1_100);
      const p = per(p0, await read());
      console.log(
        `${label} round ${round}: paced ${rate}/s for ${PACED_MS / 1000} s: sent ${sent}, processed ${p.runs} (${((100 * p.runs) / sent).toFixed(1)}%; ` +
          `${Math.round(whileSending / (PACED_MS / 1000))}/s while sending); per run: Steward ${p.stewardUs} µs, PostgreSQL ${p.postgresUs} µs, ` +
          `${p.statements} statements, ${p.commits} commits`,
      );
      if (process.env.BENCH_PG_TOP) await topStatements(db, dbName, p.runs);
    }
  } finally {
    sender?.close();
    await steward?.proc.stop();
    await db.end();
  }
}

/** The statements of this database by calls per run (BENCH_PG_TOP=1): where a run's round trips go. */
async function topStatements(db: postgres.Sql, dbName: string, runs: number): Promise<void> {
  const rows = await db`SELECT calls, total_exec_time, query FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
    WHERE d.datname = ${dbName} ORDER BY calls DESC LIMIT 25`;
  for (const r of rows)
    console.log(
      `  ${(Number(r.calls) / Math.max(1, runs)).toFixed(2)}/run ${(Number(r.total_exec_time) / Number(r.calls)).toFixed(3)} ms  ${String(r.query).replace(/\s+/g, " ").slice(0, 150)}`,
    );
}
