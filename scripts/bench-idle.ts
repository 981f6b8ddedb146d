// What an idle Steward costs (issue 78): the compiled Linux binary connected to the simulator's default site (its
// schedules off, so nothing runs and nobody asks anything), left alone for a while, and Butler 16.0.4 beside it in
// the same window when BUTLER_DIR holds one (bench-floor-butler.ts; said so when not). Prints, per process, wake-ups
// a second (voluntary + involuntary context switches of every thread, /proc/<pid>/task/*/status; a thread that ends
// inside the window takes its count with it) with the threads that make them, and CPU seconds an hour (user + system
// from /proc/<pid>/stat, 10 ms resolution), with the load average before and after.
//   bun scripts/bench-idle.ts [--minutes 10] [--warmup 60] [--steward BIN] [--no-qlik] [--series 30] [--yaml TEXT]
// --yaml adds lines to Steward's config (a rota, remediation rules, promises: what a configured site reads when idle);
// the summary gives Steward's RSS at the window's start and end too.
// --series N prints Steward's CPU every N seconds of the window too (where in the window it goes: a steady pace or
// a burst at some period).
// --no-qlik runs Steward as bench-floor.ts does (http and udp only), the config Butler runs on here.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startSimulator, type Simulator } from "../src/sim";
import { buildBinaries } from "./build";
import { findButler, startButler, type ButlerTarget } from "./bench-floor-butler";
import { cpuMs, rssBytes } from "./bench-proc";
import { startSteward, type StewardTarget } from "./bench-targets";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    warmup: { type: "string", default: "60" },
    steward: { type: "string" },
    "no-qlik": { type: "boolean", default: false },
    series: { type: "string" },
    yaml: { type: "string", default: "" },
  },
});
const WINDOW_MS = Number(values.minutes) * 60_000;
const WARMUP_MS = Number(values.warmup) * 1000;
const SERIES_MS = values.series ? Number(values.series) * 1000 : 0;
if (!(WINDOW_MS > 0) || !(WARMUP_MS >= 0) || !(SERIES_MS >= 0))
  throw new Error("--minutes must be a positive number, --warmup and --series numbers of seconds");

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

/** Context switches so far of each live thread of `pid`, by thread id, with the thread's name. */
function switches(pid: number): Map<string, { name: string; n: number }> {
  const out = new Map<string, { name: string; n: number }>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const status = readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8");
      const field = (f: string) => Number(new RegExp(`^${f}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
      const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? "?";
      out.set(tid, { name, n: field("voluntary_ctxt_switches") + field("nonvoluntary_ctxt_switches") });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

interface Reading {
  at: number;
  cpu: number;
  threads: Map<string, { name: string; n: number }>;
}

const read = (pid: number): Reading => ({ at: performance.now(), cpu: cpuMs(pid), threads: switches(pid) });

function report(label: string, a: Reading, b: Reading): void {
  const secs = (b.at - a.at) / 1000;
  const byName = new Map<string, number>();
  let total = 0;
  for (const [tid, t] of b.threads) {
    const n = t.n - (a.threads.get(tid)?.n ?? 0);
    total += n;
    byName.set(t.name, (byName.get(t.name) ?? 0) + n);
  }
  const threads = [...byName]
    .filter(([, n]) => n > 0)
    .sort((x, y) => y[1] - x[1])
    .map(([name, n]) => `${name} ${(n / secs).toFixed(2)}`)
    .join(", ");
  const cpuPerHour = ((b.cpu - a.cpu) / 1000) * (3600 / secs);
  console.log(
    `${label}: ${(total / secs).toFixed(2)} wake-ups/s, ${cpuPerHour.toFixed(2)} CPU s/h (${((b.cpu - a.cpu) / 1000).toFixed(2)} s in ${secs.toFixed(0)} s)`,
  );
  console.log(`  by thread (wake-ups/s): ${threads || "none"}; threads alive at the end: ${b.threads.size}`);
}

const workDir = mkdtempSync(join(tmpdir(), "steward-bench-idle-"));
let sim: Simulator | undefined;
let steward: StewardTarget | undefined;
let butler: ButlerTarget | undefined;
try {
  const bin = values.steward ? resolve(values.steward) : (await buildBinaries({ targets: ["linux-x64"], outDir: join(workDir, "steward") }))[0]!.path;
  let qlik = "";
  if (!values["no-qlik"]) {
    sim = await startSimulator({ certDir: join(workDir, "sim-certs"), qrsPort: 0, enginePort: 0, controlPort: 0, schedules: false });
    qlik = `qlik: { host: 127.0.0.1, qrsPort: ${sim.ports.qrs}, enginePort: ${sim.ports.engine}, certDir: ${JSON.stringify(sim.certDir)} }`;
  }
  steward = await startSteward(bin, join(workDir, "steward-run"), [qlik, values.yaml].join("\n"));
  const install = findButler();
  let beside = "";
  if ("missing" in install) console.log(`Butler: not measured (${install.missing})`);
  else {
    butler = await startButler(install, workDir);
    beside = `, beside ${install.version}`;
  }
  console.log(`Steward ${bin} ${sim ? "on the simulator's default site (schedules off)" : "with http and udp only"}${beside}`);
  console.log(`warm-up ${WARMUP_MS / 1000} s, then ${WINDOW_MS / 60_000} min idle; load average before: ${loadAverage()}`);
  await Bun.sleep(WARMUP_MS);
  const s0 = read(steward.proc.pid);
  const rss0 = rssBytes(steward.proc.pid);
  const b0 = butler ? read(butler.proc.pid) : undefined;
  if (SERIES_MS > 0) {
    const pid = steward.proc.pid;
    let last = cpuMs(pid);
    for (let t = SERIES_MS; t <= WINDOW_MS; t += SERIES_MS) {
      await Bun.sleep(s0.at + t - performance.now());
      const now = cpuMs(pid);
      console.log(`  ${(t / 1000).toFixed(0).padStart(5)} s: +${now - last} ms CPU`);
      last = now;
    }
  }
  await Bun.sleep(Math.max(0, s0.at + WINDOW_MS - performance.now()));
  const s1 = read(steward.proc.pid);
  const b1 = butler ? read(butler.proc.pid) : undefined;
  console.log(`load average after: ${loadAverage()}`);
  report("Steward", s0, s1);
  const mib = (b: number) => (b / 1048576).toFixed(1);
  console.log(`  RSS ${mib(rss0)} MiB at the window's start, ${mib(rssBytes(steward.proc.pid))} MiB at its end`);
  if (butler && b0 && b1) report("Butler", b0, b1);
} finally {
  await steward?.proc.stop();
  await butler?.proc.stop();
  await sim?.stop();
  rmSync(workDir, { recursive: true, force: true });
}
