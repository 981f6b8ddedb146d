// The false-alarm test for Qlik Cloud: four simulated days of a tenant's time-scheduled tasks (hourly, every ten
// minutes, daily at 02:30 in Stockholm through the spring daylight-saving change that skips 02:30, weekly) on the
// stepped clock Steward shares with the simulated tenant, with the tenant answering HTML instead of JSON for three
// simulated hours on the way. Every run happened, so the watchdog must say nothing, and must have looked all along.
// Time jumps only when nothing is in flight, so the counts are exact on a fast or a loaded machine.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCloudTenantYaml } from "../../../helpers/virtual-clock";

const START = Date.parse("2026-03-27T00:00:00Z");
const DAY = 86_400_000;
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
let cloud: SteppedCloud | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, cloud?.sim, dir));

test(`${DAYS} quiet simulated days of a Qlik Cloud tenant's schedules (clocks change on the 29th) raise no watchdog alert`, async () => {
  // The tenant and Steward start a minute before the days begin, so the run due at their first instant is a run
  // like every other (a task created at a due time does not run at it, as in Qlik Cloud).
  cloud = await startSteppedCloud(dir.path, START - 60_000, SITE);
  const { clock, sim } = cloud;
  t = createTestApp(`${simCloudTenantYaml(sim, "30m")}watchdog:\n  interval: 30m\n`, { clock, dir: join(dir.path, "steward") });
  const alerts: WatchdogEvent[] = [];
  for (const k of ["task.missed", "task.running_long", "task.on_track"] as const) t.app.bus.on(k, (e) => void alerts.push(e as WatchdogEvent));
  const reloadsSeen: string[] = [];
  t.app.bus.on("task.succeeded", (e) => void reloadsSeen.push((e as { executionId: string }).executionId));
  await t.app.start();
  await clock.runUntil(START + 2 * DAY);
  // Half-way, three simulated hours of a tenant answering a login page.
  sim.cloud!.settings.misbehave = "html";
  await clock.runUntil(START + 2 * DAY + 3 * 3_600_000);
  sim.cloud!.settings.misbehave = null;
  await clock.runUntil(START + DAYS * DAY);
  await t.app.watchdog!.look();

  if (alerts.length > 0) console.log(alerts.map((e) => `${e.kind}: ${e.summary}`));
  const runsOf = (name: string) => {
    const task = sim.cloud!.scheduling.tasks.find((x) => x.name === name)!;
    return sim.cloud!.scheduling.runs.filter((r) => r.taskId === task.id);
  };
  const succeeded = (name: string) => runsOf(name).filter((r) => r.status === "SUCCEEDED").length;
  // Every run of the four days happened, each at its due time. Hourly at :07 from 00:07: 96; the last one ended.
  expect(succeeded("Sales hourly")).toBe(DAYS * 24);
  // Every ten minutes from 00:00 (the first at the start itself): 576 fires, the one at the very end still running.
  const stock = runsOf("Stock every 10 minutes");
  expect(stock.map((r) => r.startedAt)).toEqual(Array.from({ length: DAYS * 144 + 1 }, (_, i) => START + i * 600_000));
  expect(succeeded("Stock every 10 minutes")).toBe(DAYS * 144);
  // 02:30 Stockholm on the 27th, 28th, 30th; the 29th has no 02:30 (the clocks jump from 02:00 to 03:00).
  expect(runsOf("Finance nightly").map((r) => new Date(r.startedAt).toISOString())).toEqual([
    "2026-03-27T01:30:00.000Z",
    "2026-03-28T01:30:00.000Z",
    "2026-03-29T01:30:00.000Z",
    "2026-03-30T00:30:00.000Z",
  ]);
  // Monday and Saturday at 05:00 New York: Saturday the 28th and Monday the 30th.
  expect(runsOf("Finance weekly").map((r) => new Date(r.startedAt).toISOString())).toEqual(["2026-03-28T09:00:00.000Z", "2026-03-30T09:00:00.000Z"]);
  // Every run that ended was announced once, the ones that ended while the tenant answered HTML too (after it).
  const ended = sim.cloud!.reloads.filter((r) => r.status === "SUCCEEDED").map((r) => r.id);
  expect(new Set(reloadsSeen).size).toBe(reloadsSeen.length);
  expect([...reloadsSeen].sort()).toEqual([...ended].sort());
  // Every poll happened: one each 30 simulated minutes from the start, 3 × 2 of them answered with HTML.
  const metrics = t.app.metrics.render();
  const looks = (result: string) => Number(new RegExp(`steward_cloud_polls_total\\{tenant="corp-cloud",result="${result}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
  expect(looks("ok") + looks("bad-answer")).toBe(DAYS * 48 + 1);
  expect(looks("bad-answer")).toBe(6);
  expect(metrics).toMatch(/steward_watchdog_cloud_looks_total\{tenant="corp-cloud",result="ok"\} \d{2,}/);
  expect(metrics).toMatch(/steward_watchdog_cloud_looks_total\{tenant="corp-cloud",result="bad-answer"\} [1-9]/);
  expect(alerts.map((e) => `${e.kind}: ${e.summary}`)).toEqual([]);
}, 300_000); // a hang guard only: 95,000 timers (Steward's own tickers included) fire in these four days
