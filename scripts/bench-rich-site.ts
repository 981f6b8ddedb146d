// What a simulated day of the rich site costs, run as rich-site-scenario.test.ts runs it (test/helpers/rich-site-run.ts:
// 116 tasks on 3 nodes, the Cloud tenant beside it, Steward and the simulator on one stepped clock, alerts to a
// webhook with grouping on): wall time and this process's CPU per day, timers fired and QRS requests. The time a
// simulated day takes decides how long the suite's scenario and a two-week run take.
//   bun scripts/bench-rich-site.ts [--days N] [--look 5m] [--faults]
//   bun --cpu-prof-md --cpu-prof-dir=/tmp/prof scripts/bench-rich-site.ts --days 2   (where the time goes)
// BENCH_PATHS=1 adds each day's QRS requests by path.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { richSiteTasks } from "../test/helpers/rich-site";
import { richSiteFaults } from "../test/helpers/rich-site-faults";
import { closeRichRun, RICH_SITE_START, type RichRun, runRichSite } from "../test/helpers/rich-site-run";

const { values } = parseArgs({
  options: { days: { type: "string", default: "3" }, look: { type: "string", default: "5m" }, faults: { type: "boolean", default: false } },
});
const DAYS = Number(values.days);

const dir = mkdtempSync(join(tmpdir(), "steward-bench-rich-"));
let opened: RichRun | undefined;
let cpu = process.cpuUsage();
let timers = 0;
let requests = 0;
const qrsRequests = (run: RichRun) => run.site.sim.requests.list({ source: "qrs" }).length;

function printPaths(run: RichRun): void {
  const by = new Map<string, number>();
  for (const r of run.site.sim.requests.list({ source: "qrs" })) {
    const k = `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ":id")} ${r.query.filter ? `filter=${r.query.filter.replace(/'[^']*'/g, "'…'")}` : ""}`;
    by.set(k, (by.get(k) ?? 0) + 1);
  }
  for (const [k, n] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(n).padStart(6), k);
}

try {
  console.log("day  wall ms  cpu ms  timers  qrs requests");
  await runRichSite({
    dir,
    days: DAYS,
    faults: values.faults ? richSiteFaults(richSiteTasks(), RICH_SITE_START, DAYS) : [],
    look: values.look,
    opened: (run) => {
      opened = run;
    },
    onDay: (day, wallMs, run) => {
      const used = process.cpuUsage(cpu);
      const cells = [day, Math.round(wallMs), Math.round((used.user + used.system) / 1000), run.site.clock.firedTimers() - timers, qrsRequests(run) - requests];
      console.log(cells.map((c, i) => String(c).padStart([3, 8, 7, 7, 13][i]!)).join(" "));
      if (process.env.BENCH_PATHS) printPaths(run);
      // The simulator's request log holds the last 10,000 requests: cleared each day, each day's count is whole.
      run.site.sim.requests.clear();
      cpu = process.cpuUsage();
      timers = run.site.clock.firedTimers();
      requests = 0;
    },
  });
} finally {
  if (opened) await closeRichRun(opened);
  rmSync(dir, { recursive: true, force: true });
}
