// `npm run bench`: builds the binaries, then measures Steward against the bare runtime (same Bun) on loopback:
// sizes, cold start, RSS, REST throughput/latency, UDP intake and end-to-end alert latency. Writes
// bench/results.json and bench/results.md (the tables of bench/history/issue-48.md). Every phase is bounded; the run takes about
// 7 minutes, 3 of them the sustained REST load (BENCH_SOAK_SECONDS shortens it while developing; BENCH_ONLY=
// postgres,udp runs only the named sections and writes bench/results-partial.{json,md} instead).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem, type, release } from "node:os";
import { join, resolve } from "node:path";
import { buildBinaries, buildVersion } from "./build";
import { runAlertSection } from "./bench-alert";
import { runEnrichSection } from "./bench-enrich";
import { runHttpSection } from "./bench-http";
import { runIncidentSection } from "./bench-incidents";
import { runKvSection } from "./bench-kv";
import { runParseSection } from "./bench-parse";
import { MiB, renderMarkdown, type BenchResults, type Figure } from "./bench-report";
import { runPostgresSection } from "./bench-postgres";
import { runUdpSection } from "./bench-udp";
import { renderRuntimeTable, runRuntimeSection } from "./bench-runtimes";

const REPO_ROOT = resolve(import.meta.dir, "..");
const OUT_DIR = join(REPO_ROOT, "bench");
/** Hard ceiling for the whole run: a hang must never eat a CI budget. */
const RUN_TIMEOUT_MS = 12 * 60_000;

const log = (line: string) => console.log(`[bench] ${line}`);

/**
 * The sections, in the order they run; BENCH_ONLY=postgres,udp runs only those. `start` and `soak` are parts of
 * `http`: cold start and idle memory only, and those plus the RSS after the sustained load (without the REST rows).
 */
const SECTIONS = ["http", "start", "soak", "udp", "postgres", "alert", "enrich", "parse", "kv", "incidents", "runtimes"] as const;
type Section = (typeof SECTIONS)[number];

