// A Qlik Cloud tenant whose Scheduling Tasks answers go wrong while its runs go on: a task list whose next page
// never ends, a storm of 429s, JSON cut short. Each is bounded and reported (on /v4/watchdog and in the looks
// metric), none makes the watchdog call a run missed or a task deleted, and once the tenant answers again a run
// that really does not start is still caught.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { closeAll, createTestApp, type TestApp } from "../../helpers/app";
import { simControl } from "../../helpers/sim-control";
import { createTempDir } from "../../helpers/temp-dir";
import { simCloudTenantYaml, startVirtualSimulator, virtualTime } from "../../helpers/virtual-clock";
import { waitFor } from "../../helpers/wait-for";

const SPEED = 120; // a simulated 2 minutes a real second
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Sales every 5 minutes, app: Sales, recurrence: ["RRULE:FREQ=MINUTELY;INTERVAL=5;BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-01T00:00:00" }
`;

const dir = createTempDir();
let sim: Simulator | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, sim, dir));

interface WatchdogView {
  problems: string[];
  tasks: Array<{ name: string; watched: boolean }>;
  cloud: Array<{ tenant: string; lastLookAt?: string; lastError?: string; pausedUntil?: string; tasks: number }>;
}

test("an endless task list, a 429 storm and cut-short JSON are bounded and reported, raise nothing, and watching goes on", async () => {
  const vt = virtualTime(Date.parse("2026-11-23T08:00:30Z"), SPEED);
  sim = await startVirtualSimulator(dir.path, vt, SITE, { cloud: true });
  t = createTestApp(`${simCloudTenantYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { enabled: false }\n`, {
    clock: vt.clock,
    dir: join(dir.path, "steward"),
  });
  const events: WatchdogEvent[] = [];
  for (const k of ["task.missed", "task.on_track", "task.running_long"] as const) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  await t.app.start();
  const view = async () => (await (await t!.request("/v4/watchdog")).json()) as WatchdogView;
  const looks = (result: string) =>
    Number(t!.app.metrics.render().match(new RegExp(`steward_watchdog_cloud_looks_total\\{tenant="corp-cloud",result="${result}"\\} (\\d+)`))?.[1] ?? 0);
  await waitFor(async () => (await view()).cloud[0]?.lastLookAt !== undefined, { timeoutMs: 10_000 });
  expect((await view()).tasks.find((x) => x.name.startsWith("Sales every 5 minutes"))?.watched).toBe(true);

  // A next-page link that never ends: stopped at the repeat, reported, and the task not taken for deleted.
  await simControl(sim, "PATCH", "/cloud/settings", { misbehave: "endlessCursor" });
  await waitFor(async () => (await view()).problems.some((p) => p.includes("same next page twice")), { timeoutMs: 10_000 });
  await Bun.sleep(6_000); // 12 simulated minutes: two due times of the task pass, its runs happen
  expect((await view()).tasks.find((x) => x.name.startsWith("Sales every 5 minutes"))?.watched).toBe(true);

  // A 429 storm with Retry-After: the tenant is left alone until then, and counted.
  await simControl(sim, "PATCH", "/cloud/settings", { misbehave: null, schedulingRateLimitPerMinute: 1, retryAfterSeconds: 120 });
  await waitFor(() => looks("rate-limited") > 0, { timeoutMs: 10_000, what: "a rate-limited look" });
  const paused = (await view()).cloud[0]!;
  expect(Date.parse(paused.pausedUntil ?? "")).toBeGreaterThan(vt.clock.now());
  // Paused means no calls: over a real second (2 simulated minutes of a 2-minute Retry-After) at most one more look.
  const before = looks("rate-limited");
  await Bun.sleep(1_000);
  expect(looks("rate-limited") - before).toBeLessThanOrEqual(1);
  await simControl(sim, "PATCH", "/cloud/settings", { schedulingRateLimitPerMinute: 600 });

  // JSON cut short: a bad answer, reported, then recovered from.
  await simControl(sim, "PATCH", "/cloud/settings", { misbehave: "truncated" });
  await waitFor(() => looks("bad-answer") > 0, { timeoutMs: 15_000, what: "a bad answer counted" });
  expect((await view()).cloud[0]!.lastError).toBeTruthy();
  await simControl(sim, "PATCH", "/cloud/settings", { misbehave: null });
  await waitFor(async () => (await view()).cloud[0]!.lastError === undefined, { timeoutMs: 30_000, what: "the tenant read again" });

  // All that while the runs happened: nothing to say.
  expect(events.map((e) => `${e.kind}: ${e.summary}`)).toEqual([]);

  // And the watch still works: a run that does not start is caught once.
  const sales = ((await simControl(sim, "GET", "/cloud/tasks")) as Array<{ id: string; name: string }>).find((x) => x.name === "Sales every 5 minutes")!;
  await simControl(sim, "PATCH", `/cloud/tasks/${sales.id}`, { paused: true });
  await waitFor(() => events.some((e) => e.kind === "task.missed"), { timeoutMs: 30_000, what: "task.missed" });
  await Bun.sleep(1_500);
  expect(events.map((e) => `${e.kind} ${e.condition.key}`)).toEqual([`task.missed cloud:corp-cloud:missed:${sales.id}`]);
}, 120_000);
