// The watchdog expects Qlik Cloud runs from the tenant's Scheduling Tasks (a Cloud-only Steward: no qlik: section),
// on SQLite and on PostgreSQL: a time-scheduled task whose run the simulated tenant does not start raises task.missed
// once (with tenant, task, app and space), a restart neither repeats nor forgets it, and the next run closes it with
// task.on_track once. Tasks with a rule or zone Steward cannot read are listed as problems and the others still watched.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { createTestApp, type TestApp } from "../../helpers/app";
import { type PostgresService, startPostgres } from "../../helpers/services";
import { simControl } from "../../helpers/sim-control";
import { createTempDir } from "../../helpers/temp-dir";
import { simCloudTenantYaml, startVirtualSimulator, virtualTime } from "../../helpers/virtual-clock";
import { waitFor } from "../../helpers/wait-for";

const SPEED = 120; // a simulated 2 minutes a real second
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

for (const backend of ["sqlite", "postgres"] as const) {
  describe(`Qlik Cloud scheduled tasks in the watchdog (${backend})`, () => {
    const vt = virtualTime(Date.parse("2026-11-23T08:00:30Z"), SPEED);
    let sim: Simulator;
    let t: TestApp | undefined;
    let storeYaml = "";
    const events: WatchdogEvent[] = [];
    beforeAll(async () => {
      if (backend === "postgres") {
        pg ??= await startPostgres();
        storeYaml = `store:\n  postgres:\n    url: ${await pg.createDatabase("cloud_watchdog")}\n`;
      }
      sim = await startVirtualSimulator(join(dir.path, backend), vt, CLOUD_SITE, { cloud: true });
    });
    afterAll(async () => {
      await t?.close();
      await sim?.stop();
    });
    const start = async () => {
      const yaml = `${storeYaml}${simCloudTenantYaml(sim)}watchdog:
  interval: 12s
  grace: 3m
  stale: { enabled: false }
`;
      const app = createTestApp(yaml, { clock: vt.clock, dir: join(dir.path, `${backend}-steward`) });
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
      await waitFor(async () => (await view()).cloud[0]?.lastLookAt !== undefined, { timeoutMs: 10_000 });
      const v = await view();
      expect(v.enabled).toBe(true);
      expect(v.tasks.find((x) => x.name.startsWith("Sales every 5 minutes"))?.watched).toBe(true);
      expect(v.problems.some((p) => p.includes("Stock odd rule") && p.includes("BYWEEKNO"))).toBe(true);
      expect(v.problems.some((p) => p.includes("Stock odd zone") && p.includes("Europe/Atlantis"))).toBe(true);
      await Bun.sleep(2_000); // a few runs on time: nothing to say
      expect(events).toEqual([]);

      const sales = ((await simControl(sim, "GET", "/cloud/tasks")) as Array<{ id: string; name: string }>).find((x) => x.name === "Sales every 5 minutes")!;
      await simControl(sim, "PATCH", `/cloud/tasks/${sales.id}`, { paused: true });
      await waitFor(() => events.some((e) => e.kind === "task.missed"), { timeoutMs: 30_000 });
      const missed = events.find((e) => e.kind === "task.missed")!;
      expect(missed.task?.name).toBe("Sales every 5 minutes");
      expect(missed.app?.name).toBe("Sales");
      expect(missed.app?.stream).toBe("Finance (Cloud)");
      expect(missed.data).toMatchObject({ source: "cloud", tenant: "corp-cloud", space: "Finance (Cloud)", condition: "missed" });
      expect(String(missed.data.trigger)).toContain("FREQ=MINUTELY;INTERVAL=5");
      expect(new Date(String(missed.data.expectedAt)).getUTCMinutes() % 5).toBe(0);

      await Bun.sleep(1_500); // more due times pass while it is still missing: one condition, one alert
      await t.app.stop();
      t = await start(); // the same store
      await Bun.sleep(1_500);
      expect(events.map((e) => e.kind)).toEqual(["task.missed"]);
      await simControl(sim, "PATCH", `/cloud/tasks/${sales.id}`, { paused: false });
      await waitFor(() => events.some((e) => e.kind === "task.on_track"), { timeoutMs: 30_000 });
      await Bun.sleep(800);
      expect(events.map((e) => `${e.kind} ${e.condition.key}`)).toEqual([
        `task.missed cloud:corp-cloud:missed:${sales.id}`,
        `task.on_track cloud:corp-cloud:missed:${sales.id}`,
      ]);
      expect(events[1]!.data.resolution).toMatch(/^started at/);
    }, 90_000);
  });
}