/** The sections BENCH_ONLY names (comma-separated), or undefined for all; an unknown name stops the run. */
export function selectedSections(value: string | undefined): Set<Section> | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const names = value
    .split(",")
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown section ${unknown.join(", ")}; choose from ${SECTIONS.join(", ")}`);
  return new Set(names as Section[]);
}

async function main(): Promise<void> {
  const started = performance.now();
  const only = selectedSections(process.env.BENCH_ONLY);
  const wants = (s: Section) => only === undefined || only.has(s);
  const workDir = join(REPO_ROOT, ".tmp", "bench");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  mkdirSync(OUT_DIR, { recursive: true });
  if (only) log(`BENCH_ONLY: only ${[...only].join(", ")}; results go to bench/results-partial.{json,md}, the full results stay as they are`);

  log(`building binaries (${only ? "linux-x64" : "linux-x64, windows-x64"}) and the bare-runtime baseline …`);
  const built = await buildBinaries(only ? { targets: ["linux-x64"] } : {});
  const [baselineBuilt] = await buildBinaries({
    targets: ["linux-x64"],
    entry: join(REPO_ROOT, "scripts/bench-baseline.ts"),
    outDir: join(workDir, "baseline"),
  });
  const linux = built.find((b) => b.target === "linux-x64")!;
  const windows = built.find((b) => b.target === "windows-x64");
  const baselineBin = baselineBuilt!.path;
  log(`built in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const figures: Figure[] = [
    {
      metric: "Binary size, Linux x64",
      unit: "MiB",
      steward: MiB(linux.bytes),
      baseline: MiB(baselineBuilt!.bytes),
      note: "baseline: the bare runtime compiled the same way",
    },
  ];
  if (windows) figures.push({ metric: "Binary size, Windows x64", unit: "MiB", steward: MiB(windows.bytes), note: "cross-compiled" });
  const raw: BenchResults["raw"] = {};

  const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 180);
  const load = { connections: 50, durationMs: 8_000, warmupMs: 1_000 };
  let http: Awaited<ReturnType<typeof runHttpSection>> | undefined;
  if (wants("http") || wants("start") || wants("soak")) {
    const [rest, soak] = [wants("http"), wants("http") || wants("soak")];
    http = await runHttpSection({ stewardBin: linux.path, baselineBin, workDir, ...load, coldStarts: 5, soakSeconds, rest, soak, log });
    figures.push(...http.figures);
    Object.assign(raw, http.raw);
  }

  let udp: Awaited<ReturnType<typeof runUdpSection>> | undefined;
  if (wants("udp")) {
    udp = await runUdpSection({ stewardBin: linux.path, baselineBin, workDir, log });
    figures.push(...udp.figures);
    raw.udp = udp.raw;
  }

  if (wants("postgres")) {
    const pg = await runPostgresSection({
      stewardBin: linux.path,
      baselineBin,
      workDir,
      ...load,
      log,
      ...(http?.raw.http?.baselineHello ? { baselineHello: http.raw.http.baselineHello } : {}),
      ...(udp ? { bareUdp: udp.bare } : {}),
    });
    figures.push(...pg.figures);
    raw.postgres = pg.raw;
  }

  if (wants("alert")) {
    const alert = await runAlertSection({ stewardBin: linux.path, baselineBin, workDir, log });
    figures.push(...alert.figures);
    raw.alert = alert.raw;
  }

  if (wants("enrich")) {
    const enrich = await runEnrichSection({ stewardBin: linux.path, workDir, log });
    figures.push(...enrich.figures);
    raw.enrich = enrich.raw;
  }

  if (wants("parse")) {
    const parse = runParseSection(log);
    figures.push(...parse.figures);
    raw.parse = parse.raw;
  }

  if (wants("kv")) {
    const kv = await runKvSection(log);
    figures.push(...kv.figures);
    raw.kv = kv.raw;
  }

  if (wants("incidents")) {
    const incidents = await runIncidentSection(log);
    figures.push(...incidents.figures);
    raw.incidents = incidents.raw;
  }

  // Which runtime: Bun's binary beside Deno (deno run, and Deno's binary when built), in a table of its own.
  const runtimeOptions = { stewardBin: linux.path, workDir, coldStarts: 3, connections: 50, durationMs: 4_000, log };
  const runtimes = wants("runtimes") ? await runRuntimeSection(runtimeOptions) : undefined;
  if (runtimes) raw.runtimes = runtimes;

  const cpu = cpus();
  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    version: buildVersion(),
    machine: {
      cpus: cpu.length,
      cpuModel: (cpu[0]?.model ?? "unknown").replace(/\s+/g, " ").trim(),
      memGiB: Math.round(totalmem() / 2 ** 30),
      os: `${type()} ${release()}`,
      bun: Bun.version,
    },
    totalSeconds: (performance.now() - started) / 1000,
    figures,
    raw,
  };
  const name = only ? "results-partial" : "results";
  writeFileSync(join(OUT_DIR, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  const md = `${renderMarkdown(results)}${runtimes ? `\n${renderRuntimeTable(runtimes, runtimeOptions)}` : ""}`;
  writeFileSync(join(OUT_DIR, `${name}.md`), md);
  console.log(`\n${md}`);
  log(
    `wrote bench/${name}.json and bench/${name}.md in ${results.totalSeconds.toFixed(0)} s${only ? "" : " (the last published tables: bench/history/issue-48.md; the current figures: bench/README.md)"}`,
  );
  rmSync(workDir, { recursive: true, force: true });
}

if (import.meta.main) {
  const guard = setTimeout(() => {
    console.error(`[bench] the run exceeded ${RUN_TIMEOUT_MS / 60_000} minutes; aborting`);
    process.exit(1);
  }, RUN_TIMEOUT_MS);
  main().then(
    () => {
      clearTimeout(guard);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
