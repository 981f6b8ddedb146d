// The false-alarm test for Qlik Cloud: four simulated days of a tenant's time-scheduled tasks (hourly, every ten
// minutes, daily at 02:30 in Stockholm through the spring daylight-saving change that skips 02:30, weekly) on the
// virtual clock, with the tenant answering HTML instead of JSON for three simulated hours on the way. Every run
// happened, so the watchdog must say nothing, and must have looked all along.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { closeAll, createTestApp, type TestApp } from "../../helpers/app";
import { simControl } from "../../helpers/sim-control";
import { createTempDir } from "../../helpers/temp-dir";
import { simCloudTenantYaml, startVirtualSimulator, virtualTime } from "../../helpers/virtual-clock";
import { waitFor } from "../../helpers/wait-for";

const SPEED = 20_000;
const DAYS = 4;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }, { name: Stock, owner: CORP\\anna }, { name: Finance, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Sales hourly, app: Sales, recurrence: ["RRULE:FREQ=HOURLY;BYMINUTE=7;BYSECOND=0"], timezone: Europe/Stockholm }
    - { name: Stock every 10 minutes, app: Stock, recurrence: ["RRULE:FREQ=MINUTELY;INTERVAL=10;BYSECOND=0"], timezone: UTC, startDateTime: "2026-03-01T00:00:00" }
    - { name: Finance nightly, app: Finance, recurrence: ["RRULE:FREQ=DAILY;BYHOUR=2;BYMINUTE=30;BYSECOND=0"], timezone: Europe/Stockholm }
    - { name: Finance weekly, app: Finance, recurrence: ["RRULE:FREQ=WEEKLY;BYDAY=MO,SA;BYHOUR=5;BYMINUTE=0;BYSECOND=0"], timezone: America/New_York }
`;
const dir = createTempDir();
let sim: Simulator | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, sim, dir));

test(`${DAYS} quiet simulated days of a Qlik Cloud tenant's schedules (clocks change on the 29th) raise no watchdog alert`, async () => {
  const vt = virtualTime(Date.parse("2026-03-27T00:00:00Z"), SPEED);
  sim = await startVirtualSimulator(dir.path, vt, SITE, { cloud: true });
  t = createTestApp(`${simCloudTenantYaml(sim)}watchdog:\n  interval: 100ms\n`, { clock: vt.clock, dir: join(dir.path, "steward") });
  const alerts: WatchdogEvent[] = [];
  for (const k of ["task.missed", "task.running_long", "task.on_track"] as const) t.app.bus.on(k, (e) => void alerts.push(e as WatchdogEvent));
  await t.app.start();
  // Half-way, three simulated hours of a tenant answering a login page.
  await waitFor(() => vt.clock.now() >= vt.startMs + 2 * 86_400_000, { timeoutMs: 60_000, intervalMs: 200 });
  await simControl(sim, "PATCH", "/cloud/settings", { misbehave: "html" });
  await waitFor(() => vt.clock.now() >= vt.startMs + 2 * 86_400_000 + 3 * 3_600_000, { timeoutMs: 60_000, intervalMs: 50 });
  await simControl(sim, "PATCH", "/cloud/settings", { misbehave: null });
  await waitFor(() => vt.clock.now() >= vt.startMs + DAYS * 86_400_000, { timeoutMs: 60_000, intervalMs: 200, what: "the simulated days" });
  await t.app.watchdog!.look();

  if (alerts.length > 0) console.log(alerts.map((e) => `${e.kind}: ${e.summary}`));
  const runs = (name: string) => {
    const task = sim!.cloud!.scheduling.tasks.find((x) => x.name === name)!;
    return sim!.cloud!.scheduling.runs.filter((r) => r.taskId === task.id && r.status === "SUCCEEDED").length;
  };
  // The days really happened (the simulator's start takes a few simulated hours of them): every ten minutes a run.
  expect(runs("Sales hourly")).toBeGreaterThanOrEqual(DAYS * 24 - 8);
  expect(runs("Stock every 10 minutes")).toBeGreaterThanOrEqual(DAYS * 144 - 50);
  const stock = sim.cloud!.scheduling.tasks.find((x) => x.name === "Stock every 10 minutes")!;
  const starts = sim.cloud!.scheduling.runs.filter((r) => r.taskId === stock.id).map((r) => r.startedAt);
  expect(starts.slice(1).filter((s, i) => s - starts[i]! !== 600_000)).toEqual([]);
  expect(runs("Finance nightly")).toBeGreaterThanOrEqual(DAYS - 1);
  const metrics = t.app.metrics.render();
  expect(metrics).toMatch(/steward_watchdog_cloud_looks_total\{tenant="corp-cloud",result="ok"\} \d{2,}/);
  expect(metrics).toMatch(/steward_watchdog_cloud_looks_total\{tenant="corp-cloud",result="bad-answer"\} [1-9]/);
  expect(alerts.map((e) => `${e.kind}: ${e.summary}`)).toEqual([]);
}, 120_000);
