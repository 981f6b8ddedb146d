// What the watchdog costs as the site grows (issue 57): the rich site (test/helpers/rich-site.ts) once, ten times and
// thirty times (the same shapes repeated, on the same 3 nodes), each for a simulated day with one-minute looks on a
// stepped clock, each size in its own process so its RSS is its own. Per size: CPU per look (the watchdog loop's run,
// with the in-process simulator answering its QRS requests), QRS requests per look, the process's CPU per simulated
// day, RSS at the end, and the time from a missed start to its alert (node Reload01's Scheduler paused 13:00-15:00).
// Loopback only; each size stops once its day is simulated (or its wall-time limit is reached).
//   bun scripts/bench-rich-site-scale.ts [--sizes 1,10,30] [--hours 24] [--look 1m] [--limit-minutes 40] [--store postgres]
//       (the limit is per size; with --days it is 6 minutes a simulated day unless given: this machine ran the ×50
//       site at 1-14 minutes a day by its load, and a 35-day run stopped at the old default, 40, after day 2)
//   bun scripts/bench-rich-site-scale.ts --sizes 1,10 --days 7 --faults rich    (a week: RSS at the end of each day, and
//       the rich site's faults (test/helpers/rich-site-faults.ts) instead of the one pause, each with its detection latency)
//   bun scripts/bench-rich-site-scale.ts --split --sizes 1,10 --days 7 (Steward in a process of its own, the simulator
//       in another, one stepped simulation driving both: RSS, heap and CPU are Steward's alone)
//   bun scripts/bench-rich-site-scale.ts --one 10 --hours 6          (one size in this process, its row as JSON)
//   BENCH_PATHS=1 bun scripts/bench-rich-site-scale.ts --one 10 --hours 6     (QRS requests and bytes by path)
//   bun --cpu-prof-md --cpu-prof-dir=/tmp/prof scripts/bench-rich-site-scale.ts --one 10 --hours 6
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { heapStats } from "bun:jsc";
import type { WatchdogEvent } from "../src/platform/events/types";
import { richCloudTasks, richSiteTasks } from "../test/helpers/rich-site";
import { benchFaults } from "../test/helpers/rich-site-bench-faults";
import { judgeRichSite } from "../test/helpers/rich-site-faults";
import { closeRichRun, RICH_SITE_START, type RichRun, runRichSite } from "../test/helpers/rich-site-run";
import { runRichSiteSplit } from "../test/helpers/rich-site-split";
import { startPostgres } from "../test/helpers/services";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1,10,30" },
    one: { type: "string" },
    hours: { type: "string", default: "24" },
    days: { type: "string" },
    faults: { type: "string", default: "pause" },
    look: { type: "string", default: "1m" },
    "limit-minutes": { type: "string" },
    store: { type: "string", default: "sqlite" },
    split: { type: "boolean", default: false },
  },
});
const HOURS = values.days ? Number(values.days) * 24 : Number(values.hours);
const LIMIT_MINUTES = Number(values["limit-minutes"] ?? (values.days ? Math.max(40, 6 * Number(values.days)) : 40));

export interface ScaleRow {
  copies: number;
  tasks: number;
  looks: number;
  cpuPerLookMs: { mean: number; p50: number; p90: number; max: number };
  qrsPerLook: number;
  qrsOutsideLooksPerDay: number;
  cpuPerSimDayS: number;
  wallS: number;
  rssMiB: number;
  heapMiB: number;
  missed: { alerts: number; p50Ms: number; maxMs: number };
  /** At the end of each simulated day: RSS as it is, then RSS and JS heap after a full collection, and the store's files. */
  days: Array<{
    day: number;
    wallS: number;
    rssRawMiB: number;
    rssGcMiB: number;
    heapMiB: number;
    heapObjects: number;
    storeMiB: number;
    /** With --split: Steward's process CPU in the day, seconds. */
    cpuS?: number;
    /** With --split: the watchdog's runs held in memory and their columns' size; the day's looks, their CPU p90 and QRS requests. */
    keptRuns?: number;
    keptMiB?: number;
    /** What the learners keep of every run of keepRuns (run-learner.ts). */
    learnedMiB?: number;
    looks?: number;
    lookP90Ms?: number;
    /** With --split: the p90 of each look's main-thread CPU, wall time and wait for a core, ms (test/helpers/look-meter.ts). */
    lookThreadP90Ms?: number;
    lookWallP90Ms?: number;
    lookCoreWaitP90Ms?: number;
    /** With --split: the looks that began with no connection to QRS open (and opened one). */
    coldLooks?: number;
    qrsPerLook?: number;
  }>;
  /** With `--faults rich`: each fault, whether it was caught and the minutes from when it bit to its first event. */
  faults: Array<{ fault: string; caught: boolean; latencyMin: number | null }>;
}

/** The bytes of the files under `dir` (the SQLite store and the simulator's files): the kept data as stored. */
const bytesUnder = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
    const p = join(dir, e.name);
    return n + (e.isDirectory() ? bytesUnder(p) : e.isFile() ? statSync(p).size : 0);
  }, 0);

