// Steward alone in a process of its own for the split rich-site bench (scripts/bench-rich-site-scale.ts --split): the
// simulator's process drives this one's stepped clock over IPC (test/helpers/linked-clock.ts), so the RSS, heap and
// CPU measured here are Steward's only. Started by that bench, never by hand.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { heapStats } from "bun:jsc";
import { createSteppedClock, type SteppedClock } from "../src/platform/core/stepped-clock";
import type { WatchdogEvent } from "../src/platform/events/types";
import { createTestApp, type TestApp } from "../test/helpers/app";
import { serveRpc } from "../test/helpers/ipc-rpc";
import { peerClockHandlers } from "../test/helpers/linked-clock";
import { richCloudTasks, richSiteTasks } from "../test/helpers/rich-site";
import { benchFaults } from "../test/helpers/rich-site-bench-faults";
import { type JudgedEvent, judgedPart, judgeRichSite, type TimedEvent } from "../test/helpers/rich-site-faults";
import { RICH_SITE_START, WATCHED } from "../test/helpers/rich-site-run";
import { createWatchStore } from "../src/watch/watchdog/watch-store";
import { type LookCost, startLook } from "../test/helpers/look-meter";
import type { ScaleRow } from "./bench-rich-site-scale";

interface Init {
  startMs: number;
  yaml: string;
  dir: string;
  copies: number;
  hours: number;
  faults: string;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : 0;
};
const bytesUnder = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
    const p = join(dir, e.name);
    return n + (e.isDirectory() ? bytesUnder(p) : e.isFile() ? statSync(p).size : 0);
  }, 0);

const MiB = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;
/** kB lines of /proc/self/status (Linux): RssAnon (private), RssFile (the executable's and libraries' pages). */
const statusKb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024;

/**
 * RSS as it is, then after a full collection: RSS, the JS heap, and where the rest is (issue 57 found most of RSS
 * outside the JS heap): what the native allocator (mimalloc) holds committed and what of it is live, and what JSC
 * counts as extra memory (strings' and buffers' bytes kept by JS objects).
 */
export function sampleMemory() {
  const rssRawMiB = process.memoryUsage().rss / 2 ** 20;
  Bun.gc(true);
  const mem = process.memoryUsage();
  const h = heapStats() as ReturnType<typeof heapStats> & {
    mimalloc?: { committed?: { current: number }; malloc_normal?: { current: number }; malloc_huge?: { current: number } };
  };
  return {
    rssRawMiB,
    rssGcMiB: mem.rss / 2 ** 20,
    heapMiB: mem.heapUsed / 2 ** 20,
    heapObjects: h.objectCount,
    rssAnonMiB: MiB(statusKb("RssAnon")),
    rssFileMiB: MiB(statusKb("RssFile")),
    heapCapacityMiB: MiB(h.heapCapacity),
    extraMiB: MiB(h.extraMemorySize),
    mallocCommittedMiB: MiB(h.mimalloc?.committed?.current ?? 0),
    mallocLiveMiB: MiB((h.mimalloc?.malloc_normal?.current ?? 0) + (h.mimalloc?.malloc_huge?.current ?? 0)),
  };
}

let clock: SteppedClock;
let t: TestApp;
let init: Init;
let starting: Promise<void> | undefined;
let started = false;
/** The watchdog's events, only what judging them reads: whole, they were the harness's memory counted as Steward's. */
const events: TimedEvent<JudgedEvent>[] = [];
const missed: number[] = [];
const lookCpu: number[] = [];
/** Each look's cost measured apart (test/helpers/look-meter.ts), beside lookCpu (the process's CPU, as before). */
const lookCosts: LookCost[] = [];
/** The QRS requests of the looks by method and path. */
const lookPaths = new Map<string, number>();
let inLook = false;
/** The simulator's QRS port, from Steward's configuration. */
let qrsPort = 0;
let qrsRequests = 0;
let qrsInLooks = 0;
/** Where the day's looks and their QRS requests begin. */
let looksAtDay = 0;
let qrsAtDay = 0;
let cpuAtBegin = process.cpuUsage();
/** Where the day's CPU begins (the collection and snapshot of the day's end counted in the next day). */
let cpuAtDay = process.cpuUsage();
const wall = performance.now();
const days: ScaleRow["days"] = [];
/**
 * Each simulated hour: RSS as it is (no collection, which would change what it measures), the JS heap in use, the
 * process's CPU in the hour and the work it tracked on the clock, by kind (the label's first words).
 */
