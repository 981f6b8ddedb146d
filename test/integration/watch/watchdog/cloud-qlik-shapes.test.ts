// The simulated tenant answers its Scheduling Tasks in the shape of Qlik's Task type (space, times, owner and
// disabledCode under `metadata`, the last run under `metadata.orchestration`, `start.schedule.recurrence` one RRULE
// string), and the watchdog reads them there, on the stepped clock Steward shares with the tenant: a time-scheduled
// task is watched with `spaces:` set to its space (a missed run is paged), a task without a space is a problem line
// naming metadata.spaceId, and a task Qlik disabled is said to be disabled by Qlik, with Qlik's reason.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCloudTenantYaml } from "../../../helpers/virtual-clock";

const START = Date.parse("2026-11-23T08:00:30Z");
const MIN = 60_000;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }, { name: Stock, owner: CORP\\anna }, { name: Budget, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Sales every 5 minutes, app: Sales, recurrence: ["RRULE:FREQ=MINUTELY;INTERVAL=5;BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-01T00:00:00" }
    - { name: Stock hourly, app: Stock, recurrence: ["RRULE:FREQ=HOURLY;BYMINUTE=40;BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-01T00:00:00" }
    - { name: Budget hourly, app: Budget, recurrence: ["RRULE:FREQ=HOURLY;BYMINUTE=50;BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-01T00:00:00" }
`;

const dir = createTempDir();
afterAll(() => dir.remove());

type SimTask = { id: string; name: string; spaceId: string; runs: number };

describe("Qlik Cloud tasks in Qlik's documented shape (stepped clock)", () => {
  let cloud: SteppedCloud;
  let sim: SteppedCloud["sim"];
  let t: TestApp | undefined;
  const events: WatchdogEvent[] = [];
  const run = (ms: number) => cloud.clock.runUntil(cloud.clock.now() + ms);
  const tasks = async () => (await simControl(sim, "GET", "/cloud/tasks")) as SimTask[];
  const view = async () => (await (await t!.request("/v4/watchdog")).json()) as { problems: string[]; tasks: Array<{ name: string; watched: boolean }> };

  beforeAll(async () => {
    cloud = await startSteppedCloud(join(dir.path, "sim"), START, SITE);
    sim = cloud.sim;
    const all = await tasks();
    const space = all[0]!.spaceId;
    // The sim's answer is Qlik's shape: the space only under metadata, the recurrence one string.
    const raw = (await (
      await fetch(`${sim.urls.cloud}/api/scheduling/tasks/${all[0]!.id}`, {
        headers: { authorization: `Bearer ${sim.cloud!.apiKey}` },
        tls: { rejectUnauthorized: false },
      })
    ).json()) as { spaceId?: string; metadata: { spaceId: string }; start: { schedule: { recurrence: unknown } } };
    expect(raw.spaceId).toBeUndefined();
    expect(raw.metadata.spaceId).toBe(space);
    expect(typeof raw.start.schedule.recurrence).toBe("string");
    const yaml = simCloudTenantYaml(sim).replace(" }\n", `, spaces: ["${space}"] }\n`);
    t = createTestApp(`${yaml}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { enabled: false }\n`, { clock: cloud.clock, dir: join(dir.path, "steward") });
    for (const k of ["task.missed", "task.on_track", "task.disabled"] as const) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
    await t.app.start();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
  });

  test("with spaces: set to the task's space, a time-scheduled task with a string recurrence is watched and its missed run paged", async () => {
    await run(0);
    const v = await view();
    expect(v.problems).toEqual([]);
    expect(v.tasks.find((x) => x.name.startsWith("Sales every 5 minutes"))?.watched).toBe(true);
    const sales = (await tasks()).find((x) => x.name === "Sales every 5 minutes")!;
    await simControl(sim, "PATCH", `/cloud/tasks/${sales.id}`, { paused: true });
    await run(8 * MIN);
    expect(events.map((e) => `${e.kind} ${e.task?.name}`)).toEqual(["task.missed Sales every 5 minutes"]);
    expect(events[0]!.data.expectedAt).toBe("2026-11-23T08:05:00.000Z");
    await simControl(sim, "PATCH", `/cloud/tasks/${sales.id}`, { paused: false });
    await run(5 * MIN);
  }, 60_000);

  test("a task in a personal space (metadata.spaceId empty) is a problem line naming the field, not dropped in silence", async () => {
    const sales = (await tasks()).find((x) => x.name === "Sales every 5 minutes")!;
    const space = sales.spaceId;
    await simControl(sim, "PATCH", `/cloud/tasks/${sales.id}`, { spaceId: "" });
    await run(MIN);
    const p = (await view()).problems.find((x) => x.includes("metadata.spaceId"));
    expect(p).toContain("Sales every 5 minutes");
    await simControl(sim, "PATCH", `/cloud/tasks/${sales.id}`, { spaceId: space });
    await run(MIN);
    expect((await view()).problems).toEqual([]);
  }, 60_000);

  test("a task Qlik disabled is said to be disabled by Qlik, with the reason Qlik gives", async () => {
    const all = await tasks();
    events.length = 0;
    const stock = all.find((x) => x.name === "Stock hourly")!;
    const budget = all.find((x) => x.name === "Budget hourly")!;
    // No failed runs before: only Qlik's disabledCode can tell who disabled them.
    await simControl(sim, "PATCH", `/cloud/tasks/${stock.id}`, { enabled: false, disabledCode: "CONSECUTIVE-FAILURES", updatedBy: "system" });
    await simControl(sim, "PATCH", `/cloud/tasks/${budget.id}`, { enabled: false, disabledCode: "OWNER-DELETED", updatedBy: "system" });
    await run(MIN);
    const disabled = events.filter((e) => e.kind === "task.disabled");
    expect(disabled.map((e) => e.task?.name).sort()).toEqual(["Budget hourly", "Stock hourly"]);
    const of = (name: string) => disabled.find((e) => e.task?.name === name)!;
    expect(of("Stock hourly").data).toMatchObject({ turnedOff: "disabled-by-qlik", disabledCode: "CONSECUTIVE-FAILURES" });
    expect(of("Stock hourly").summary).toContain("Qlik disabled Stock hourly");
    expect(of("Stock hourly").summary).toContain("consecutive failures");
    expect(of("Budget hourly").summary).toContain("Qlik disabled it because its owner was deleted");
    // Qlik's doing is not shown as a person's change.
    expect(of("Budget hourly").data.changedBy).toBeUndefined();
  }, 60_000);
});
