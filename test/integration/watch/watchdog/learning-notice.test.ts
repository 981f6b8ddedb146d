// Learning before judging (issue 64), against the simulator on the stepped clock Steward shares with it: a task seen
// only a few times that runs four times its usual raises a task.notice, not a page, and no task.on_track after it;
// a run that goes on to a clear hang (4.5 × its usual) is still paged as task.running_long.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-11-23T08:00:30Z");
const MIN = 60_000;
const LOOK_MS = 12_000;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }]
apps: [{ name: Ledger, owner: INTERNAL\\sa_scheduler }]
tasks:
  - name: Reload Ledger
    type: reload
    app: Ledger
    durationMs: 60000
    triggers:
      - { type: schema, name: Every 10 minutes, incrementOption: custom, incrementDescription: "10 0 0 0", startDate: "2026-01-01T00:00:00.000", timeZone: UTC }
`;

const dir = createTempDir();
let site: SteppedSite;
let t: TestApp;
const events: WatchdogEvent[] = [];
const label = (e: WatchdogEvent) => `${e.kind} ${e.condition.type} ${e.receivedAt.slice(11, 19)}`;
const run = (ms: number) => site.clock.runUntil(site.clock.now() + ms);
let taskId = "";

beforeAll(async () => {
  site = await startSteppedSite(dir.path, START, SITE);
  taskId = ((await simControl(site.sim, "GET", "/tasks")) as Array<{ id: string }>)[0]!.id;
  t = createTestApp(`${qlikYaml(site.sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  runningLong: { minRuns: 5, floor: 1m }\n`, {
    clock: site.clock,
    dir: join(dir.path, "steward"),
  });
  for (const k of ["task.missed", "task.running_long", "app.stale", "task.notice", "task.on_track"] as const)
    t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
  await t.app.start();
  sendDatagramsTo(site, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t.app.intake.counters.received.get());
}, 120_000);
afterAll(async () => {
  await t?.close();
  await site?.sim.stop();
  dir.remove();
});

test("5 runs of a minute seen: a 4-minute run is a notice (no follow-up), a 6-minute run a page past 4.5 × its usual", async () => {
  // Runs at 08:10 … 08:50, a minute each: five seen, the limit still learned (runningLong.learnRuns: 10).
  await site.clock.runUntil(Date.parse("2026-11-23T08:55:00Z"));
  expect(events.map(label)).toEqual([]);
  const view = (await (await t.request("/v4/watchdog")).json()) as {
    tasks: Array<{ name: string; usualMs: number; limitMs: number; limitBasis: string }>;
  };
  const ledger = view.tasks.find((x) => x.name === "Reload Ledger")!;
  // About a minute each (the Scheduler takes a moment to start a run): a notice past the median × (2 + 8/5), a page
  // past 4.5 × the median.
  expect(ledger.usualMs).toBeGreaterThan(50_000);
  expect(ledger.usualMs).toBeLessThanOrEqual(MIN);
  expect(ledger.limitMs).toBe(Math.round(4.5 * ledger.usualMs));
  expect(ledger.limitBasis).toContain("still learning: 5 of 10 runs seen");

  // 09:00 runs 4 minutes: past 3.6 × its usual (about 09:03:30) a notice; it ends at 09:04 without a task.on_track.
  await simControl(site.sim, "PATCH", `/tasks/${taskId}`, { durationMs: 4 * MIN });
  await site.clock.runUntil(Date.parse("2026-11-23T09:08:00Z"));
  const notices = events.filter((e) => e.kind === "task.notice");
  expect(notices.map((e) => e.condition.type)).toEqual(["running_long"]);
  const noticedAt = Date.parse(notices[0]!.receivedAt);
  expect(noticedAt).toBeGreaterThanOrEqual(Date.parse("2026-11-23T09:00:00Z") + 3.6 * ledger.usualMs);
  expect(noticedAt).toBeLessThan(Date.parse("2026-11-23T09:00:00Z") + 3.6 * ledger.usualMs + 5_000 + LOOK_MS);
  expect(notices[0]!.title).toBe("Task taking longer than usual (still learning): Reload Ledger");
  expect(notices[0]!.data.runsSeen).toBe(5);
  expect(events.filter((e) => e.kind !== "task.notice")).toEqual([]);

  // 09:10 runs 6 minutes: a notice past 4 minutes (six runs seen now, the 4-minute one among them), a page past 4.5 ×,
  // and the page's task.on_track when it ends at 09:16.
  await simControl(site.sim, "PATCH", `/tasks/${taskId}`, { durationMs: 6 * MIN });
  const from = events.length;
  await site.clock.runUntil(Date.parse("2026-11-23T09:18:00Z"));
  await simControl(site.sim, "PATCH", `/tasks/${taskId}`, { durationMs: MIN });
  expect(events.slice(from).map((e) => `${e.kind} ${e.condition.type}`)).toEqual([
    "task.notice running_long",
    "task.running_long running_long",
    "task.on_track running_long",
  ]);
  const page = events.find((e) => e.kind === "task.running_long")!;
  const pagedAt = Date.parse(page.receivedAt);
  expect(pagedAt).toBeGreaterThanOrEqual(Date.parse("2026-11-23T09:10:00Z") + 4.5 * ledger.usualMs);
  expect(pagedAt).toBeLessThan(Date.parse("2026-11-23T09:10:00Z") + 4.5 * ledger.usualMs + 5_000 + LOOK_MS);
  expect(page.data.limitMs).toBe(Math.round(4.5 * ledger.usualMs));
  await run(2 * MIN);
  expect(events.filter((e) => e.kind === "task.on_track")).toHaveLength(1);
}, 120_000);
