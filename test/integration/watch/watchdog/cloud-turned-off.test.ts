// Qlik Cloud tasks turned off and chained, against the simulated tenant on the stepped clock Steward shares with it
// (no wall-clock waits), on each store, each event at the simulated time the plan says: a chain
// running normally raises nothing; a chained task that did not start after its upstream failed raises
// task.chain_broken; a task disabled by a user and one Qlik disabled after repeated failures raise task.disabled
// (who, or how many failures); a re-enabled task that runs again closes it; a dataset update that started a task
// twice is listed as a problem; a deleted upstream raises task.disabled for the tasks chained on it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { simCloudTenantYaml } from "../../../helpers/virtual-clock";

const START = Date.parse("2026-11-23T08:00:30Z");
const MIN = 60_000;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }, { name: Stock, owner: CORP\\anna }, { name: Model, owner: CORP\\anna }, { name: Alerts, owner: CORP\\anna }, { name: Orders, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Sales every 5 minutes, app: Sales, recurrence: ["RRULE:FREQ=MINUTELY;INTERVAL=5;BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-01T00:00:00" }
    - { name: Stock every 5 minutes, app: Stock, recurrence: ["RRULE:FREQ=MINUTELY;INTERVAL=5;BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-01T00:00:00" }
`;

const dir = createTempDir();
let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
  dir.remove();
});

type CloudTask = { id: string; name: string; appId: string; runs: number; enabled: boolean };

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`Qlik Cloud tasks turned off and chained (stepped clock, ${backend})`, () => {
    let cloud: SteppedCloud;
    let sim: SteppedCloud["sim"];
    const run = (ms: number) => cloud.clock.runUntil(cloud.clock.now() + ms);
    /** Each event as "kind task hh:mm:ss" (simulated time it was raised), in order. */
    const seen = (from = 0) => events.slice(from).map((x) => `${x.kind} ${x.task?.name} ${x.receivedAt.slice(11, 19)}`);
    let t: TestApp | undefined;
    const events: WatchdogEvent[] = [];
    const ids: Record<string, string> = {};
    const of = (kind: string, task?: string) => events.filter((e) => e.kind === kind && (!task || e.task?.name === task));
    const tasks = async () => (await simControl(sim, "GET", "/cloud/tasks")) as CloudTask[];
    const runsOf = async (name: string) => (await tasks()).find((x) => x.name === name)?.runs ?? 0;

    beforeAll(async () => {
      let storeYaml = "";
      if (backend === "postgres") {
        pg ??= await startPostgres();
        storeYaml = `store:\n  postgres:\n    url: ${await pg.createDatabase("cloud_turned_off")}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
      }
      cloud = await startSteppedCloud(join(dir.path, backend), START, SITE);
      sim = cloud.sim;
      const apps = Object.fromEntries(((await simControl(sim, "GET", "/apps")) as Array<{ id: string; name: string }>).map((a) => [a.name, a.id]));
      for (const x of await tasks()) ids[x.name] = x.id;
      const add = async (name: string, app: string, trigger: unknown) =>
        (ids[name] = ((await simControl(sim, "POST", "/cloud/tasks", { name, appId: apps[app], trigger })) as CloudTask).id);
      await add("Model after Sales", "Model", { type: "task", upstreamId: ids["Sales every 5 minutes"], on: "succeeded" });
      await add("Alert when Sales fails", "Alerts", { type: "task", upstreamId: ids["Sales every 5 minutes"], on: "failed" });
      await add("Orders on dataset", "Orders", { type: "dataset", datasetId: "ds-orders" });
      t = createTestApp(`${storeYaml}${simCloudTenantYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { enabled: false }\n`, {
        clock: cloud.clock,
        dir: join(dir.path, `${backend}-steward`),
      });
      for (const k of ["task.missed", "task.chain_broken", "task.running_long", "task.disabled", "task.on_track"] as const)
        t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
      await t.app.start();
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await sim?.stop();
    });
    const view = async () => (await (await t!.request("/v4/watchdog")).json()) as { problems: string[]; open: WatchdogEvent[] };

    test("a chain running normally and one dataset update raise nothing", async () => {
      await simControl(sim, "POST", "/cloud/datasets/ds-orders/updated", { starts: 1 });
      await run(11 * MIN);
      expect(await runsOf("Model after Sales")).toBe(2);
      expect(await runsOf("Orders on dataset")).toBe(1);
      expect(events).toEqual([]);
      expect((await view()).problems.filter((p) => p.includes("Orders on dataset"))).toEqual([]);
    }, 60_000);

    test("the upstream fails and the task chained on its failure does not start: task.chain_broken once, task.on_track when it starts", async () => {
      await simControl(sim, "PATCH", `/cloud/tasks/${ids["Alert when Sales fails"]}`, { paused: true });
      await simControl(sim, "PATCH", `/cloud/tasks/${ids["Sales every 5 minutes"]}`, { outcome: "fail" });
      await run(10 * MIN);
      // Sales fails at 08:15; the task chained on its failure, paused, has not started 3 minutes later.
      expect(seen()).toEqual(["task.chain_broken Alert when Sales fails 08:18:06"]);
      const broken = of("task.chain_broken")[0]!;
      expect(broken.task?.name).toBe("Alert when Sales fails");
      expect(broken.data).toMatchObject({ upstreamTask: "Sales every 5 minutes", upstreamOutcome: "failure", source: "cloud", condition: "chain_broken" });
      await simControl(sim, "PATCH", `/cloud/tasks/${ids["Alert when Sales fails"]}`, { paused: false });
      await run(5 * MIN);
      // Unpaused at 08:21:30: it starts after Sales fails again at 08:25.
      expect(seen(1)).toEqual(["task.on_track Alert when Sales fails 08:25:06"]);
      await simControl(sim, "PATCH", `/cloud/tasks/${ids["Sales every 5 minutes"]}`, { outcome: "succeed" });
      const modelRuns = await runsOf("Model after Sales");
      await run(6 * MIN);
      expect(await runsOf("Model after Sales")).toBe(modelRuns + 1);
      // The task waiting for success is not "broken" when its upstream failed.
      expect(of("task.chain_broken")).toHaveLength(1);
      expect(of("task.chain_broken", "Model after Sales")).toEqual([]);
    }, 90_000);

    test("disabled by a user, then re-enabled: task.disabled with who, task.on_track when it runs again", async () => {
      await simControl(sim, "PATCH", `/cloud/tasks/${ids["Stock every 5 minutes"]}`, { enabled: false, updatedBy: "6571e4a1b2c3d4e5f6a7b8aa" });
      const from = events.length;
      await run(MIN);
      // Disabled at 08:32:30, seen at the next look.
      expect(seen(from)).toEqual(["task.disabled Stock every 5 minutes 08:32:42"]);
      const off = of("task.disabled", "Stock every 5 minutes")[0]!;
      expect(off.data).toMatchObject({ turnedOff: "task-disabled", changedBy: "6571e4a1b2c3d4e5f6a7b8aa", source: "cloud" });
      await run(10 * MIN); // due times pass while it is off: no task.missed
      // Re-enabled a simulated minute after a due time that fell while it was off: that due time is not a missed start.
      await cloud.clock.runUntil(Math.ceil(cloud.clock.now() / (5 * MIN)) * 5 * MIN + MIN);
      await simControl(sim, "PATCH", `/cloud/tasks/${ids["Stock every 5 minutes"]}`, { enabled: true });
      await run(10 * MIN);
      // Re-enabled at 08:46: the run due at 08:50 closes it.
      expect(cloud.clock.now()).toBe(Date.parse("2026-11-23T08:56:00Z"));
      expect(seen(from + 1)).toEqual(["task.on_track Stock every 5 minutes 08:50:06"]);
      expect(of("task.on_track", "Stock every 5 minutes")[0]!.data.resolution).toContain("it runs again");
      expect(of("task.missed")).toEqual([]);
    }, 90_000);

    test("Qlik disables a task after repeated failures: task.disabled says so, with the count", async () => {
      await simControl(sim, "PATCH", "/cloud/settings", { disableAfterFailures: 2 });
      await simControl(sim, "PATCH", `/cloud/tasks/${ids["Stock every 5 minutes"]}`, { outcome: "fail" });
      const from = events.length;
      await run(15 * MIN);
      // Failing from 08:56: the runs of 09:00 and 09:05 fail, and Qlik disables the task after the second.
      expect(seen(from)).toEqual(["task.disabled Stock every 5 minutes 09:05:06"]);
      const e = of("task.disabled", "Stock every 5 minutes")[1]!;
      expect(e.data.turnedOff).toBe("disabled-by-qlik");
      expect(e.data.failures).toBe(2);
      expect(e.data.changedBy).toBeUndefined();
      expect(e.title).toContain("Qlik Cloud disabled a task");
      await simControl(sim, "PATCH", "/cloud/settings", { disableAfterFailures: 0 });
    }, 90_000);

    test("one dataset update that starts a task twice is listed as a problem", async () => {
      await simControl(sim, "POST", "/cloud/datasets/ds-orders/updated", { starts: 2 });
      await run(2 * MIN);
      expect((await view()).problems.filter((p) => p.includes('"Orders on dataset" was started twice'))).toHaveLength(1);
    }, 60_000);

    test("the upstream deleted: task.disabled for each task chained on it", async () => {
      await simControl(sim, "DELETE", `/cloud/tasks/${ids["Sales every 5 minutes"]}`);
      const from = events.length;
      await run(2 * MIN);
      // Deleted at 09:13:00: seen at the next look, for it and both tasks chained on it (in the order of the tenant's
      // random ids).
      expect(seen(from).sort()).toEqual([
        "task.disabled Alert when Sales fails 09:13:06",
        "task.disabled Model after Sales 09:13:06",
        "task.disabled Sales every 5 minutes 09:13:06",
      ]);
      const e = of("task.disabled", "Model after Sales")[0]!;
      expect(e.data).toMatchObject({ turnedOff: "upstream-deleted", upstreamTask: "Sales every 5 minutes" });
      expect(of("task.disabled", "Sales every 5 minutes")[0]!.data.turnedOff).toBe("task-deleted");
      expect(of("task.chain_broken")).toHaveLength(1);
    }, 60_000);
  });
}
