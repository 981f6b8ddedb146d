// What `npm test` would take on an idle machine, estimated from a `npm test -- --cpu-report` run made on a busy one:
// each file's wall time without its waits for a core (--cpu-report's waitS and childWaitS) is what it needs alone,
// its CPU seconds how much of the cores it takes meanwhile. The files are run again on paper as bun test runs them
// (the slowest first by test/timings.json, each worker taking the next file when its last ends) with the cores
// shared in proportion when more is asked of them than they have, the shared PostgreSQL's CPU spread over the run.
//   bun scripts/test-estimate.ts [--workers 3,4,5,6] [--cores 2] [--log .tmp/test-cpu.jsonl]
// It is an estimate: a file's children's waits are sampled every two seconds, and a short child's are missed (its
// time then counts as the file's need). The lower figure leaves out the children's waits too (as if all were
// needed); the higher one keeps them out.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";

const REPO_ROOT = resolve(import.meta.dir, "..");
const { values } = parseArgs({
  options: {
    workers: { type: "string", default: "3,4,5,6" },
    cores: { type: "string", default: "2" },
    log: { type: "string", default: resolve(REPO_ROOT, ".tmp/test-cpu.jsonl") },
    timings: { type: "string", default: resolve(REPO_ROOT, "test/timings.json") },
  },
});

interface Row {
  file?: string;
  shared?: string;
  cpuS: number;
  wallS?: number;
  waitS?: number;
  childWaitS?: number;
}
interface File {
  cpu: number;
  /** Seconds it needs alone. */
  need: number;
  order: number;
}

const rows = readFileSync(values.log, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Row);
const timings = (JSON.parse(readFileSync(values.timings, "utf8")) as { files: Record<string, number> }).files;
const cores = Number(values.cores);
const background = rows.filter((r) => r.shared).reduce((s, r) => s + r.cpuS, 0);

function filesOf(withChildWaits: boolean): File[] {
  return rows
    .filter((r) => r.file)
    .map((r) => {
      const waits = (r.waitS ?? 0) + (withChildWaits ? (r.childWaitS ?? 0) : 0);
      return { cpu: r.cpuS, need: Math.max(r.cpuS, (r.wallS ?? r.cpuS) - waits, 0.05), order: timings[r.file!.replace(`${REPO_ROOT}/`, "")] ?? -1 };
    })
    .sort((a, b) => b.order - a.order);
}

/** Seconds the files take on `workers` workers and `cores` cores, stepping 50 ms. */
function simulate(files: File[], workers: number): { seconds: number; busy: number } {
  const queue = [...files];
  let running: Array<{ f: File; left: number }> = [];
  const dt = 0.05;
  let t = 0;
  let used = 0;
  // The shared server's CPU, spread over about the length of the run (refined once).
  let backgroundRate = 0;
  for (let pass = 0; pass < 2; pass++) {
    t = 0;
    used = 0;
    const q = [...queue];
    running = [];
    while (q.length > 0 || running.length > 0) {
      while (running.length < workers && q.length > 0) running.push({ f: q.shift()!, left: 1 });
      const demand = running.reduce((s, r) => s + r.f.cpu / r.f.need, 0) + backgroundRate;
      const slow = Math.max(1, demand / cores);
      for (const r of running) r.left -= dt / (r.f.need * slow);
      used += Math.min(demand, cores) * dt;
      running = running.filter((r) => r.left > 0);
      t += dt;
    }
    backgroundRate = background / t;
  }
  return { seconds: t, busy: used / (t * cores) };
}

const total = rows.reduce((s, r) => s + r.cpuS, 0);
console.log(
  `${rows.filter((r) => r.file).length} files, ${total.toFixed(0)} CPU seconds (${background.toFixed(0)} of them the shared PostgreSQL's), ${cores} cores`,
);
for (const w of values.workers.split(",").map(Number)) {
  const low = simulate(filesOf(true), w);
  const high = simulate(filesOf(false), w);
  console.log(
    `${String(w).padStart(2)} workers: ${low.seconds.toFixed(0)}-${high.seconds.toFixed(0)} s for the test files alone (cores busy ${(low.busy * 100).toFixed(0)}-${(high.busy * 100).toFixed(0)} %)`,
  );
}
