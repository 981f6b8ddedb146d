// The watchdog against the simulator on a virtual clock (2 simulated minutes per real second): each condition is
// raised once while the world differs from the plan, and closed by one task.on_track when it is over, on each store.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { createTestApp, type TestApp } from "../../helpers/app";
import { type PostgresService, startPostgres } from "../../helpers/services";
import { simControl } from "../../helpers/sim-control";
import { createTempDir } from "../../helpers/temp-dir";
import { startVirtualSimulator, virtualTime } from "../../helpers/virtual-clock";
import { waitFor } from "../../helpers/wait-for";
import { qlikYaml } from "../scheduler/sim-setup";

const SPEED = 120;
const SITE = `
nodes:
  - { name: Central, hostName: sense1, central: true }
  - { name: Worker, hostName: sense2 }
users: [{ userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }]
apps:
  - { name: Extract, owner: INTERNAL\\sa_scheduler }
  - { name: Model, owner: INTERNAL\\sa_scheduler }
tasks:
  - name: Reload Extract
    type: reload
    app: Extract
    durationMs: 30000
    triggers:
      - { type: schema, name: Every 5 minutes, incrementOption: custom, incrementDescription: "5 0 0 0", startDate: "2026-01-01T00:00:00.000", timeZone: UTC }
  - name: Reload Model
    type: reload
    app: Model
    node: Worker
    durationMs: 20000
    triggers:
      - { type: composite, name: After Extract, rules: [{ task: Reload Extract, state: success }] }
`;

