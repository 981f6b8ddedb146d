// The simulated tenant's Scheduling Tasks on a virtual clock: a site file's time-scheduled task runs on its RRULE
// (a `chronos` reload and a task run each time), the list pages with `links.next`, a skipped run does not happen,
// a task added over the control API with a rule the simulator cannot read is served but never run.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createCloudClient } from "../../../src/cloud/cloud-client";
import { type Simulator, startSimulator } from "../../../src/sim";
import { simControl } from "../../helpers/sim-control";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";

const SPEED = 600; // a simulated 10 minutes a real second
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
let sim: Simulator;
let client: ReturnType<typeof createCloudClient>;

beforeAll(async () => {
  sim = await startSimulator({
    site: SITE,
    certDir: join(dir.path, "sim-certs"),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    cloudPort: 0,
    schedules: true,
    virtualClock: { startMs: START, speed: SPEED },
  });
  client = createCloudClient({ url: sim.urls.cloud!, apiKey: sim.cloud!.apiKey, caFile: join(sim.certDir, "root.pem"), baseDir: dir.path });
});
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
  start: { schedule: { recurrence: string[]; timezone: string } };
  lastStartedAt?: string;
};
type Run = { id: string; status: string; startedAt: string; endedAt?: string; reloadId: string; triggeredBy: string };

test("time-scheduled tasks are listed with their schedule and run on it, each run a chronos reload", async () => {
  const { tasks } = await client.listTasks();
  const sales = (tasks as Task[]).find((t) => t.name === "Sales every 5 minutes")!;
  expect(sales.start.schedule).toMatchObject({ recurrence: ["RRULE:FREQ=MINUTELY;INTERVAL=5;BYSECOND=0"], timezone: "Europe/Stockholm" });
  expect(sales.resourceId).toBe(sim.site.apps[0]!.id);
  await waitFor(async () => (await client.taskRuns(sales.id, 10)).length >= 2, { timeoutMs: 20_000 });
  const runs = (await client.taskRuns(sales.id, 10)) as Run[];
  // Newest first, on the 5-minute grid of simulated time.
  expect(Date.parse(runs[0]!.startedAt)).toBeGreaterThan(Date.parse(runs[1]!.startedAt));
  for (const r of runs) expect(new Date(r.startedAt).getUTCMinutes() % 5).toBe(0);
  expect(runs[0]!.triggeredBy).toBe("schedule");
  const reload = sim.cloud!.reloads.find((x) => x.id === runs[1]!.reloadId)!;
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
  await Bun.sleep(1_100); // a simulated 11 minutes: two due times pass
  const during = sim.cloud!.scheduling.runs.filter((r) => r.taskId === sales.id).length;
  expect(during).toBeLessThanOrEqual(before + 1); // at most one that was already starting
  await waitFor(() => sim.cloud!.scheduling.runs.filter((r) => r.taskId === sales.id).length > during, { timeoutMs: 10_000 });
});