const qrsTotal = (run: RichRun) => {
  let n = 0;
  for (const [k, v] of run.site.sim.requests.totals()) if (k.startsWith("qrs ")) n += v.requests;
  return n;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : 0;
};
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/**
 * `--split`: Steward in a process of its own (scripts/bench-rich-site-peer.ts), the simulator in this one, one stepped
 * simulation driving both; the row is Steward's alone, with the simulator's RSS beside it.
 */
async function measureSplit(copies: number): Promise<ScaleRow> {
  const dir = mkdtempSync(join(tmpdir(), "steward-bench-split-"));
  const pg = values.store === "postgres" ? await startPostgres() : undefined;
  try {
    const storeYaml = pg ? `store:\n  postgres:\n    url: ${await pg.createDatabase(`bench_split_${copies}`)}\n` : "";
    return await runRichSiteSplit({
      dir,
      copies,
      hours: HOURS,
      faults: values.faults,
      look: values.look,
      ...(storeYaml ? { storeYaml } : {}),
      onDay: (day, sim, steward, caught) => {
        console.error(`×${copies} day ${day}: Steward ${JSON.stringify(steward)} simulator ${JSON.stringify(sim)}`);
        for (const c of caught) console.error(`×${copies} day ${day}: ${c}`);
      },
    });
  } finally {
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureOne(copies: number): Promise<ScaleRow> {
  const dir = mkdtempSync(join(tmpdir(), "steward-bench-scale-"));
  // On PostgreSQL a private server from the machine's own programs (as the tests start it), on loopback; its own CPU
  // is not in the figures, which are Steward's process (and the in-process simulator).
  const pg = values.store === "postgres" ? await startPostgres() : undefined;
  const storeYaml = pg ? `store:\n  postgres:\n    url: ${await pg.createDatabase(`bench_scale_${copies}`)}\n` : "";
  const tasks = richSiteTasks(copies);
  const lookCpu: number[] = [];
  let qrsInLooks = 0;
  let opened: RichRun | undefined;
  const wall = performance.now();
  let cpu = process.cpuUsage();
  let qrsAtStart = 0;
  try {
    const missed: number[] = [];
    const faults = benchFaults(values.faults, tasks, RICH_SITE_START, HOURS);
    const days: ScaleRow["days"] = [];
    await runRichSite({
      dir,
      days: HOURS / 24,
      tasks,
      storeYaml,
      faults,
      onDay: (day, wallMs, run) => {
        const rssRawMiB = process.memoryUsage().rss / 2 ** 20;
        Bun.gc(true);
        const mem = process.memoryUsage();
        const stats = heapStats();
        days.push({
          day,
          wallS: wallMs / 1000,
          rssRawMiB,
          rssGcMiB: mem.rss / 2 ** 20,
          heapMiB: mem.heapUsed / 2 ** 20,
          heapObjects: stats.objectCount,
          storeMiB: bytesUnder(dir) / 2 ** 20,
        });
        console.error(`×${copies} day ${day}: ${JSON.stringify(days.at(-1))}`);
        // The faults so far, in case the wall-time limit stops the run before its last day.
        if (values.faults === "rich")
          for (const r of judgeRichSite(run.events, faults, [...tasks, ...richCloudTasks()]).rows)
            if (r.caught) console.error(`×${copies} day ${day}: ${r.latencyMin} min  ${r.fault}`);
      },
      look: values.look,
      opened: (run) => {
        opened = run;
        // The watchdog's look is the loop's run, tracked as work in flight on the stepped clock: nothing else fires
        // until it settles, so the CPU between its start and its end is the look's (and the simulator's answers to it).
        const track = run.site.clock.track.bind(run.site.clock);
        run.site.clock.track = (work, label) => {
          if (label !== "the watchdog loop's run") return track(work, label);
          const before = process.cpuUsage();
          const q = qrsTotal(run);
          const done = () => {
            lookCpu.push(cpuMs(process.cpuUsage(before)));
            qrsInLooks += qrsTotal(run) - q;
          };
          work.then(done, done);
          return track(work, label);
        };
        run.t.app.bus.on("task.missed", (e) => {
          const at = Date.parse(String((e as WatchdogEvent).data.expectedAt ?? ""));
          if (Number.isFinite(at)) missed.push(run.site.clock.now() - at);
        });
      },
      started: (run) => {
        // The first look read the whole site and a week of history at the start: not a steady look, left out.
        cpu = process.cpuUsage();
        qrsAtStart = qrsTotal(run);
        lookCpu.length = 0;
        qrsInLooks = 0;
      },
    });
    const used = cpuMs(process.cpuUsage(cpu));
    const run = opened!;
    if (process.env.BENCH_PATHS)
      for (const [k, v] of [...run.site.sim.requests.totals()].sort((a, b) => b[1].requests - a[1].requests).slice(0, 30))
        console.error(String(v.requests).padStart(7), String(Math.round(v.bytes / 1024)).padStart(9), "KiB", k);
    const qrs = qrsTotal(run) - qrsAtStart;
    Bun.gc(true);
    const mem = process.memoryUsage();
    const looks = lookCpu.length;
    const mean = lookCpu.reduce((a, b) => a + b, 0) / Math.max(1, looks);
    return {
      copies,
      tasks: tasks.length,
      looks,
      cpuPerLookMs: { mean, p50: pct(lookCpu, 0.5), p90: pct(lookCpu, 0.9), max: Math.max(0, ...lookCpu) },
      qrsPerLook: qrsInLooks / Math.max(1, looks),
      qrsOutsideLooksPerDay: ((qrs - qrsInLooks) * 24) / HOURS,
      cpuPerSimDayS: (used / 1000) * (24 / HOURS),
      wallS: (performance.now() - wall) / 1000,
      rssMiB: mem.rss / 2 ** 20,
      heapMiB: mem.heapUsed / 2 ** 20,
      missed: { alerts: missed.length, p50Ms: pct(missed, 0.5), maxMs: Math.max(0, ...missed) },
      days,
      faults:
        values.faults === "rich"
          ? judgeRichSite(run.events, faults, [...tasks, ...richCloudTasks()]).rows.map((r) => ({
              fault: r.fault,
              caught: r.caught,
              latencyMin: r.latencyMin,
            }))
          : [],
    };
  } finally {
    if (opened) await closeRichRun(opened);
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One size in a child process of its own (its RSS is its own), killed past the wall-time limit. */
function measureInChild(copies: number): Promise<ScaleRow | string> {
  const limitMs = LIMIT_MINUTES * 60_000;
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        import.meta.path,
        ...["--one", String(copies), "--hours", String(HOURS), "--look", values.look, "--store", values.store],
        ...["--faults", values.faults],
        ...(values.split ? ["--split"] : []),
      ],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (b: Buffer) => void (out += b.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const line = out.trim().split("\n").at(-1) ?? "";
      try {
        resolve(JSON.parse(line) as ScaleRow);
      } catch {
        resolve(code === null ? `stopped after ${LIMIT_MINUTES} minutes of wall time (--limit-minutes)` : `exited ${code}: ${line}`);
      }
    });
  });
}

