// The false-alarm test: the default simulated site run through a week (with a daylight-saving change) on a
// stepped clock shared by Steward and the simulator, with its usual mix of durations, chains and outcomes, and the
// watchdog looking every 30 minutes, and a QRS that answers 503 now and then. No run went wrong, so it must say
// nothing: no missed start, stopped chain, long run or stale app. Simulated time only moves when both are idle, so
// the week is the same week on a fast or a loaded machine.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-03-24T00:00:00Z");
const HOUR = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR;
const NO_NODE_READS = "grouping:\n  nodeDown:\n    unreachable: { enabled: false }\n";
const dir = createTempDir();
let site: SteppedSite | undefined;
let t: TestApp | undefined;
const alerts: WatchdogEvent[] = [];

afterAll(() => closeAll(t, site?.sim, dir));

beforeAll(async () => {
  site = await startSteppedSite(dir.path, START);
  const { sim, clock } = site;
  // The node rule's reads of QRS's service states (every 30 s by default) are not what this week is about and were
  // two fifths of its CPU: off here; the rich site's and the real nights' weeks read them.
  t = createTestApp(`${qlikYaml(sim)}watchdog:\n  interval: 30m\nintake:\n  reconcile:\n    intervalSeconds: 1800\n${NO_NODE_READS}`, {
    clock,
    dir: join(dir.path, "steward"),
  });
  for (const k of ["task.missed", "task.chain_broken", "task.running_long", "app.stale"] as const) t.app.bus.on(k, (e) => void alerts.push(e as WatchdogEvent));
  const starting = t.app.start();
  await clock.runUntil(START);
  await starting;
  // A flaky QRS on the way: every 7 simulated hours its execution results answer 503 for three simulated hours,
  // so looks fail and the watchdog must catch up afterwards without calling a run missed.
  const flaky = (): unknown =>
    clock.setTimeout(() => {
      sim.faults.add({ target: "qrs", pathContains: "executionresult", status: 503, forMs: 3 * HOUR }, clock.now());
      flaky();
    }, 7 * HOUR);
  flaky();
  await clock.runUntil(START + WEEK_MS);
  sim.faults.clear();
  await t.app.watchdog!.look();
}, 300_000);

test("the week happened: every look of the watchdog, and every run of the 4-hourly task, its chain and the daily chain", () => {
  const metrics = t!.app.metrics.render();
  expect(metrics).toMatch(/steward_watchdog_looks_total\{result="failed"\} [1-9]/);
  // Every look happened: one at the start and one every 30 minutes after the previous ended, plus the last one
  // above. (A look's end can be a few simulated seconds after its start, so the last of the week may fall past it.)
  const looks = [...metrics.matchAll(/steward_watchdog_looks_total\{result="(?:ok|failed)"\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
  expect(looks).toBeGreaterThanOrEqual(2 * 24 * 7 + 1);
  expect(looks).toBeLessThanOrEqual(2 * 24 * 7 + 2);

  // The week really happened: the 4-hourly task and the chain it starts ran all week, the daily chain every day.
  const runs = (name: string) => site!.finished.filter((r) => r.task === name && r.status === 7).length;
  expect(runs("Reload Logistics KPIs")).toBe(42);
  expect(runs("Reload; Sales; EMEA")).toBe(42);
  expect(runs("Reload chain – step 1")).toBe(7);
  // The weekday-only task ran on the five weekdays of the week, and not at the weekend.
  expect(runs("Reload Finance – General ledger")).toBe(5);
});

test("no watchdog alert in the week (Europe's clocks change on the 29th), not even for the weekday-only app", async () => {
  const { sim } = site!;
  const unexpected = alerts;
  if (unexpected.length > 0) {
    // What the simulator recorded around each alert, so a failure here can be explained.
    const tasks = (await simControl(sim, "GET", "/tasks")) as Array<{ id: string; name: string }>;
    const all = (await simControl(sim, "GET", "/executions?limit=2000")) as Array<{
      taskId: string;
      status: number;
      startTime?: string;
      stopTime?: string;
      createdDate?: string;
    }>;
    for (const a of unexpected) {
      const at = Date.parse(String(a.data.expectedAt ?? a.data.startedAt ?? a.receivedAt));
      const near = all.filter((x) => Math.abs(Date.parse(x.createdDate ?? x.startTime ?? "") - at) < 3 * 3_600_000);
      console.log(
        a.kind,
        a.summary,
        JSON.stringify(near.map((x) => [tasks.find((t) => t.id === x.taskId)?.name, x.status, x.createdDate, x.startTime, x.stopTime])),
      );
    }
  }
  expect(unexpected.map((e) => `${e.kind}: ${e.summary}`)).toEqual([]);
});
