// Bench row: a long-running cluster member on PostgreSQL. One Steward process on a private PostgreSQL serves the
// same KV load (50 connections, sets and gets over 500 keys) for several rounds; each round prints Steward's own
// CPU per request (from /proc, not the load generator's), throughput, p99 and RSS. A member that accumulates
// something per request (statement caches, listeners, timers) shows a CPU per request that climbs round after
// round; a healthy one stays flat within noise.
//
//   bun scripts/bench-pg-rounds.ts [rounds=8] [secondsPerRound=8] [steward binary; default: this checkout's sources]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findPostgresPrograms, startPrivatePostgres } from "../src/show/demo/private-postgres";
import { runHttpLoad } from "./bench-http-load";
import { cpuMs, freePort, freeUdpPort, rssBytes, startTarget, waitFor200 } from "./bench-proc";

const REPO = resolve(import.meta.dir, "..");
const [roundsArg, secondsArg, binArg] = process.argv.slice(2);
const ROUNDS = Number(roundsArg ?? 8);
const SECONDS = Number(secondsArg ?? 8);
/** Within kv.maxKeysPerNamespace's default, so every set is stored and every get finds its key. */
const KEYS = 500;

const dir = mkdtempSync(join(tmpdir(), "steward-bench-rounds-"));
const pg = await startPrivatePostgres({ port: await freePort(), programs: findPostgresPrograms(), prefix: "steward-bench-rounds-pg-" });
const [httpPort, udpPort] = [await freePort(), await freeUdpPort()];
const url = await pg.createDatabase("rounds");
writeFileSync(
  join(dir, "steward.yaml"),
  [
    "dataDir: ./data",
    "logging: { level: warn, format: json }",
    `http: { host: 127.0.0.1, port: ${httpPort} }`,
    `udp: { host: 127.0.0.1, port: ${udpPort} }`,
    `store: { postgres: { url: ${JSON.stringify(url)}, instanceName: rounds } }`,
  ].join("\n"),
);
const argv = binArg ? [binArg, "run"] : [process.execPath, join(REPO, "src/main.ts"), "run"];
const steward = startTarget([...argv, "--config", join(dir, "steward.yaml")], { cwd: dir, logFile: join(dir, "steward.log") });
try {
  await waitFor200(`http://127.0.0.1:${httpPort}/ready`, performance.now(), 60_000);
  // Every key exists before the first round: each get finds its key, each set overwrites one.
  for (let k = 0; k < KEYS; k++) {
    await fetch(`http://127.0.0.1:${httpPort}/v4/keyvalues/rounds`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: `k${k}`, value: "v" }),
    });
  }
  console.log(`round | requests | Steward CPU per request | req/s | p99 | RSS`);
  const perRequest: number[] = [];
  let i = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const cpu0 = cpuMs(steward.pid);
    const r = await runHttpLoad({
      host: "127.0.0.1",
      port: httpPort,
      connections: 50,
      durationMs: SECONDS * 1000,
      warmupMs: 0,
      request: () => {
        const n = i++;
        const key = `k${n % KEYS}`;
        return n % 2 === 0
          ? { method: "POST", path: "/v4/keyvalues/rounds", body: JSON.stringify({ key, value: `v${n}` }) }
          : { method: "GET", path: `/v4/keyvalues/rounds?key=${key}` };
      },
    });
    const us = ((cpuMs(steward.pid) - cpu0) * 1000) / Math.max(1, r.requests + r.errors);
    if (r.errors > 0 && round === 1) console.log(`non-2xx answers by status: ${JSON.stringify(r.statuses)}`);
    perRequest.push(us);
    console.log(
      `${round} | ${r.requests} | ${us.toFixed(0)} µs | ${r.rps.toFixed(0)} | ${r.p99Ms.toFixed(1)} ms | ${(rssBytes(steward.pid) / 1e6).toFixed(0)} MB${r.errors ? ` | ${r.errors} errors` : ""}`,
    );
  }
  const half = Math.floor(perRequest.length / 2);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const [early, late] = [mean(perRequest.slice(0, half)), mean(perRequest.slice(half))];
  console.log(`\nCPU per request, first half of the rounds ${early.toFixed(0)} µs, second half ${late.toFixed(0)} µs: ${(late / early).toFixed(2)}×`);
} finally {
  await steward.stop();
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
