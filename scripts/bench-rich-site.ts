// What a simulated day of the rich site costs (test/helpers/rich-site.ts: 116 tasks on 3 nodes, the Cloud tenant
// beside it, Steward and the simulator on one stepped clock, as rich-site-scenario.test.ts runs it, no faults):
// wall time and this process's CPU per day, timers fired and QRS requests. The time a simulated day takes decides
// how long the suite's scenario and a two-week run take.
//   bun scripts/bench-rich-site.ts [--days N] [--look 5m]
//   bun --cpu-prof-md --cpu-prof-dir=/tmp/prof scripts/bench-rich-site.ts --days 2   (where the time goes)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { closeAll, createTestApp } from "../test/helpers/app";
import { richCloudTasks, richSiteTasks, richSiteYaml } from "../test/helpers/rich-site";
import { sendDatagramsTo, startSteppedSite } from "../test/helpers/stepped-site";
import { simCloudTenantYaml } from "../test/helpers/virtual-clock";
import { qlikYaml } from "../test/integration/scheduler/sim-setup";

const { values } = parseArgs({ options: { days: { type: "string", default: "3" }, look: { type: "string", default: "5m" } } });
const DAYS = Number(values.days);
const DAY = 86_400_000;
const START = Date.parse("2026-03-23T00:00:00Z");

const dir = mkdtempSync(join(tmpdir(), "steward-bench-rich-"));
const site = await startSteppedSite(join(dir, "site"), START - 10 * 60_000, richSiteYaml(richSiteTasks(), richCloudTasks()), { cloud: true });
const { sim, clock } = site;
const t = createTestApp(
  `${qlikYaml(sim)}${simCloudTenantYaml(sim, "5m")}watchdog:\n  interval: ${values.look}\n  runningLong: { minRuns: 3 }\ngrouping: { nodeDown: { unreachable: { enabled: true, interval: 1m } } }\n`,
  { clock, dir: join(dir, "steward") },
);
try {
  await clock.runUntil(START);
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  sendDatagramsTo(site, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t.app.intake.counters.received.get());
  console.log("day  wall ms  cpu ms  timers  qrs requests");
  for (let day = 1; day <= DAYS; day++) {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const timers = clock.firedTimers();
    const requests = sim.requests.list({ source: "qrs" }).length;
    await clock.runUntil(START + day * DAY);
    const used = process.cpuUsage(cpu);
    console.log(
      [
        String(day).padStart(3),
        String(Math.round(performance.now() - wall)).padStart(8),
        String(Math.round((used.user + used.system) / 1000)).padStart(7),
        String(clock.firedTimers() - timers).padStart(7),
        String(sim.requests.list({ source: "qrs" }).length - requests).padStart(13),
      ].join(" "),
    );
    if (process.env.BENCH_PATHS) {
      const by = new Map<string, number>();
      for (const r of sim.requests.list({ source: "qrs" })) {
        const k = `${r.method} ${r.path.replace(/[0-9a-f-]{36}/g, ":id")} ${r.query.filter ? `filter=${r.query.filter.replace(/'[^']*'/g, "'…'")}` : ""}`;
        by.set(k, (by.get(k) ?? 0) + 1);
      }
      for (const [k, n] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(n).padStart(6), k);
    }
    sim.requests.clear();
  }
} finally {
  await closeAll(t, sim, { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) });
}
