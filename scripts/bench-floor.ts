// Steward beside its floor and beside Butler, in one run (issue 69): a bare Bun.serve, the stack's floor (hono, zod,
// pino, yaml, croner, eta and one Hono route, compiled with scripts/build.ts's flags), Steward's Linux binary on SQLite
// with only `http` and `udp` configured, and Butler 16.0.4 on Node without a Qlik connection (BUTLER_DIR, see
// bench-floor-butler.ts; skipped, and said so, when it is not there). Each round starts every target afresh and the
// load average is recorded beside each round. The idle and ping rows are taken with every target up together: idle
// memory 5 s after ready, then the pings in turns (bench-ping-turns.ts: short wrk runs to one target after the other,
// the order rotated each turn), so the floor's runs and Steward's share the machine's moment. Then the datagram and
// KV rows, each target started afresh and alone. Steward runs on the benches' config (bench-targets.ts: loopback,
// no API keys: a new install's default, and a site switching from Butler's until its first key).
// Rows: idle RSS 5 s after ready and
// RssAnon; CPU per GET /v4/butlerping (wrk -t1 -c20); failure datagrams processed at 1k/5k/10k per second for 5 s and
// the CPU per processed datagram, with Steward's processed runs counted in its store afterwards; KV set p99 (wrk -t2
// -c50, POST /v4/keyvalues/ns1).
//   bun scripts/bench-floor.ts [--rounds N] [--turns N] [--steward BIN] [--only idle,ping,udp,kv]
// --steward BIN is copied into the work folder first, so that it is as freshly written as the floor's build (freshCopy).
// Needs wrk: installed with apt-get on first use when run as root (bench-wrk.ts). Targets run on loopback in a temporary folder.
import { Database } from "bun:sqlite";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildBinaries } from "./build";
import { findButler, startButler, type ButlerInstall } from "./bench-floor-butler";
import { burst, idleMemory, kvSetLatency, type BurstRow, type IdleMemory, type WrkRun } from "./bench-floor-rows";
import { formatRatio, pingRatio, pingTurns, type PingTarget } from "./bench-ping-turns";
import { freePort, median, startTarget, waitFor200 } from "./bench-proc";
import { ensureWrk } from "./bench-wrk";
import { failureRunsProcessed, startSteward } from "./bench-targets";

const REPO_ROOT = resolve(import.meta.dir, "..");
const RATES = [1_000, 5_000, 10_000];
type Target = "bare" | "floor" | "steward" | "butler";
type Row = "idle" | "ping" | "udp" | "kv";

interface Sample {
  idle?: IdleMemory;
  /** The round's ping runs, in turn order, and their median CPU per ping. */
  ping?: WrkRun[];
  pingMedianUs?: number;
  kv?: WrkRun;
  udp?: BurstRow[];
  /** Steward: processed runs found in its store after the bursts (seen marks, run history rows). */
  stored?: { seen: number; runs: number; processed: number };
}

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** Failure runs Steward keeps: seen marks (dedupe) and run-history rows of the bench's task. */
function storedRuns(dataDir: string): { seen: number; runs: number } {
  const db = new Database(join(dataDir, "steward.db"), { readonly: true });
  try {
    const one = (sql: string) => (db.query(sql).get() as { n: number }).n;
    return {
      seen: one("SELECT count(*) AS n FROM intake_seen WHERE source = 'udp' AND claimed_by IS NULL"),
      runs: one("SELECT count(*) AS n FROM task_runs WHERE outcome = 'failed'"),
    };
  } finally {
    db.close();
  }
}

interface Running {
  target: Target;
  url: string;
  pid: number;
  stop(): Promise<void>;
  /** Steward's and Butler's: the intake's port and the count of failure runs processed so far. */
  udpPort?: number;
  processed?: () => Promise<number>;
}

/** Starts `t` afresh in `dir`: the reference programs, Steward on the benches' config, Butler. */
async function start(t: Target, dir: string, bins: { ref: string; steward: string }, butler: ButlerInstall | undefined): Promise<Running> {
  if (t === "steward") {
    const s = await startSteward(bins.steward, dir);
    return { target: t, url: s.url, pid: s.proc.pid, stop: () => s.proc.stop(), udpPort: s.udpPort, processed: () => failureRunsProcessed(s.url) };
  }
  if (t === "butler") {
    const b = await startButler(butler!, dir);
    return { target: t, url: b.url, pid: b.proc.pid, stop: () => b.proc.stop(), udpPort: b.udpPort, processed: async () => b.processed() };
  }
  const port = await freePort();
  const proc = startTarget([bins.ref, t, String(port)], { logFile: join(dir, `${t}.log`) });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor200(`${url}/v4/butlerping`, performance.now());
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { target: t, url, pid: proc.pid, stop: () => proc.stop() };
}

