// Bench section "which runtime": the same Steward on Bun (the compiled binary) and on Deno (`deno run` with the
// documented permissions, and the Deno single binary when `npm run build` made one), measured the same way:
// cold start to /ready, idle RSS, GET /v4/butlerping and KV set under load. Its own table (bench/results.md),
// so an administrator can choose a runtime.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runHttpLoad, type LoadResult } from "./bench-http-load";
import { freePort, freeUdpPort, median, rssBytes, startTarget, waitFor200, type BenchProcess } from "./bench-proc";
import { MiB } from "./bench-report";
import { DENO_BINARY_NAME } from "./build-deno";
import { DENO_RUN_FLAGS } from "../src/platform/runtime/deno/permissions";

const REPO_ROOT = resolve(import.meta.dirname, "..");

export interface RuntimeColumn {
  name: string;
  /** argv before `run --config …`. */
  argv: string[];
}

export interface RuntimeFigures {
  name: string;
  coldStartMs: number;
  idleRssMiB: number;
  ping: LoadResult;
  kvSet: LoadResult;
}

export interface RuntimeSectionOptions {
  stewardBin: string;
  workDir: string;
  coldStarts: number;
  connections: number;
  durationMs: number;
  log: (line: string) => void;
}

/** Bun's binary, Deno from source, and Deno's binary when dist/ has one. */
export function runtimeColumns(stewardBin: string, distDir = join(REPO_ROOT, "dist")): RuntimeColumn[] {
  const columns: RuntimeColumn[] = [
    { name: "Bun (binary)", argv: [stewardBin] },
    { name: "Deno (deno run)", argv: [join(REPO_ROOT, "node_modules/.bin/deno"), "run", "--no-prompt", ...DENO_RUN_FLAGS, join(REPO_ROOT, "src/main.ts")] },
  ];
  const denoBin = join(distDir, DENO_BINARY_NAME);
  if (existsSync(denoBin)) columns.push({ name: "Deno (binary)", argv: [denoBin] });
  return columns;
}

async function start(column: RuntimeColumn, dir: string): Promise<{ proc: BenchProcess; url: string; startMs: number }> {
  mkdirSync(dir, { recursive: true });
  const [httpPort, udpPort] = [await freePort(), await freeUdpPort()];
  writeFileSync(
    join(dir, "steward.yaml"),
    [
      "dataDir: ./data",
      "logging: { level: info, format: json }",
      `http: { host: 127.0.0.1, port: ${httpPort} }`,
      `udp: { host: 127.0.0.1, port: ${udpPort} }`,
    ].join("\n"),
  );
  const t0 = performance.now();
  const proc = startTarget([...column.argv, "run", "--config", join(dir, "steward.yaml")], { cwd: dir, logFile: join(dir, "steward.log") });
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    const startMs = await Promise.race([
      waitFor200(`${url}/ready`, t0, 60_000),
      proc.proc.exited.then((code) => {
        throw new Error(`${column.name}: steward exited with ${code} during start (see ${join(dir, "steward.log")})`);
      }),
    ]);
    return { proc, url, startMs };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function measureRuntime(column: RuntimeColumn, o: RuntimeSectionOptions): Promise<RuntimeFigures> {
  const dir = join(o.workDir, `runtime-${column.name.replace(/\W+/g, "-").toLowerCase()}`);
  // The first start creates the store (and, for `deno run`, fills Deno's transpile cache): not timed.
  let target = await start(column, dir);
  const starts: number[] = [];
  for (let i = 0; i < o.coldStarts; i++) {
    await target.proc.stop();
    target = await start(column, dir);
    starts.push(target.startMs);
  }
  try {
    await pause(2_000);
    const idle = rssBytes(target.proc.pid);
    const port = Number(new URL(target.url).port);
    const load = (request: Parameters<typeof runHttpLoad>[0]["request"]) =>
      runHttpLoad({ host: "127.0.0.1", port, connections: o.connections, durationMs: o.durationMs, warmupMs: 1_000, request });
    const ping = await load(() => ({ method: "GET", path: "/v4/butlerping" }));
    const kvSet = await load((i) => ({ method: "POST", path: "/v4/keyvalues/bench", body: `{"key":"k${i % 500}","value":"${"x".repeat(64)}"}` }));
    const figures = { name: column.name, coldStartMs: median(starts), idleRssMiB: MiB(idle), ping, kvSet };
    o.log(
      `${column.name}: start ${figures.coldStartMs.toFixed(0)} ms, idle ${figures.idleRssMiB.toFixed(1)} MiB, ping ${ping.rps} req/s, KV set ${kvSet.rps} req/s`,
    );
    return figures;
  } finally {
    await target.proc.stop();
  }
}

export async function runRuntimeSection(o: RuntimeSectionOptions): Promise<RuntimeFigures[]> {
  const out: RuntimeFigures[] = [];
  for (const column of runtimeColumns(o.stewardBin)) out.push(await measureRuntime(column, o));
  return out;
}

export function renderRuntimeTable(rows: RuntimeFigures[], o: { connections: number; durationMs: number; coldStarts: number }): string {
  const ms = (n: number) => (n < 10 ? `${n.toFixed(2)} ms` : `${Math.round(n)} ms`);
  const rps = (n: number) => `${Math.round(n).toLocaleString("en-US")} req/s`;
  const errs = (r: LoadResult) => (r.errors ? ` (${r.errors} errors)` : "");
  const metrics: Array<[string, (r: RuntimeFigures) => string]> = [
    [`Cold start to /ready (median of ${o.coldStarts})`, (r) => ms(r.coldStartMs)],
    ["Idle RSS (2 s after ready)", (r) => `${r.idleRssMiB.toFixed(1)} MiB`],
    ["GET /v4/butlerping: throughput", (r) => rps(r.ping.rps) + errs(r.ping)],
    ["GET /v4/butlerping: p50 latency", (r) => ms(r.ping.p50Ms)],
    ["KV set: throughput", (r) => rps(r.kvSet.rps) + errs(r.kvSet)],
    ["KV set: p50 latency", (r) => ms(r.kvSet.p50Ms)],
  ];
  const lines = [
    `Steward on each runtime, ${o.connections} connections, ${o.durationMs / 1000} s per load:`,
    "",
    `| Metric | ${rows.map((r) => r.name).join(" | ")} |`,
    `|---|${rows.map(() => "---:").join("|")}|`,
    ...metrics.map(([label, cell]) => `| ${label} | ${rows.map(cell).join(" | ")} |`),
  ];
  return `${lines.join("\n")}\n`;
}

// `bun scripts/bench-runtimes.ts`: only this section (builds the Linux binary first).
if (import.meta.main) {
  const { buildBinaries } = await import("./build");
  const workDir = join(REPO_ROOT, ".tmp", "bench-runtimes");
  const [linux] = await buildBinaries({ targets: ["linux-x64"], outDir: join(workDir, "bin") });
  const o = { stewardBin: linux!.path, workDir, coldStarts: 3, connections: 50, durationMs: 4_000, log: (l: string) => console.log(`[bench] ${l}`) };
  console.log(`\n${renderRuntimeTable(await runRuntimeSection(o), o)}`);
  rmSync(workDir, { recursive: true, force: true });
}
