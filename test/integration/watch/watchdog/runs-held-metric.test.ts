// What the watchdog holds in memory is on /metrics (issue 78: its heap grew with the runs it keeps, and nothing on
// /metrics showed it): steward_watchdog_runs_held is the number of past runs held in memory, here every run the store
// keeps (those of the last two days), steward_watchdog_runs_held_bytes what they and the learners take, and
// process_heap_used_bytes the JavaScript heap. On the stepped clock the simulator shares.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { FIVE_MINUTE_SITE } from "./five-minute-site";

const START = Date.parse("2026-11-23T08:00:30Z");
const MIN = 60_000;

const dir = createTempDir();
let site: SteppedSite | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, site?.sim, dir));

/** One sample's value from the Prometheus text, or undefined when the metric is not there. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

test("/metrics shows the runs the watchdog holds, growing with the runs that ended, and the JavaScript heap", async () => {
  site = await startSteppedSite(dir.path, START, FIVE_MINUTE_SITE);
  const { sim, clock } = site;
  t = createTestApp(`${qlikYaml(sim)}watchdog:\n  interval: 1m\n  stale: { enabled: false }\n`, { clock, dir: join(dir.path, "steward") });
  await t.app.start();
  const metrics = async () => (await t!.request("/metrics")).text();
  const stored = () => (t!.app.store.db.prepare("SELECT count(*) AS n FROM watchdog_runs").get() as { n: number }).n;

  await clock.runUntil(clock.now() + 2 * MIN);
  expect(sample(await metrics(), "steward_watchdog_runs_held")).toBe(0);
  // Runs start every 5 minutes and take 30 s: by 08:22:30 the ones of 08:05, 08:10, 08:15 and 08:20 have ended.
  await clock.runUntil(clock.now() + 20 * MIN);
  const text = await metrics();
  expect(stored()).toBe(4);
  expect(sample(text, "steward_watchdog_runs_held")).toBe(4);
  expect(text).toContain("# TYPE steward_watchdog_runs_held gauge");
  // Their bytes: four runs of 17 bytes in columns with room for four, and what the learners keep of the successful
  // ones (their stops, durations, kinds of day and ends, with room to grow), not more than a few hundred bytes.
  const bytes = sample(text, "steward_watchdog_runs_held_bytes")!;
  expect(bytes).toBeGreaterThanOrEqual(4 * 17);
  expect(bytes).toBeLessThan(600);
  const heapUsed = sample(text, "process_heap_used_bytes")!;
  expect(heapUsed).toBeGreaterThan(1024 * 1024);
  expect(sample(text, "process_heap_total_bytes")).toBeGreaterThan(0);
});