const hourly: Array<{ at: string; rssMiB: number; heapMiB: number; looksMaxMs: number; cpuMs: number; work: string }> = [];
let looksMaxMs = 0;
let typesBefore: Record<string, number> = {};
let hourCpu = process.cpuUsage();
const hourWork = new Map<string, number>();
function sampleHourly(): void {
  const mem = process.memoryUsage();
  const work = [...hourWork]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k, n]) => `${k} ×${n}`)
    .join(", ");
  hourly.push({
    at: new Date(clock.now()).toISOString().slice(5, 16),
    rssMiB: MiB(mem.rss),
    heapMiB: MiB(mem.heapUsed),
    looksMaxMs: Math.round(looksMaxMs),
    cpuMs: Math.round(cpuMs(process.cpuUsage(hourCpu))),
    work,
  });
  looksMaxMs = 0;
  hourCpu = process.cpuUsage();
  hourWork.clear();
  clock.setTimeout(sampleHourly, 3_600_000);
}
let clockHandlers: ReturnType<typeof peerClockHandlers>;

serveRpc({
  init(args: Init) {
    init = args;
    clock = createSteppedClock(args.startMs);
    qrsPort = Number(/qrsPort: (\d+)/.exec(args.yaml)?.[1] ?? 0);
    t = createTestApp(args.yaml, { clock, dir: args.dir });
    clockHandlers = peerClockHandlers(clock, () => t.app.intake.counters.received.get());
    for (const k of WATCHED) t.app.bus.on(k, (e) => void events.push({ at: clock.now(), e: judgedPart(e as WatchdogEvent) }));
    t.app.bus.on("task.missed", (e) => {
      const at = Date.parse(String((e as WatchdogEvent).data.expectedAt ?? ""));
      if (Number.isFinite(at)) missed.push(clock.now() - at);
    });
    // Each QRS request and each look is work tracked on the clock: the look's CPU is what the process spent between
    // its start and its end (time stands still meanwhile), its QRS requests those started in between.
    const track = clock.track.bind(clock);
    clock.track = (work, label) => {
      if (label.startsWith("QRS ")) {
        qrsRequests++;
        if (inLook) lookPaths.set(label, (lookPaths.get(label) ?? 0) + 1);
      }
      if (process.env.BENCH_HOURLY) {
        const kind = label
          .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}")
          .split(" ")
          .slice(0, 3)
          .join(" ");
        hourWork.set(kind, (hourWork.get(kind) ?? 0) + 1);
      }
      if (label !== "the watchdog loop's run") return track(work, label);
      const end = startLook(qrsPort);
      inLook = true;
      const q = qrsRequests;
      const done = () => {
        inLook = false;
        lookCosts.push(end());
        lookCpu.push(lookCosts.at(-1)!.cpuMs);
        looksMaxMs = Math.max(looksMaxMs, lookCpu.at(-1)!);
        qrsInLooks += qrsRequests - q;
      };
      work.then(done, done);
      return track(work, label);
    };
    return true;
  },
  settle: () => clockHandlers.settle(),
  fire: ({ id, at }: { id: number; at: number }) => clockHandlers.fire(id, at),
  advance: ({ at }: { at: number }) => clockHandlers.advance(at),
  start() {
    starting = t.app.start().then(() => {
      started = true;
    });
    return true;
  },
  isStarted: () => started,
  async udp() {
    await starting;
    return { port: t.app.intake.udp!.address()!.port, received: t.app.intake.counters.received.get() };
  },
  begin() {
    // The first look read the whole site and a week of history at the start: not a steady look, left out.
    cpuAtBegin = process.cpuUsage();
    cpuAtDay = cpuAtBegin;
    lookCpu.length = 0;
    lookCosts.length = 0;
    lookPaths.clear();
    qrsRequests = 0;
    qrsInLooks = 0;
    looksAtDay = 0;
    qrsAtDay = 0;
    if (process.env.BENCH_HOURLY) sampleHourly();
    return true;
  },
  async acknowledge({ taskId }: { taskId: string }) {
    const open = (await (await t.request("/v4/incidents?status=open")).json()) as { incidents: Array<{ id: number; taskId: string | null }> };
    const incident = open.incidents.find((i) => i.taskId === taskId);
    if (!incident) return "no open incident";
    const res = await t.request(`/v4/incidents/${incident.id}/acknowledge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"note":"on it"}',
    });
    return String(res.status);
  },
  day({ day, wallMs }: { day: number; wallMs: number }) {
    // The watchdog's runs held in memory (SQLite; the same kept runs every watch store on this file shares), what its
    // learners keep of all of keepRuns, and the day's looks: a run stopped at its wall-time limit still leaves each
    // day's figures behind.
    const kept = createWatchStore(t.app.sharedStore.sql).keptRunsSize();
    const looks = lookCpu.slice(looksAtDay);
    const costs = lookCosts.slice(looksAtDay);
    const p90Of = (k: keyof LookCost) => {
      const p90 = pct(
        costs.map((c) => c[k]),
        0.9,
      );
      return Math.round(p90 * 10) / 10;
    };
    days.push({
      day,
      wallS: wallMs / 1000,
      cpuS: Math.round(cpuMs(process.cpuUsage(cpuAtDay)) / 100) / 10,
      ...sampleMemory(),
      storeMiB: bytesUnder(init.dir) / 2 ** 20,
      ...(kept ? { keptRuns: kept.runs, keptMiB: MiB(kept.bytes), learnedMiB: MiB(kept.learnedBytes) } : {}),
      looks: looks.length,
      lookP90Ms: Math.round(pct(looks, 0.9) * 10) / 10,
      lookThreadP90Ms: p90Of("threadMs"),
      lookWallP90Ms: p90Of("wallMs"),
      lookCoreWaitP90Ms: p90Of("waitMs"),
      coldLooks: costs.reduce((n, c) => n + c.cold, 0),
      qrsPerLook: Math.round(((qrsInLooks - qrsAtDay) / Math.max(1, looks.length)) * 10) / 10,
    });
    // Every watchdog event so far by kind: a site whose engines do not match its tasks shows as queue and missed pages.
    const kinds = new Map<string, number>();
    for (const x of events) kinds.set(x.e.kind, (kinds.get(x.e.kind) ?? 0) + 1);
    console.error(`day ${day}: watchdog events so far: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`);
    looksAtDay = lookCpu.length;
    qrsAtDay = qrsInLooks;
    cpuAtDay = process.cpuUsage();
    // The object types that grew most since the day before (after the collection sampleMemory made).
    const types = heapStats().objectTypeCounts as Record<string, number>;
    const grew = Object.entries(types)
      .map(([k, n]) => [k, n - (typesBefore[k] ?? 0)] as const)
      .filter(([, d]) => d !== 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8);
    typesBefore = types;
    // BENCH_SNAPSHOT_DAYS=4,5: a heap snapshot (V8's format) at those days' ends, to find what the heap keeps. After the
    // first one the looks cost about four times the CPU for the rest of the run (×10 and ×50 alike, issue 78): read
    // CPU figures from a run without snapshots.
    if ((process.env.BENCH_SNAPSHOT_DAYS ?? "").split(",").includes(String(day)))
      writeFileSync(join(process.env.BENCH_SNAPSHOT_DIR ?? ".tmp", `steward-x${init.copies}-day${day}.heapsnapshot`), Bun.generateHeapSnapshot("v8"));
    console.error(`day ${day}: object types grown: ${grew.map(([k, d]) => `${k} ${d > 0 ? "+" : ""}${d}`).join(", ")}`);
    const tasks = richSiteTasks(init.copies);
    const faults = benchFaults(init.faults, tasks, RICH_SITE_START, init.hours);
    const caught = init.faults === "rich" ? judgeRichSite(events, faults, [...tasks, ...richCloudTasks()]).rows.filter((r) => r.caught) : [];
    return { row: days.at(-1), caught: caught.map((r) => `${r.latencyMin} min  ${r.fault}`) };
  },
  async finish(): Promise<ScaleRow> {
    const used = cpuMs(process.cpuUsage(cpuAtBegin));
    const mem = sampleMemory();
    const tasks = richSiteTasks(init.copies);
    const faults = benchFaults(init.faults, tasks, RICH_SITE_START, init.hours);
    const looks = lookCpu.length;
    const stats = (k: keyof LookCost) => {
      const xs = lookCosts.map((c) => c[k]);
      return `mean ${(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)).toFixed(1)} p50 ${pct(xs, 0.5).toFixed(1)} p90 ${pct(xs, 0.9).toFixed(1)}`;
    };
    console.error(
      `×${init.copies} ${looks} looks: process CPU ${stats("cpuMs")} ms; main thread CPU ${stats("threadMs")} ms; wall ${stats("wallMs")} ms, of it waiting for a core ${stats("waitMs")} ms; ${lookCosts.filter((c) => c.cold).length} began with no QRS connection open`,
    );
    for (const cold of [1, 0]) {
      const xs = lookCosts.filter((c) => c.cold === cold);
      const of = (k: keyof LookCost) =>
        `${pct(
          xs.map((c) => c[k]),
          0.5,
        ).toFixed(1)} / ${pct(
          xs.map((c) => c[k]),
          0.9,
        ).toFixed(1)}`;
      console.error(
        `  ${xs.length} looks ${cold ? "opening a connection" : "on an open one"}: process CPU p50 / p90 ${of("cpuMs")} ms, main thread ${of("threadMs")} ms`,
      );
    }
    for (const [k, n] of [...lookPaths].sort((a, b) => b[1] - a[1])) console.error(`  ${(n / Math.max(1, looks)).toFixed(2)} a look: ${k}`);
    if (process.env.BENCH_HOURLY) {
      // The hours RSS rose most: where a peak of the day's work left memory the allocator kept.
      const rises = hourly.slice(1).map((h, i) => ({ ...h, riseMiB: Math.round((h.rssMiB - hourly[i]!.rssMiB) * 10) / 10 }));
      for (const h of rises.sort((a, b) => b.riseMiB - a.riseMiB).slice(0, 12))
        console.error(`RSS rose ${h.riseMiB} MiB in the hour to ${h.at}: ${JSON.stringify(h)}`);
      for (const h of [...hourly].sort((a, b) => b.cpuMs - a.cpuMs).slice(0, 12))
        console.error(`CPU ${h.cpuMs} ms in the hour to ${h.at}: ${JSON.stringify(h)}`);
    }
    // Precision at this size: every watchdog event explained by a fault (the scenario test asserts it at ×1).
    const judged = judgeRichSite(events, faults, [...tasks, ...richCloudTasks()]);
    console.error(`×${init.copies}: ${events.length} watchdog events, ${judged.unexplained.length} unexplained (precision ${judged.precision.toFixed(3)})`);
    for (const u of judged.unexplained.slice(0, 10))
      console.error(`  unexplained ${new Date(u.at).toISOString()} ${u.e.kind} ${u.e.task?.name ?? u.e.app?.name ?? ""}`);
    const row: ScaleRow = {
      copies: init.copies,
      tasks: tasks.length,
      looks,
      cpuPerLookMs: {
        mean: lookCpu.reduce((a, b) => a + b, 0) / Math.max(1, looks),
        p50: pct(lookCpu, 0.5),
        p90: pct(lookCpu, 0.9),
        max: Math.max(0, ...lookCpu),
      },
      qrsPerLook: qrsInLooks / Math.max(1, looks),
      qrsOutsideLooksPerDay: ((qrsRequests - qrsInLooks) * 24) / init.hours,
      cpuPerSimDayS: (used / 1000) * (24 / init.hours),
      wallS: (performance.now() - wall) / 1000,
      rssMiB: mem.rssGcMiB,
      heapMiB: mem.heapMiB,
      missed: { alerts: missed.length, p50Ms: pct(missed, 0.5), maxMs: Math.max(0, ...missed) },
      days,
      faults:
        init.faults === "rich"
          ? judgeRichSite(events, faults, [...tasks, ...richCloudTasks()]).rows.map((r) => ({ fault: r.fault, caught: r.caught, latencyMin: r.latencyMin }))
          : [],
    };
    await t.close();
    // The answer leaves before the process does; leaving by the end of the event loop (not process.exit) lets a CPU
    // profile (BENCH_PEER_ARGS=--cpu-prof-md) be written. Anything still holding the loop gets 5 s.
    setTimeout(() => {
      process.disconnect?.();
      setTimeout(() => process.exit(0), 5_000).unref();
    }, 200);
    return row;
  },
});