/**
 * Every target up together, each idle 5 s after ready before anything is measured, whether or not the idle row is
 * asked for: Steward gives back its start-up memory 2 s after start (Bun.shrink drops compiled code, which is
 * compiled again), and a ping row measured across that moment counted the recompiling as the ping's CPU (1.37-1.77x
 * the floor in four `--only ping` runs of one binary). Then the pings in turns.
 */
async function idleAndPing(running: Running[], rows: Set<Row>, turns: number): Promise<Map<Target, Sample>> {
  const idle = await Promise.all(running.map((r) => idleMemory(r.pid)));
  const pings = rows.has("ping")
    ? await pingTurns(
        running.map((r): PingTarget => ({ name: r.target, url: r.url, pid: r.pid })),
        {
          turns,
          onTurn: (turn, runs) =>
            log(
              `  ping turn ${turn + 1}: ${Object.entries(runs)
                .map(([n, r]) => `${n} ${r.cpuUsPerRequest.toFixed(2)} µs`)
                .join(", ")}`,
            ),
        },
      )
    : {};
  const out = new Map<Target, Sample>();
  for (const [i, r] of running.entries()) {
    const runs = pings[r.target];
    out.set(r.target, {
      ...(rows.has("idle") ? { idle: idle[i] } : {}),
      ...(runs ? { ping: runs, pingMedianUs: median(runs.map((x) => x.cpuUsPerRequest)) } : {}),
    });
  }
  return out;
}

/** The datagram and KV rows of Steward or Butler, started afresh and alone. */
async function loadRows(r: Running, dir: string, rows: Set<Row>, s: Sample): Promise<void> {
  if (rows.has("udp")) {
    s.udp = [];
    for (const rate of RATES) s.udp.push(await burst(r.udpPort!, r.pid, r.processed!, rate));
  }
  if (rows.has("kv") && r.target === "steward") s.kv = await kvSetLatency(r.url, r.pid, dir);
}

const log = (line: string) => console.error(`[bench-floor] ${line}`);

/**
 * `bin` copied into `dir` now, as the floor's binary is built now: a binary's RSS depends on which of its file's pages
 * are in the page cache, and the same Steward measured 68.2-68.5 MiB from a file written ten minutes earlier against
 * 70.9-71.1 from a fresh copy (issue 89), against a floor built afresh in both runs.
 */
function freshCopy(bin: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, basename(bin));
  copyFileSync(bin, out);
  chmodSync(out, 0o755);
  return out;
}

const range = (xs: number[], digits = 1, unit = "") => {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return "";
  const [lo, hi] = [Math.min(...v).toFixed(digits), Math.max(...v).toFixed(digits)];
  return `${lo === hi ? lo : `${lo}–${hi}`}${unit}`;
};

function table(samples: Record<Target, Sample[]>, targets: Target[]): string {
  const col = (f: (s: Sample) => number | undefined, digits: number, unit: string) =>
    targets.map((t) =>
      range(
        samples[t].map(f).filter((x): x is number => x !== undefined),
        digits,
        unit,
      ),
    );
  const lines = [`| | ${targets.join(" | ")} |`, `|---|${targets.map(() => "---:|").join("")}`];
  const row = (label: string, cells: string[]) => lines.push(`| ${label} | ${cells.join(" | ")} |`);
  row(
    "idle RSS 5 s after ready",
    col((s) => s.idle?.rssMiB, 1, " MiB"),
  );
  row(
    "RssAnon",
    col((s) => s.idle?.anonMiB, 1, " MiB"),
  );
  row(
    "CPU per `GET /v4/butlerping` (wrk -t1 -c20; each round's median)",
    col((s) => s.pingMedianUs, 1, " µs"),
  );
  for (const [i, rate] of RATES.entries()) {
    row(
      `failure datagrams processed, ${rate.toLocaleString("en-US")}/s for 5 s`,
      col((s) => (s.udp?.[i] ? (100 * s.udp[i]!.processed) / Math.max(1, s.udp[i]!.sent) : undefined), 1, " %"),
    );
  }
  row(
    "CPU per processed datagram (1k / 5k / 10k per s)",
    targets.map((t) =>
      RATES.map((_, i) =>
        range(
          samples[t].map((s) => s.udp?.[i]?.cpuUsPerProcessed ?? Number.NaN),
          0,
        ),
      ).join(" / "),
    ),
  );
  row(
    "KV set p99 (wrk -t2 -c50, `POST /v4/keyvalues/ns1`)",
    col((s) => s.kv?.p99Ms, 2, " ms"),
  );
  return lines.join("\n");
}

