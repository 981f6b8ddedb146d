// The simulated Scheduler's queue: a node runs at most its Max concurrent reloads (QRS maxConcurrentEngines) at once,
// the rest wait with status Queued (3) and start as slots free up; one that waits longer than the node's engineTimeout
// is cancelled (FinishedFail from Queued, never started); the settings are served as QRS's schedulerservice; the
// simulator counts each node's runs in progress and waiting hour by hour. On a stepped clock: minutes in milliseconds.
import { afterAll, describe, expect, test } from "bun:test";
import { startSteppedSite, type SteppedSite } from "../../helpers/stepped-site";
import { createTempDir } from "../../helpers/temp-dir";
import { f, qrsClient } from "./helpers";

const START = Date.parse("2026-03-02T02:00:00.000Z");
const MIN = 60_000;
const dir = createTempDir("steward-sim-queue-");

const site = (scheduler: string, tasks: number) => `
site: { name: Queue }
nodes:
  - { name: Central, hostName: central.test.example, central: true }
  - { name: Reload01, hostName: reload01.test.example${scheduler} }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
${Array.from({ length: tasks }, (_, i) => `  - { id: 00000000-0000-4000-8000-0000000010${String(i).padStart(2, "0")}, name: App ${i}, owner: INTERNAL\\sa_scheduler }`).join("\n")}
tasks:
${Array.from(
  { length: tasks },
  (_, i) =>
    `  - { id: 00000000-0000-4000-8000-0000000020${String(i).padStart(2, "0")}, name: Load ${i}, type: reload, app: App ${i}, node: Reload01, durationMs: ${15 * MIN} }`,
).join("\n")}
`;
const taskId = (i: number) => `00000000-0000-4000-8000-0000000020${String(i).padStart(2, "0")}`;

const sites: SteppedSite[] = [];
afterAll(async () => {
  for (const s of sites) await s.sim.stop();
  dir.remove();
});

async function started(yaml: string, count: number): Promise<SteppedSite> {
  const s = await startSteppedSite(dir.path, START, yaml);
  sites.push(s);
  for (let i = 0; i < count; i++) expect(s.sim.tasks.start(taskId(i)).started).toBe(true);
  return s;
}

const results = async (s: SteppedSite) => {
  const r = await qrsClient(s.sim).get(`executionresult/full?${f("executingNodeName eq 'reload01.test.example'")}`);
  expect(r.status).toBe(200);
  return r.json<Array<{ taskID: string; status: number; startTime: string; stopTime: string; details: Array<{ message: string }> }>>();
};
const statusOf = async (s: SteppedSite, i: number) => (await results(s)).filter((e) => e.taskID === taskId(i)).map((e) => e.status);

