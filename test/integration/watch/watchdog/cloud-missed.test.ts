// The watchdog expects Qlik Cloud runs from the tenant's Scheduling Tasks (a Cloud-only Steward: no qlik: section),
// on SQLite and on PostgreSQL, on the stepped clock Steward shares with the simulated tenant (no wall-clock waits),
// each event at the simulated time the plan says: a time-scheduled task whose run the tenant does not start raises
// task.missed once (with tenant, task, app and space), a restart neither repeats nor forgets it, and the next run
// closes it with task.on_track once. Tasks with a rule or zone Steward cannot read are listed as problems and the
// others still watched.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCloudTenantYaml } from "../../../helpers/virtual-clock";

const START = Date.parse("2026-11-23T08:00:30Z");
const MIN = 60_000;
export const CLOUD_SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }, { name: Stock, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Sales every 5 minutes, app: Sales, recurrence: ["RRULE:FREQ=MINUTELY;INTERVAL=5;BYSECOND=0"], timezone: Europe/Stockholm, startDateTime: "2026-11-01T00:00:00" }
    - { name: Stock odd rule, app: Stock, recurrence: ["RRULE:FREQ=DAILY;BYHOUR=3;BYWEEKNO=20"], timezone: Europe/Stockholm }
    - { name: Stock odd zone, app: Stock, recurrence: ["RRULE:FREQ=DAILY;BYHOUR=3;BYMINUTE=0;BYSECOND=0"], timezone: Europe/Atlantis }
`;

const dir = createTempDir();
let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
  dir.remove();
});

type CloudTask = { id: string; name: string; runs: number };

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`Qlik Cloud scheduled tasks in the watchdog (stepped clock, ${backend})`, () => {
    let cloud: SteppedCloud;
    let sim: SteppedCloud["sim"];
    let t: TestApp | undefined;
    let storeYaml = "";
    const events: WatchdogEvent[] = [];
    const run = (ms: number) => cloud.clock.runUntil(cloud.clock.now() + ms);
    /** Each event as "kind task hh:mm:ss" (simulated time it was raised), in order. */
    const seen = () => events.map((x) => `${x.kind} ${x.task?.name} ${x.receivedAt.slice(11, 19)}`);
    const salesRuns = async () => ((await simControl(sim, "GET", "/cloud/tasks")) as CloudTask[]).find((x) => x.name === "Sales every 5 minutes")!.runs;
    beforeAll(async () => {
      if (backend === "postgres") {
        pg ??= await startPostgres();
        storeYaml = `store:\n  postgres:\n    url: ${await pg.createDatabase("cloud_watchdog")}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
      }
      cloud = await startSteppedCloud(join(dir.path, backend), START, CLOUD_SITE);
      sim = cloud.sim;
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await sim?.stop();
    });
    const start = async () => {
      const yaml = `${storeYaml}${simCloudTenantYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { enabled: false }\n`;
      const app = createTestApp(yaml, { clock: cloud.clock, dir: join(dir.path, `${backend}-steward`) });
      for (const k of ["task.missed", "task.on_track", "task.running_long"] as const) app.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
      await app.app.start();
      return app;
    };

    test("a suppressed run raises task.missed once, through a restart, and the next run task.on_track once", async () => {
      t = await start();
      const view = async () =>
        (await (await t!.request("/v4/watchdog")).json()) as {
          enabled: boolean;
          problems: string[];
          tasks: Array<{ name: string; watched: boolean }>;
          cloud: Array<{ lastLookAt?: string }>;
        };
      await run(0); // the first look, at Steward's start
      const v = await view();
      expect(v.cloud[0]?.lastLookAt).toBe("2026-11-23T08:00:30.000Z");
      expect(v.enabled).toBe(true);
      expect(v.tasks.find((x) => x.name.startsWith("Sales every 5 minutes"))?.watched).toBe(true);
      expect(v.problems.some((p) => p.includes("Stock odd rule") && p.includes("BYWEEKNO"))).toBe(true);
      expect(v.problems.some((p) => p.includes("Stock odd zone") && p.includes("Europe/Atlantis"))).toBe(true);
      await run(11 * MIN); // to 08:11:30: the runs of 08:05 and 08:10 on time, nothing to say
      expect(await salesRuns()).toBe(2);
      expect(events).toEqual([]);

      const sales = ((await simControl(sim, "GET", "/cloud/tasks")) as CloudTask[]).find((x) => x.name === "Sales every 5 minutes")!;
      await simControl(sim, "PATCH", `/cloud/tasks/${sales.id}`, { paused: true });
      await run(7 * MIN);
      // Paused at 08:11:30: the run due at 08:15 does not start; missed after 3 minutes of grace, at the next look
      // (every 12 s from 08:00:30).
      expect(seen()).toEqual(["task.missed Sales every 5 minutes 08:18:06"]);
      const missed = events[0]!;
      expect(missed.app?.name).toBe("Sales");
      expect(missed.app?.stream).toBe("Finance (Cloud)");
      expect(missed.data).toMatchObject({ source: "cloud", tenant: "corp-cloud", space: "Finance (Cloud)", condition: "missed" });
      expect(String(missed.data.trigger)).toContain("FREQ=MINUTELY;INTERVAL=5");
      expect(missed.data.expectedAt).toBe("2026-11-23T08:15:00.000Z");

      await run(4 * MIN); // to 08:22:30: the due time of 08:20 passes while it is still missing: one condition, one alert
      await t.app.stop();
      t = await start(); // the same store
      await run(3 * MIN); // to 08:25:30: the due time of 08:25 passes too, the new process looks every 12 s
      expect(seen()).toEqual(["task.missed Sales every 5 minutes 08:18:06"]);
      expect(await salesRuns()).toBe(2);
      await simControl(sim, "PATCH", `/cloud/tasks/${sales.id}`, { paused: false });
      await run(6 * MIN);
      // Unpaused at 08:25:30: the run due at 08:30 starts, seen at the next look (every 12 s from the restart at 08:22:30).
      expect(await salesRuns()).toBe(3);
      expect(seen()).toEqual(["task.missed Sales every 5 minutes 08:18:06", "task.on_track Sales every 5 minutes 08:30:06"]);
      expect(events.map((e) => `${e.kind} ${e.condition.key}`)).toEqual([
        `task.missed cloud:corp-cloud:missed:${sales.id}`,
        `task.on_track cloud:corp-cloud:missed:${sales.id}`,
      ]);
      expect(events[1]!.data.resolution).toMatch(/^started at/);
    }, 90_000);
  });
}