for (const backend of ["sqlite", "postgres"] as const)
  describe(`watchdog events on the simulator (virtual clock, ${backend})`, () => {
    const dir = createTempDir();
    let pg: PostgresService | undefined;
    const vt = virtualTime(Date.parse("2026-11-23T08:00:30Z"), SPEED);
    let sim: Simulator;
    let t: TestApp;
    const events: WatchdogEvent[] = [];
    const kinds = ["task.missed", "task.retrying", "task.chain_broken", "task.running_long", "app.stale", "task.on_track"] as const;
    const ids: Record<string, string> = {};
    const of = (kind: string, type?: string) => events.filter((e) => e.kind === kind && (!type || e.condition.type === type));

    beforeAll(async () => {
      sim = await startVirtualSimulator(dir.path, vt, SITE);
      for (const task of (await simControl(sim, "GET", "/tasks")) as Array<{ id: string; name: string }>) ids[task.name] = task.id;
      let store = "";
      if (backend === "postgres") {
        pg = await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("watchdog_events")}\n`;
      }
      t = createTestApp(
        `${store}${qlikYaml(sim)}watchdog:\n  interval: 100ms\n  grace: 3m\n  retrying: true\n  runningLong: { minRuns: 3, floor: 2m }\n  stale: { minRuns: 3, factor: 3 }\n`,
        { clock: vt.clock, dir: join(dir.path, "steward") },
      );
      for (const k of kinds) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
      await t.app.start();
    });
    afterAll(async () => {
      await t?.close();
      await sim?.stop();
      await pg?.stop();
      dir.remove();
    });

    const successes = async (task: string) =>
      ((await simControl(sim, "GET", `/executions?taskId=${ids[task]}&limit=200`)) as Array<{ status: number }>).filter((e) => e.status === 7).length;

    test("a site running to plan raises nothing while the watchdog learns", async () => {
      await waitFor(async () => (await successes("Reload Extract")) >= 4 && (await successes("Reload Model")) >= 3, { timeoutMs: 30_000 });
      expect(events).toEqual([]);
      const view = (await (await t.request("/v4/watchdog")).json()) as {
        tasks: Array<{ name: string; usualMs: number | null; nextExpectedAt: string | null }>;
      };
      const extract = view.tasks.find((x) => x.name === "Reload Extract")!;
      expect(extract.usualMs).toBeGreaterThan(20_000);
      expect(Date.parse(extract.nextExpectedAt!)).toBeGreaterThan(vt.clock.now() - 1_000);
    });

    test("the Scheduler paused: task.missed once (not per due time), app.stale once per app, then task.on_track for each", async () => {
      await simControl(sim, "POST", "/scheduler/pause");
      await waitFor(() => of("task.missed", "missed").length >= 1 && of("app.stale").length >= 2, { timeoutMs: 30_000 });
      const missed = of("task.missed", "missed");
      expect(missed.map((e) => e.task?.name)).toEqual(["Reload Extract"]);
      expect(missed[0]!.facts.find((f) => f.name === "Trigger")?.value).toBe("Every 5 minutes");
      // The dashboard lists them under "Needs attention", and the overview counts them.
      const page = await (await t.request("/ui/watchdog")).text();
      const attention = page.slice(page.indexOf('id="needs-attention"'), page.indexOf('id="watched-tasks"'));
      expect(attention).toContain('data-condition="missed"');
      expect(attention).toContain("Reload Extract");
      expect(attention).toContain('data-condition="stale"');
      expect(await (await t.request("/ui")).text()).toContain("need attention (watchdog)");
      await simControl(sim, "POST", "/scheduler/resume");
      await waitFor(() => of("task.on_track").filter((e) => e.condition.type === "missed" || e.condition.type === "stale").length >= 3, { timeoutMs: 30_000 });
      expect(of("task.missed", "missed")).toHaveLength(1);
      expect(
        of("app.stale")
          .map((e) => e.app?.name)
          .sort(),
      ).toEqual(["Extract", "Model"]);
      expect(of("task.on_track", "missed")[0]!.summary).toContain("started at");
    });

    test("the downstream node down: task.chain_broken once, task.on_track when the chain runs again", async () => {
      await simControl(sim, "POST", "/nodes/Worker/down");
      await waitFor(() => of("task.chain_broken").length >= 1, { timeoutMs: 30_000 });
      const broken = of("task.chain_broken")[0]!;
      expect(broken.task?.name).toBe("Reload Model");
      expect(broken.data.upstreamTask).toBe("Reload Extract");
      await simControl(sim, "POST", "/nodes/Worker/up");
      await waitFor(() => of("task.on_track", "chain_broken").length >= 1, { timeoutMs: 30_000 });
      expect(of("task.chain_broken")).toHaveLength(1);
    });

    test("a hung reload: task.running_long while it runs, its skipped trigger as task.missed, on_track after the abort", async () => {
      await simControl(sim, "PATCH", `/tasks/${ids["Reload Extract"]}`, { durationMs: 4 * 3_600_000 });
      await waitFor(() => of("task.running_long").length >= 1 && of("task.missed", "skipped").length >= 1, { timeoutMs: 30_000 });
      const long = of("task.running_long")[0]!;
      expect(long.task?.name).toBe("Reload Extract");
      expect(Number(long.data.limitMs)).toBeGreaterThanOrEqual(120_000);
      await simControl(sim, "PATCH", `/tasks/${ids["Reload Extract"]}`, { durationMs: 30_000 });
      await simControl(sim, "POST", `/tasks/${ids["Reload Extract"]}/abort`);
      await waitFor(() => of("task.on_track", "running_long").length >= 1, { timeoutMs: 30_000 });
      expect(of("task.running_long")).toHaveLength(1);
      expect(of("task.on_track", "running_long")[0]!.summary).toContain("is back on track");
    });

    test("a failed attempt with a retry left: task.retrying, then task.on_track when the run succeeds", async () => {
      await simControl(sim, "PATCH", `/tasks/${ids["Reload Extract"]}`, { maxRetries: 1, outcome: { failThenSucceed: 1 } });
      await waitFor(() => of("task.on_track", "retrying").length >= 1, { timeoutMs: 30_000 });
      expect(of("task.retrying").map((e) => e.task?.name)).toEqual(["Reload Extract"]);
      expect(of("task.on_track", "retrying")[0]!.data.resolution).toContain("succeeded");
    });
  });