describe("the simulated Scheduler's queue", () => {
  test("runs beyond Max concurrent reloads wait as Queued, start when a slot frees, and are cancelled after the engine timeout", async () => {
    const s = await started(site(", scheduler: { maxConcurrentEngines: 2, engineTimeout: 10 }", 5), 4);
    await s.clock.runUntil(START + MIN);
    expect([await statusOf(s, 0), await statusOf(s, 1), await statusOf(s, 2), await statusOf(s, 3)]).toEqual([[2], [2], [3], [3]]);
    const view = (await (await fetch(`${s.sim.urls.control}/nodes/Reload01/scheduler`)).json()) as { running: unknown[]; queued: Array<{ taskId: string }> };
    expect(view.running).toHaveLength(2);
    expect(view.queued.map((q) => q.taskId)).toEqual([taskId(2), taskId(3)]);

    // Ten minutes in the queue: cancelled, never started, no retry.
    await s.clock.runUntil(START + 11 * MIN);
    const cancelled = (await results(s)).filter((e) => e.taskID === taskId(2));
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.status).toBe(8);
    expect(cancelled[0]!.startTime.startsWith("1753-01-01")).toBe(true);
    expect(cancelled[0]!.details.map((d) => d.message)).toContain("Changing task state from Queued to FinishedFail");
    expect(cancelled[0]!.details.some((d) => /removed from the queue .*engine timeout \(10 minutes\)/.test(d.message))).toBe(true);
    expect(s.sim.udp.recent().some((d) => d.text.includes("/scheduler-task-failed/") && d.text.includes("Load 2"))).toBe(true);

    // A fifth run queues behind the two running ones and starts when the first ends.
    expect(s.sim.tasks.start(taskId(4)).started).toBe(true);
    await s.clock.runUntil(START + 17 * MIN);
    const fifth = (await results(s)).find((e) => e.taskID === taskId(4))!;
    expect(fifth.status).toBe(2);
    expect(fifth.details.map((d) => d.message)).toContain("Changing task state from Queued to Started");
    expect(Date.parse(fifth.startTime)).toBe(START + 15 * MIN);
    // The fifth took the engine the first freed: never more than the node's 2 at once in its count either.
    const load = (await (await fetch(`${s.sim.urls.control}/nodes/reload01/load?from=${new Date(START).toISOString()}`)).json()) as {
      hours: Array<{ peakRunning: number }>;
    };
    expect(load.hours.map((h) => h.peakRunning)).toEqual([2]);
  });

  test("the node's hours: run-time in progress and waiting, as the simulator counted them", async () => {
    const s = await started(site(", scheduler: { maxConcurrentEngines: 2, engineTimeout: 10 }", 4), 4);
    await s.clock.runUntil(START + 20 * MIN);
    const load = (await (await fetch(`${s.sim.urls.control}/nodes/reload01/load?from=${new Date(START).toISOString()}`)).json()) as {
      hours: Array<{ hour: string; running: number; waiting: number; runningMs: number; waitingMs: number; peakRunning: number; peakWaiting: number }>;
    };
    // Each run is Triggered for one step (2 s) first; two then wait ten minutes and are cancelled, two run 15 minutes.
    expect(load.hours).toEqual([
      {
        hour: new Date(START).toISOString(),
        running: (2 * (15 * MIN - 2_000)) / 3_600_000,
        waiting: (2 * 2_000 + 2 * (2_000 + 10 * MIN)) / 3_600_000,
        runningMs: 2 * (15 * MIN - 2_000),
        waitingMs: 2 * 2_000 + 2 * (2_000 + 10 * MIN),
        peakRunning: 2,
        peakWaiting: 4,
      },
    ]);
  });

  test("QRS serves each node's Scheduler settings; raising the limit starts the waiting runs; a timeout of 0 never cancels", async () => {
    const s = await started(site(", scheduler: { maxConcurrentEngines: 1, engineTimeout: 0 }", 3), 3);
    const qrs = qrsClient(s.sim);
    const services = (await qrs.get("schedulerservice/full")).json<
      Array<{ serverNodeConfiguration: { hostName: string }; settings: { maxConcurrentEngines: number; engineTimeout: number; schedulerServiceType: number } }>
    >();
    expect(
      services.map((x) => [x.serverNodeConfiguration.hostName, x.settings.maxConcurrentEngines, x.settings.engineTimeout, x.settings.schedulerServiceType]),
    ).toEqual([
      ["central.test.example", 4, 30, 2],
      ["reload01.test.example", 1, 0, 1],
    ]);
    expect((await qrs.get(`schedulerservice/count?${f("settings.maxConcurrentEngines eq 1")}`)).json()).toEqual({ value: 1 });
    await s.clock.runUntil(START + 5 * MIN);
    expect([await statusOf(s, 1), await statusOf(s, 2)]).toEqual([[3], [3]]);
    const patched = await fetch(`${s.sim.urls.control}/nodes/Reload01/scheduler`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ maxConcurrentEngines: 3, modifiedBy: "CORP\\admin" }),
    });
    expect(patched.status).toBe(200);
    await s.clock.runUntil(START + 6 * MIN);
    expect([await statusOf(s, 1), await statusOf(s, 2)]).toEqual([[2], [2]]);
    const after = (await qrs.get(`schedulerservice/full?${f("serverNodeConfiguration.hostName eq 'reload01.test.example'")}`)).json<
      Array<{ modifiedByUserName: string; settings: { maxConcurrentEngines: number } }>
    >();
    expect(after.map((x) => [x.modifiedByUserName, x.settings.maxConcurrentEngines])).toEqual([["CORP\\admin", 3]]);
    const bad = await fetch(`${s.sim.urls.control}/nodes/Reload01/scheduler`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ maxConcurrentEngines: 0 }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("maxConcurrentEngines");
  });

  test("by default a node runs four reloads at once and the fifth waits", async () => {
    const s = await started(site("", 5), 5);
    await s.clock.runUntil(START + MIN);
    expect(await Promise.all([0, 1, 2, 3, 4].map((i) => statusOf(s, i)))).toEqual([[2], [2], [2], [2], [3]]);
  });
});
