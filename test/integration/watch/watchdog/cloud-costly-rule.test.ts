// A Qlik Cloud task whose RRULE is too costly to follow (MINUTELY with COUNT=399000 counted from January): the
// watchdog names it as a problem on /v4/watchdog and stops computing it until its definition changes, the other
// tasks are still watched, and /health answers promptly throughout, look after look. The looks run on the stepped
// clock Steward shares with the simulated tenant; how promptly /health answers is a matter of wall time, measured so.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCloudTenantYaml } from "../../../helpers/virtual-clock";

const START = Date.parse("2026-11-23T08:00:30Z");
const LOOK_MS = 12_000;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }, { name: Stock, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Sales hourly, app: Sales, recurrence: ["RRULE:FREQ=HOURLY;BYMINUTE=7;BYSECOND=0"], timezone: Europe/Stockholm }
    - { name: Stock hostile, app: Stock, recurrence: ["RRULE:FREQ=MINUTELY;COUNT=399000", "RRULE:FREQ=MINUTELY;COUNT=399001"], timezone: Europe/Stockholm, startDateTime: "2026-01-01T00:00:00" }
`;

const dir = createTempDir();
let cloud: SteppedCloud | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, cloud?.sim, dir));

interface WatchdogView {
  problems: string[];
  tasks: Array<{ name: string; watched: boolean }>;
  cloud: Array<{ tenant: string; lastLookAt?: string }>;
}

test("a costly rule is a named problem, not a hang; /health stays responsive", async () => {
  cloud = await startSteppedCloud(dir.path, START, SITE);
  const { sim, clock } = cloud;
  t = createTestApp(`${simCloudTenantYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { enabled: false }\n`, {
    clock,
    dir: join(dir.path, "steward"),
  });
  const events: WatchdogEvent[] = [];
  for (const k of ["task.missed", "task.on_track", "task.running_long"] as const) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  await t.app.start();
  const view = async () => (await (await t!.request("/v4/watchdog")).json()) as WatchdogView;
  const looks = () => Number(t!.app.metrics.render().match(/steward_watchdog_cloud_looks_total\{tenant="corp-cloud",result="ok"\} (\d+)/)?.[1] ?? 0);

  // Wall time on purpose: the looks follow one another on the stepped clock as fast as this machine allows (the
  // first, at Steward's start, meets the costly rule) for 3 s, while /health is asked every 50 ms: no answer waits long.
  const until = performance.now() + 3_000;
  const looking = (async () => {
    while (performance.now() < until) await clock.runUntil(clock.now() + LOOK_MS);
  })();
  let slowest = 0;
  let asked = 0;
  while (performance.now() < until) {
    const t0 = performance.now();
    expect((await t.request("/health")).status).toBe(200);
    slowest = Math.max(slowest, performance.now() - t0);
    asked++;
    await Bun.sleep(50);
  }
  await looking;
  expect(looks()).toBeGreaterThan(3);
  expect(slowest).toBeLessThan(1_000);
  expect(asked).toBeGreaterThan(20);

  // Every look (one every 12 simulated seconds) read the tenant, and each named the costly rule once, without a hang.
  const v = await view();
  expect(looks()).toBe((clock.now() - START) / LOOK_MS + 1);
  expect(v.cloud[0]!.lastLookAt).toBe(new Date(clock.now()).toISOString());
  const problem = v.problems.find((p) => p.includes("Stock hostile"))!;
  expect(problem).toContain("not watched");
  expect(problem).toContain("more than");
  expect(v.problems.filter((p) => p.includes("Stock hostile"))).toHaveLength(1);
  expect(v.tasks.find((x) => x.name.startsWith("Stock hostile"))?.watched).toBe(false);
  expect(v.tasks.find((x) => x.name.startsWith("Sales hourly"))?.watched).toBe(true);
  // Meanwhile the hourly task ran at :07 of every simulated hour passed, and nothing was missed.
  const runs = ((await simControl(sim, "GET", "/cloud/tasks")) as Array<{ name: string; runs: number }>).find((x) => x.name === "Sales hourly")!.runs;
  expect(runs).toBe(Math.max(0, Math.floor((clock.now() - Date.parse("2026-11-23T08:07:00Z")) / 3_600_000) + 1));
  expect(events.map((e) => `${e.kind}: ${e.summary}`)).toEqual([]);
}, 30_000);