const f = (n: number, d = 1) => n.toFixed(d);

if (values.one) {
  console.log(JSON.stringify(await (values.split ? measureSplit : measureOne)(Number(values.one))));
} else {
  const rows: Array<ScaleRow | string> = [];
  const sizes = values.sizes.split(",").map(Number);
  for (const copies of sizes) rows.push(await measureInChild(copies));
  const base = rows[0] as ScaleRow | undefined;
  console.log(`rich site, ${HOURS} simulated hours, looks every ${values.look}, store ${values.store}`);
  console.log("size  tasks  looks  cpu/look ms (mean p50 p90)   ×1    qrs/look  ×1    cpu s/sim day  rss MiB  heap MiB  missed→alert p50/max s (n)  wall s");
  rows.forEach((r, i) => {
    if (typeof r === "string") return console.log(`×${sizes[i]}  ${r}`);
    const ratio = (a: number, b: number | undefined) => (b ? `${f(a / b)}×` : "");
    console.log(
      [
        `×${r.copies}`.padEnd(5),
        String(r.tasks).padStart(5),
        String(r.looks).padStart(6),
        `${f(r.cpuPerLookMs.mean)} ${f(r.cpuPerLookMs.p50)} ${f(r.cpuPerLookMs.p90)}`.padStart(22),
        ratio(r.cpuPerLookMs.mean, typeof base === "object" ? base.cpuPerLookMs.mean : undefined).padStart(7),
        f(r.qrsPerLook).padStart(9),
        ratio(r.qrsPerLook, typeof base === "object" ? base.qrsPerLook : undefined).padStart(5),
        f(r.cpuPerSimDayS).padStart(14),
        f(r.rssMiB).padStart(8),
        f(r.heapMiB).padStart(9),
        `${f(r.missed.p50Ms / 1000, 0)}/${f(r.missed.maxMs / 1000, 0)} (${r.missed.alerts})`.padStart(27),
        f(r.wallS, 0).padStart(7),
      ].join(" "),
    );
  });
  for (const r of rows) {
    if (typeof r === "string" || r.days.length < 2) continue;
    console.log(`\n×${r.copies} at the end of each simulated day: RSS raw / after full GC, JS heap (objects), store files, wall`);
    for (const d of r.days)
      console.log(
        `  day ${d.day}: ${f(d.rssRawMiB)} / ${f(d.rssGcMiB)} MiB, heap ${f(d.heapMiB)} MiB (${d.heapObjects}), store ${f(d.storeMiB)} MiB, ${f(d.wallS, 0)} s`,
      );
  }
  const faultRows = rows.filter((r): r is ScaleRow => typeof r === "object" && r.faults.length > 0);
  if (faultRows.length) {
    console.log(`\nfault → first event, minutes (${faultRows.map((r) => `×${r.copies}`).join(" ")})`);
    faultRows[0]!.faults.forEach((x, i) =>
      console.log(`  ${faultRows.map((r) => (r.faults[i]?.caught ? String(r.faults[i]?.latencyMin) : "missed").padStart(6)).join(" ")}  ${x.fault}`),
    );
  }
}