function verdicts(samples: Record<Target, Sample[]>): string[] {
  const med = (t: Target, f: (s: Sample) => number | undefined) => median(samples[t].map(f).filter((x): x is number => x !== undefined && Number.isFinite(x)));
  const out: string[] = [];
  const [fr, sr] = [med("floor", (s) => s.idle?.rssMiB), med("steward", (s) => s.idle?.rssMiB)];
  if (fr && sr) out.push(`idle RSS: Steward ${sr.toFixed(1)} MiB = floor + ${(sr - fr).toFixed(1)} MiB (target ≤ floor + 20), medians`);
  const runs = (t: Target) => samples[t].flatMap((s) => s.ping ?? []);
  if (runs("floor").length > 0 && runs("steward").length === runs("floor").length)
    out.push(`CPU per ping: Steward ${formatRatio(pingRatio(runs("steward"), runs("floor")))} the floor (target ≤ 1.3×, issue 89), every turn of every round`);
  const share = (t: Target) => med(t, (s) => (s.udp?.[2] ? s.udp[2].processed / Math.max(1, s.udp[2].sent) : undefined));
  if (samples.steward.some((s) => s.udp)) {
    const b = samples.butler.some((s) => s.udp) ? ` against Butler's ${(100 * share("butler")).toFixed(1)} %` : "";
    out.push(`10,000/s: Steward processed ${(100 * share("steward")).toFixed(1)} %${b} (medians; target ≥ Butler's)`);
    for (const s of samples.steward)
      if (s.stored)
        out.push(`  in the store after a round: ${s.stored.seen} seen marks and ${s.stored.runs} run-history rows for ${s.stored.processed} runs processed`);
  }
  for (const [t, list] of Object.entries(samples))
    for (const p of list.flatMap((s) => s.ping ?? []))
      if (p.non2xx) out.push(`${t}: ${p.non2xx} of ${p.requests} pings answered other than 2xx (counted in its CPU per ping)`);
  const kv = med("steward", (s) => s.kv?.p99Ms);
  if (kv) out.push(`KV set p99: ${kv.toFixed(2)} ms (target < 8 ms), median`);
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rounds: { type: "string" }, turns: { type: "string" }, steward: { type: "string" }, only: { type: "string" } },
  });
  const rounds = Number(values.rounds ?? 3);
  const turns = Number(values.turns ?? 3);
  const rows = new Set((values.only ?? "idle,ping,udp,kv").split(",") as Row[]);
  if (rows.has("ping") || rows.has("kv")) ensureWrk();
  const workDir = join(REPO_ROOT, ".tmp", "bench-floor");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  log(`building the bare and floor binary${values.steward ? "" : " and Steward's"}`);
  const [ref] = await buildBinaries({ targets: ["linux-x64"], entry: join(REPO_ROOT, "scripts/bench-floor-target.ts"), outDir: join(workDir, "ref") });
  const steward = values.steward
    ? freshCopy(resolve(values.steward), join(workDir, "steward"))
    : (await buildBinaries({ targets: ["linux-x64"], outDir: join(workDir, "steward") }))[0]!.path;
  const bins = { ref: ref!.path, steward };
  const found = findButler();
  if ("missing" in found) log(`Butler is not measured: ${found.missing}`);
  else log(`Butler: ${found.version} in ${found.dir}`);
  const butler = "missing" in found ? undefined : found;
  const targets: Target[] = ["bare", "floor", "steward", ...(butler ? ["butler" as const] : [])];
  const samples: Record<Target, Sample[]> = { bare: [], floor: [], steward: [], butler: [] };
  const loads: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const before = loadAverage();
    const dirOf = (t: Target, phase: string) => {
      const dir = join(workDir, `${t}-${round}-${phase}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    };
    const got = new Map<Target, Sample>(targets.map((t) => [t, {}]));
    if (rows.has("idle") || rows.has("ping")) {
      const running: Running[] = [];
      try {
        for (const t of targets) running.push(await start(t, dirOf(t, "ping"), bins, butler));
        for (const [t, s] of await idleAndPing(running, rows, turns)) Object.assign(got.get(t)!, s);
      } finally {
        for (const r of running.reverse()) await r.stop();
      }
    }
    if (rows.has("udp") || rows.has("kv"))
      for (const t of targets.filter((x) => x === "steward" || x === "butler")) {
        const dir = dirOf(t, "load");
        const r = await start(t, dir, bins, butler);
        try {
          await idleMemory(r.pid);
          await loadRows(r, dir, rows, got.get(t)!);
        } finally {
          await r.stop();
        }
        const s = got.get(t)!;
        if (t === "steward" && s.udp) s.stored = { ...storedRuns(join(dir, "data")), processed: s.udp.reduce((a, x) => a + x.processed, 0) };
      }
    for (const t of targets) {
      samples[t].push(got.get(t)!);
      log(`round ${round + 1} ${t}: ${JSON.stringify({ ...got.get(t), ping: undefined })}`);
    }
    loads.push(`round ${round + 1}: ${before} → ${loadAverage()}`);
  }
  console.log(`Load average (1, 5, 15 min) at each round's start and end: ${loads.join("; ")}\n`);
  console.log(table(samples, targets));
  console.log(`\n${verdicts(samples).join("\n")}`);
  rmSync(workDir, { recursive: true, force: true });
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`[bench-floor] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
