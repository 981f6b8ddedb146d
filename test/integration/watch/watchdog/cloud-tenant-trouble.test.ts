// A Qlik Cloud tenant whose Scheduling Tasks answers go wrong while its runs go on: a task list whose next page
// never ends, a storm of 429s, JSON cut short. Each is bounded and reported (on /v4/watchdog and in the looks
// metric), none makes the watchdog call a run missed or a task deleted, and once the tenant answers again a run
// that really does not start is still caught. On the stepped clock Steward shares with the simulated tenant (no
// wall-clock waits), so each look, pause and event is asserted at its exact simulated time.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCloudTenantYaml } from "../../../helpers/virtual-clock";

const START = Date.parse("2026-11-23T08:00:30Z");
const MIN = 60_000;
const LOOK_MS = 12_000;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Sales every 5 minutes, app: Sales, recurrence: ["RRULE:FREQ=MINUTELY;INTERVAL=5;BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-01T00:00:00" }
`;

const dir = createTempDir();
let cloud: SteppedCloud | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, cloud?.sim, dir));

interface WatchdogView {
  problems: string[];
  tasks: Array<{ name: string; watched: boolean }>;
  cloud: Array<{ tenant: string; lastLookAt?: string; lastError?: string; pausedUntil?: string; tasks: number }>;
}

const at = (hms: string) => `2026-11-23T${hms}.000Z`;

test("an endless task list, a 429 storm and cut-short JSON are bounded and reported, raise nothing, and watching goes on", async () => {
  cloud = await startSteppedCloud(dir.path, START, SITE);
  const { sim, clock } = cloud;
  const run = (ms: number) => clock.runUntil(clock.now() + ms);
  t = createTestApp(`${simCloudTenantYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { enabled: false }\n`, {
    clock,
    dir: join(dir.path, "steward"),
  });
  const events: WatchdogEvent[] = [];
  for (const k of ["task.missed", "task.on_track", "task.running_long"] as const) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  await t.app.start();
  const view = async () => (await (await t!.request("/v4/watchdog")).json()) as WatchdogView;
  const looks = (result: string) =>
    Number(t!.app.metrics.render().match(new RegExp(`steward_watchdog_cloud_looks_total\\{tenant="corp-cloud",result="${result}"\\} (\\d+)`))?.[1] ?? 0);
  const sales = async () => (await view()).tasks.filter((x) => x.name.startsWith("Sales every 5 minutes"));
  const salesRuns = async () =>
    ((await simControl(sim, "GET", "/cloud/tasks")) as Array<{ name: string; runs: number }>).find((x) => x.name === "Sales every 5 minutes")!.runs;
  /** Steward's calls to the tenant's Scheduling Tasks API made in [fromMs, toMs) of simulated time. */
  const schedulingCalls = (fromMs: number, toMs: number) =>
    sim.requests.list({ source: "cloud", pathContains: "/api/scheduling/" }).filter((r) => Date.parse(r.time) >= fromMs && Date.parse(r.time) < toMs);
  await run(0); // the first look, at Steward's start
  expect((await view()).cloud[0]?.lastLookAt).toBe(at("08:00:30"));
  expect((await sales()).map((x) => x.watched)).toEqual([true]);

  // A next-page link that never ends: stopped at the repeat, reported at the next look, and the task not taken for deleted.
  await simControl(sim, "PATCH", "/cloud/settings", { misbehave: "endlessCursor" });
  await run(LOOK_MS);
  expect((await view()).cloud[0]!.lastLookAt).toBe(at("08:00:42"));
  expect((await view()).problems.filter((p) => p.includes("same next page twice"))).toHaveLength(1);
  // The repeated page's tasks are not a second copy of each: one task, listed once.
  expect((await view()).cloud[0]!.tasks).toBe(1);
  expect((await sales()).map((x) => x.watched)).toEqual([true]);
  await run(12 * MIN); // to 08:12:42: the due times of 08:05 and 08:10 pass, the runs happen
  expect(await salesRuns()).toBe(2);
  expect((await sales()).map((x) => x.watched)).toEqual([true]);
  expect(looks("ok")).toBe(1 + 1 + 60); // every look read the list, the one at the start and one every 12 s since

  // A 429 storm with Retry-After: the tenant is left alone until then, and counted.
  await simControl(sim, "PATCH", "/cloud/settings", { misbehave: null, schedulingRateLimitPerMinute: 1, retryAfterSeconds: 120 });
  await run(LOOK_MS);
  // Allowed one call a minute, the look of 08:12:54 is refused: left alone for the 2 minutes the tenant asked.
  expect(looks("rate-limited")).toBe(1);
  const paused = (await view()).cloud[0]!;
  expect(paused.pausedUntil).toBe(at("08:14:54"));
  expect(paused.lastError).toContain("rate limiting");
  await run(2 * MIN + LOOK_MS);
  // Paused means no calls: none until 08:14:54, whose look is the minute's one call (ok); the next, at 08:15:06, is
  // refused again.
  expect(schedulingCalls(Date.parse(at("08:12:54")) + 1, Date.parse(at("08:14:54")))).toEqual([]);
  expect((await view()).cloud[0]!).toMatchObject({ lastLookAt: at("08:14:54"), pausedUntil: at("08:17:06") });
  expect([looks("ok"), looks("rate-limited")]).toEqual([62 + 1, 2]);
  await simControl(sim, "PATCH", "/cloud/settings", { schedulingRateLimitPerMinute: 600 });
  await run(3 * MIN); // to 08:18:06: read again from the first look after the last Retry-After
  expect((await view()).cloud[0]!.lastError).toBeUndefined();
  expect(schedulingCalls(Date.parse(at("08:15:06")) + 1, Date.parse(at("08:17:06")))).toEqual([]);
  expect(looks("rate-limited")).toBe(2);

  // JSON cut short: a bad answer at the next look (08:18:18), reported and left alone for two looks (a backoff of 24 s),
  // then recovered from at the first look after it.
  await simControl(sim, "PATCH", "/cloud/settings", { misbehave: "truncated" });
  await run(LOOK_MS);
  expect(looks("bad-answer")).toBe(1);
  expect((await view()).cloud[0]!).toMatchObject({ lastLookAt: at("08:18:06"), pausedUntil: at("08:18:42") });
  expect((await view()).cloud[0]!.lastError).toContain("cannot parse");
  await simControl(sim, "PATCH", "/cloud/settings", { misbehave: null });
  await run(2 * MIN); // to 08:20:18: read again at 08:18:42, the end of a backoff of two looks
  expect((await view()).cloud[0]!.lastError).toBeUndefined();
  expect(looks("bad-answer")).toBe(1);
  expect((await sales()).map((x) => x.watched)).toEqual([true]);

  // All that while the runs happened (08:05 to 08:20): nothing to say.
  expect(await salesRuns()).toBe(4);
  expect(events.map((e) => `${e.kind}: ${e.summary}`)).toEqual([]);

  // And the watch still works: a run that does not start is caught once.
  const task = ((await simControl(sim, "GET", "/cloud/tasks")) as Array<{ id: string; name: string }>).find((x) => x.name === "Sales every 5 minutes")!;
  await simControl(sim, "PATCH", `/cloud/tasks/${task.id}`, { paused: true });
  await run(15 * MIN);
  // Paused at 08:20:18: the run due at 08:25 missed after the 3 minutes of grace; the due times of 08:30 and 08:35
  // pass too, with no second alert.
  expect(events.map((e) => `${e.kind} ${e.condition.key} ${e.receivedAt}`)).toEqual([`task.missed cloud:corp-cloud:missed:${task.id} ${at("08:28:06")}`]);
}, 120_000);
