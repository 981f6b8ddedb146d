// The simulated tenant's Scheduling Tasks on a stepped clock (time moves only when the test runs it, and never
// while a request is on its way): a site file's time-scheduled task runs on its RRULE
// (a `chronos` reload and a task run each time), the list pages with `links.next`, a skipped run does not happen,
// a task added over the control API with a rule the simulator cannot read is served but never run.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createCloudClient } from "../../../src/hear/cloud/cloud-client";
import type { Simulator } from "../../../src/sim";
import { simControl } from "../../helpers/sim-control";
import { type SteppedCloud, startSteppedCloud } from "../../helpers/stepped-cloud";
import { createTempDir } from "../../helpers/temp-dir";

const MINUTE = 60_000;
const START = Date.parse("2026-11-23T07:58:00Z");
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }, { name: Stock, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Sales every 5 minutes, app: Sales, recurrence: ["RRULE:FREQ=MINUTELY;INTERVAL=5;BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-23T00:00:00" }
    - { name: Stock at 6, app: Stock, recurrence: ["RRULE:FREQ=DAILY;BYHOUR=6;BYMINUTE=0;BYSECOND=0"], timezone: Europe/Stockholm, enabled: false }
`;
const dir = createTempDir();
let cloud: SteppedCloud;
let sim: Simulator;
let client: ReturnType<typeof createCloudClient>;

beforeAll(async () => {
  cloud = await startSteppedCloud(dir.path, START, SITE);
  sim = cloud.sim;
  client = createCloudClient({
    url: sim.urls.cloud!,
    apiKey: sim.cloud!.apiKey,
    caFile: join(sim.certDir, "root.pem"),
    baseDir: dir.path,
    clock: cloud.clock,
  });
}, 60_000); // a hang guard only: making certificates on a loaded machine takes a while
afterAll(async () => {
  client?.close();
  await sim?.stop();
  dir.remove();
});

type Task = {
  id: string;
  name: string;
  enabled: boolean;
  resourceId: string;
  start: { schedule: { recurrence: string; timezone: string } };
};
type Run = { id: string; status: string; startedAt: string; endedAt?: string; workerId: string; workerType: string; triggeredBy: string };

test("time-scheduled tasks are listed with their schedule and run on it, each run a chronos reload", async () => {
  const { tasks } = await client.listTasks();
  const sales = (tasks as Task[]).find((t) => t.name === "Sales every 5 minutes")!;
  // Qlik's Task type: one RRULE string (its example "RRULE:FREQ=DAILY;INTERVAL=1").
  expect(sales.start.schedule).toMatchObject({ recurrence: "RRULE:FREQ=MINUTELY;INTERVAL=5;BYSECOND=0", timezone: "Europe/Stockholm" });
  expect(sales.resourceId).toBe(sim.site.apps[0]!.id);
  // From 07:58 to 08:12: the runs due at 08:00, 08:05 and 08:10.
  await cloud.clock.runUntil(START + 14 * MINUTE);
  const runs = (await client.taskRuns(sales.id, 10)) as Run[];
  // Newest first, on the 5-minute grid of simulated time.
  expect(runs.map((r) => r.startedAt)).toEqual(["2026-11-23T08:10:00.000Z", "2026-11-23T08:05:00.000Z", "2026-11-23T08:00:00.000Z"]);
  expect(runs[0]!.triggeredBy).toBe("schedule");
  // Qlik's OrchRun: the reload behind a run is its workerId.
  expect(runs[1]!.workerType).toBe("reloads");
  const reload = sim.cloud!.reloads.find((x) => x.id === runs[1]!.workerId)!;
  expect(reload.type).toBe("chronos");
  expect(reload.creationTime).toBe(Date.parse(runs[1]!.startedAt));
  expect(sim.cloud!.scheduling.runs.filter((r) => r.appId === sim.site.apps[1]!.id)).toEqual([]); // disabled: never runs
});

test("paging follows links.next; skipNext makes the next scheduled run not happen; a rule the simulator cannot read never runs", async () => {
  for (let i = 0; i < 3; i++)
    await simControl(sim, "POST", "/cloud/tasks", { name: `Extra ${i}`, appId: sim.site.apps[1]!.id, recurrence: ["RRULE:FREQ=DAILY;BYHOUR=3;BYFOO=1"] });
  const seen: string[] = [];
  let next: string | undefined = `${sim.urls.cloud}/api/scheduling/tasks?limit=2`;
  for (let i = 0; next && i < 10; i++) {
    const page: { tasks: unknown[]; next?: string } = await client.listTasks(next);
    seen.push(...(page.tasks as Task[]).map((t) => t.name));
    next = page.next;
  }
  expect(seen).toHaveLength(5);
  const tasks = (await simControl(sim, "GET", "/cloud/tasks")) as Array<{ id: string; name: string; problem?: string; nextRun: string | null }>;
  expect(tasks.find((t) => t.name === "Extra 0")).toMatchObject({ problem: expect.stringContaining("BYFOO"), nextRun: null });
  const sales = tasks.find((t) => t.name === "Sales every 5 minutes")!;
  const before = sim.cloud!.scheduling.runs.filter((r) => r.taskId === sales.id).length;
  await simControl(sim, "PATCH", `/cloud/tasks/${sales.id}`, { skipNext: 2 });
  // 08:12 to 08:23: the runs due at 08:15 and 08:20 are skipped; the one at 08:25 happens.
  await cloud.clock.runUntil(START + 25 * MINUTE);
  const during = sim.cloud!.scheduling.runs.filter((r) => r.taskId === sales.id).length;
  expect(during).toBe(before);
  await cloud.clock.runUntil(START + 27 * MINUTE);
  const after = sim.cloud!.scheduling.runs.filter((r) => r.taskId === sales.id);
  expect(after.map((r) => new Date(r.startedAt).toISOString()).slice(before)).toEqual(["2026-11-23T08:25:00.000Z"]);
});
