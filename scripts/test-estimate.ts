// What `npm test` would take on an idle machine, estimated from a `npm test -- --cpu-report` run made on a busy one:
// each file's wall time without its waits for a core (--cpu-report's waitS and childWaitS) is what it needs alone,
// its CPU seconds how much of the cores it takes meanwhile. The files are run again on paper as bun test runs them
// (the slowest first by test/timings.json, each worker taking the next file when its last ends) with the cores
// shared in proportion when more is asked of them than they have, the shared PostgreSQL's CPU spread over the run:
// once as one lane of workers, and once as npm test's two lanes (test/waiting-files.json on their own workers).
//   bun scripts/test-estimate.ts [--workers 3,4,5,6] [--cores 2] [--log .tmp/test-cpu.jsonl]
// It is an estimate: a file's children's waits are sampled every two seconds, and a short child's are missed (its
// time then counts as the file's need). The lower figure leaves out the children's waits too (as if all were
// needed); the higher one keeps them out.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { WAITING_WORKERS, waitingFiles } from "./test-lanes";

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
  path: string;
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

/** A logged file's path from the repository's root, whichever checkout the run was made in. */
const inRepo = (file: string) => file.slice(file.lastIndexOf("/test/") + 1);

function filesOf(withChildWaits: boolean): File[] {
  return rows
    .filter((r) => r.file)
    .map((r) => {
      const waits = (r.waitS ?? 0) + (withChildWaits ? (r.childWaitS ?? 0) : 0);
      const path = inRepo(r.file!);
      return { path, cpu: r.cpuS, need: Math.max(r.cpuS, (r.wallS ?? r.cpuS) - waits, 0.05), order: timings[path] ?? -1 };
    })
    .sort((a, b) => b.order - a.order);
}

interface LaneSpec {
  files: File[];
  workers: number;
}

/**
 * Seconds the lanes take on `cores` cores, stepping 50 ms: each lane's workers take its next file when their last
 * ends; every running file asks for its share of a core (its CPU over its need) and all are slowed alike when more is
 * asked than the cores have. `lanes[i]` ends at `ends[i]`.
 */
function simulate(lanes: LaneSpec[]): { seconds: number; busy: number; ends: number[] } {
  const dt = 0.05;
  let t = 0;
  let used = 0;
  let ends: number[] = [];
  // The shared server's CPU, spread over about the length of the run (refined once).
  let backgroundRate = 0;
  for (let pass = 0; pass < 2; pass++) {
    t = 0;
    used = 0;
    const state = lanes.map((l) => ({ workers: l.workers, queue: [...l.files], running: [] as Array<{ f: File; left: number }>, end: 0 }));
    while (state.some((l) => l.queue.length > 0 || l.running.length > 0)) {
      for (const l of state) while (l.running.length < l.workers && l.queue.length > 0) l.running.push({ f: l.queue.shift()!, left: 1 });
      const all = state.flatMap((l) => l.running);
      const demand = all.reduce((s, r) => s + r.f.cpu / r.f.need, 0) + backgroundRate;
      const slow = Math.max(1, demand / cores);
      for (const r of all) r.left -= dt / (r.f.need * slow);
      used += Math.min(demand, cores) * dt;
      t += dt;
      for (const l of state) {
        l.running = l.running.filter((x) => x.left > 0);
        if (l.running.length === 0 && l.queue.length === 0 && l.end === 0) l.end = t;
      }
    }
    ends = state.map((l) => l.end);
    backgroundRate = background / t;
  }
  return { seconds: t, busy: used / (t * cores), ends };
}

const total = rows.reduce((s, r) => s + r.cpuS, 0);
console.log(
  `${rows.filter((r) => r.file).length} files, ${total.toFixed(0)} CPU seconds (${background.toFixed(0)} of them the shared PostgreSQL's), ${cores} cores`,
);
for (const w of values.workers.split(",").map(Number)) {
  const low = simulate([{ files: filesOf(true), workers: w }]);
  const high = simulate([{ files: filesOf(false), workers: w }]);
  console.log(
    `${String(w).padStart(2)} workers: ${low.seconds.toFixed(0)}-${high.seconds.toFixed(0)} s for the test files alone (cores busy ${(low.busy * 100).toFixed(0)}-${(high.busy * 100).toFixed(0)} %)`,
  );
}
// npm test's two lanes as scripts/test-lanes.ts makes them: the waiting files on their own workers beside the rest.
const waiting = new Set(waitingFiles(REPO_ROOT));
for (const w of values.workers.split(",").map(Number)) {
  const split = (files: File[]) => [
    { files: files.filter((f) => !waiting.has(f.path)), workers: w },
    { files: files.filter((f) => waiting.has(f.path)), workers: WAITING_WORKERS },
  ];
  const low = simulate(split(filesOf(true)));
  const high = simulate(split(filesOf(false)));
  console.log(
    `${String(w).padStart(2)} workers and the waiting lane's ${WAITING_WORKERS} (${waiting.size} files): ${low.seconds.toFixed(0)}-${high.seconds.toFixed(0)} s (the waiting lane ends at ${(low.ends[1] ?? 0).toFixed(0)}-${(high.ends[1] ?? 0).toFixed(0)} s; cores busy ${(low.busy * 100).toFixed(0)}-${(high.busy * 100).toFixed(0)} %)`,
  );
}
