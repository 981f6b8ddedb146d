// The false-alarm test: the default simulated site run through a week (with a daylight-saving change) on the
// simulator's virtual clock, with its usual mix of durations, chains and outcomes, and the watchdog on its
// defaults, and a QRS that answers 503 now and then. No run went wrong, so it must say nothing: no missed start,
// stopped chain, long run or stale app.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { closeAll, createTestApp, type TestApp } from "../../helpers/app";
import { simControl } from "../../helpers/sim-control";
import { createTempDir } from "../../helpers/temp-dir";
import { startVirtualSimulator, virtualTime } from "../../helpers/virtual-clock";
import { waitFor } from "../../helpers/wait-for";
import { qlikYaml } from "../scheduler/sim-setup";

const SPEED = 20_000;
const WEEK_MS = 7 * 86_400_000;
const dir = createTempDir();
let sim: Simulator | undefined;
let t: TestApp | undefined;

afterAll(() => closeAll(t, sim, dir));

test("a week of the default site (Europe's clocks change on the 29th) raises no watchdog alert", async () => {
  const vt = virtualTime(Date.parse("2026-03-24T00:00:00Z"), SPEED);
  sim = await startVirtualSimulator(dir.path, vt);
  t = createTestApp(`${qlikYaml(sim)}watchdog:\n  interval: 100ms\n`, { clock: vt.clock, dir: join(dir.path, "steward") });
  const alerts: WatchdogEvent[] = [];
  for (const k of ["task.missed", "task.chain_broken", "task.running_long", "app.stale"] as const) t.app.bus.on(k, (e) => void alerts.push(e as WatchdogEvent));
  await t.app.start();
  // A flaky QRS on the way: every few simulated hours its execution results answer 503 for three simulated hours,
  // so looks fail and the watchdog must catch up afterwards without calling a run missed.
  let week = true;
  const flaky = (async () => {
    while (week) {
      await Bun.sleep(4_000);
      if (week) await simControl(sim!, "POST", "/faults", { target: "qrs", pathContains: "executionresult", status: 503, forMs: 3 * 3_600_000 });
    }
  })();
  await waitFor(() => vt.clock.now() >= vt.startMs + WEEK_MS, { timeoutMs: 60_000, intervalMs: 500, what: "a simulated week" });
  week = false;
  await flaky;
  await simControl(sim, "DELETE", "/faults");
  await t.app.watchdog!.look();
  expect(t.app.metrics.render()).toMatch(/steward_watchdog_looks_total\{result="failed"\} [1-9]/);

  // The week really happened: the 4-hourly task and the chain it starts ran all week, the daily chain every day.
  const tasks = (await simControl(sim, "GET", "/tasks")) as Array<{ id: string; name: string }>;
  const runs = async (name: string) =>
    ((await simControl(sim!, "GET", `/executions?taskId=${tasks.find((x) => x.name === name)!.id}&limit=200`)) as Array<{ status: number }>).filter(
      (e) => e.status === 7,
    ).length;
  expect(await runs("Reload Logistics KPIs")).toBeGreaterThanOrEqual(36);
  expect(await runs("Reload; Sales; EMEA")).toBeGreaterThanOrEqual(36);
  expect(await runs("Reload chain – step 1")).toBeGreaterThanOrEqual(6);
  expect(t.app.metrics.render()).toMatch(/steward_watchdog_looks_total\{result="ok"\} \d{2,}/);
  if (alerts.length > 0) {
    // What the simulator recorded around each alert, so a failure here can be explained.
    const all = (await simControl(sim, "GET", "/executions?limit=2000")) as Array<{
      taskId: string;
      status: number;
      startTime?: string;
      stopTime?: string;
      createdDate?: string;
    }>;
    for (const a of alerts) {
      const at = Date.parse(String(a.data.expectedAt ?? a.data.startedAt ?? a.receivedAt));
      const near = all.filter((x) => Math.abs(Date.parse(x.createdDate ?? x.startTime ?? "") - at) < 3 * 3_600_000);
      console.log(
        a.kind,
        a.summary,
        JSON.stringify(near.map((x) => [tasks.find((t) => t.id === x.taskId)?.name, x.status, x.createdDate, x.startTime, x.stopTime])),
      );
    }
  }
  expect(alerts.map((e) => `${e.kind}: ${e.summary}`)).toEqual([]);
});
