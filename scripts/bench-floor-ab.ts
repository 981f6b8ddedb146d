// Two Steward binaries side by side (issue 89): for each round, the floor, then A, then B, each started afresh and
// idle 5 s after ready, measured as scripts/bench-floor.ts measures them: CPU per GET /v4/butlerping (wrk -t1 -c20,
// bench-floor-rows.ts pingCost) against the floor's in the same round, and failure datagrams at 1k/5k/10k a second for
// 5 s each (burst), with the share stored (run-history rows) and the CPU per processed datagram. A before/after pair
// measured in turns shares the machine's load; the load average is printed with each round.
//   bun scripts/bench-floor-ab.ts --a BIN --b BIN [--rounds 3] [--only ping,udp]
import { Database } from "bun:sqlite";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildBinaries } from "./build";
import { burst, pingCost } from "./bench-floor-rows";
import { freePort, startTarget, waitFor200 } from "./bench-proc";
import { ensureWrk } from "./bench-wrk";
import { startSteward } from "./bench-targets";

const REPO_ROOT = resolve(import.meta.dir, "..");
const RATES = [1_000, 5_000, 10_000];

const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function processed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let n = 0;
  for (const line of text.split("\n"))
    if (line.startsWith("steward_intake_events_emitted_total{") && line.includes('kind="task.failed"')) n += Number(line.slice(line.lastIndexOf(" ") + 1));
  return n;
}

async function floorPing(bin: string): Promise<number> {
  const port = await freePort();
  const proc = startTarget([bin, "floor", String(port)], { logFile: join(REPO_ROOT, ".tmp", "bench-floor-ab", "floor.log") });
  try {
    await waitFor200(`http://127.0.0.1:${port}/v4/butlerping`, performance.now());
    await Bun.sleep(5_000);
    return (await pingCost(`http://127.0.0.1:${port}`, proc.pid)).cpuUsPerRequest;
  } finally {
    await proc.stop();
  }
}

async function steward(bin: string, dir: string, only: Set<string>): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  const t = await startSteward(bin, dir);
  const parts: string[] = [];
  try {
    await Bun.sleep(5_000);
    if (only.has("ping")) parts.push(`ping ${(await pingCost(t.url, t.proc.pid)).cpuUsPerRequest.toFixed(2)} µs`);
    if (only.has("udp"))
      for (const rate of RATES) {
        const b = await burst(t.udpPort, t.proc.pid, () => processed(t.url), rate);
        parts.push(`${rate}/s ${((100 * b.processed) / Math.max(1, b.sent)).toFixed(1)} % ${b.cpuUsPerProcessed.toFixed(0)} µs`);
      }
  } finally {
    await t.proc.stop();
  }
  if (only.has("udp")) {
    const db = new Database(join(dir, "data", "steward.db"), { readonly: true });
    try {
      parts.push(`${(db.query("SELECT count(*) AS n FROM task_runs WHERE outcome = 'failed'").get() as { n: number }).n} runs stored`);
    } finally {
      db.close();
    }
  }
  return parts.join(", ");
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { a: { type: "string" }, b: { type: "string" }, rounds: { type: "string" }, only: { type: "string" } } });
  if (!values.a || !values.b) throw new Error("usage: bench-floor-ab.ts --a BIN --b BIN [--rounds N] [--only ping,udp]");
  const only = new Set((values.only ?? "ping,udp").split(","));
  if (only.has("ping")) ensureWrk();
  const workDir = join(REPO_ROOT, ".tmp", "bench-floor-ab");
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const [ref] = only.has("ping")
    ? await buildBinaries({ targets: ["linux-x64"], entry: join(REPO_ROOT, "scripts/bench-floor-target.ts"), outDir: join(workDir, "ref") })
    : [];
  for (let round = 1; round <= Number(values.rounds ?? 3); round++) {
    const line = [`round ${round}, load ${loadAverage()}`];
    if (ref) line.push(`floor ping ${(await floorPing(ref.path)).toFixed(2)} µs`);
    line.push(`A: ${await steward(resolve(values.a), join(workDir, `a-${round}`), only)}`);
    line.push(`B: ${await steward(resolve(values.b), join(workDir, `b-${round}`), only)}`);
    console.log(`${line.join(" | ")} | load ${loadAverage()}`);
  }
  rmSync(workDir, { recursive: true, force: true });
}

if (import.meta.main) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`[bench-floor-ab] ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    },
  );
}
