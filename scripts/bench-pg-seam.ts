// Bench row: the PostgreSQL store seam alone, round after round in one process. 50 concurrent callers send
// `SELECT 1` through createPostgresDb (the code every module's SQL goes through) with 10 connections, on a private
// PostgreSQL; each round prints this process's CPU per statement. Anything the seam or the client accumulates
// per statement (queues, caches, listeners) shows as a CPU per statement that climbs with the rounds; without
// HTTP, JSON and audit rows around it the climb is not lost in their noise, as in bench-pg-rounds.
//
//   bun scripts/bench-pg-seam.ts [rounds=8] [statementsPerRound=40000] [callers=50]
import { findPostgresPrograms, startPrivatePostgres } from "../src/show/demo/private-postgres";
import { createPostgresDb } from "../src/platform/store/postgres-db";
import { freePort } from "./bench-proc";

const [roundsArg, perRoundArg, callersArg] = process.argv.slice(2);
const ROUNDS = Number(roundsArg ?? 8);
const PER_ROUND = Number(perRoundArg ?? 40_000);
const CALLERS = Number(callersArg ?? 50);

const pg = await startPrivatePostgres({ port: await freePort(), programs: findPostgresPrograms(), prefix: "steward-bench-seam-pg-" });
const db = createPostgresDb({ url: pg.url, maxConnections: 10, connectTimeoutMs: 5_000, tls: false, applicationName: "bench-seam" });
try {
  console.log("round | statements | CPU per statement | wall per statement");
  const perStatement: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let n = 0;
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (n < PER_ROUND) {
          n++;
          await db.get("SELECT 1 AS one");
        }
      }),
    );
    const cpu = process.cpuUsage(cpu0);
    const us = (cpu.user + cpu.system) / n;
    perStatement.push(us);
    console.log(`${round} | ${n} | ${us.toFixed(1)} µs | ${(((performance.now() - t0) * 1000) / n).toFixed(1)} µs`);
  }
  const half = Math.floor(perStatement.length / 2);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const [early, late] = [mean(perStatement.slice(1, half)), mean(perStatement.slice(half))];
  console.log(
    `\nCPU per statement, rounds 2–${half} ${early.toFixed(1)} µs, rounds ${half + 1}–${ROUNDS} ${late.toFixed(1)} µs: ${(late / early).toFixed(2)}×`,
  );
} finally {
  await db.close();
  await pg.stop();
}
