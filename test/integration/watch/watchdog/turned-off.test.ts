// task.disabled against the simulator on the stepped clock Steward shares with it (no wall-clock waits), on each
// store, each event at the look the plan says: a task
// disabled, its last trigger disabled, a trigger that expired, a deleted upstream task each raise one task.disabled
// naming who and when; a task re-enabled that runs again closes it; a chain running normally raises nothing; a
// restart repeats nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-11-23T08:00:30Z");
const MIN = 60_000;
const every5 = (name: string) =>
  `{ type: schema, name: ${name}, incrementOption: custom, incrementDescription: "5 0 0 0", startDate: "2026-01-01T00:00:00.000", timeZone: UTC }`;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }]
apps:
  - { name: Extract, owner: INTERNAL\\sa_scheduler }
  - { name: Model, owner: INTERNAL\\sa_scheduler }
  - { name: Finance, owner: INTERNAL\\sa_scheduler }
  - { name: HR, owner: INTERNAL\\sa_scheduler }
  - { name: Ops, owner: INTERNAL\\sa_scheduler }
  - { name: Budget, owner: INTERNAL\\sa_scheduler }
  - { name: Budget source, owner: INTERNAL\\sa_scheduler }
  - { name: Seasonal, owner: INTERNAL\\sa_scheduler }
tasks:
  - { name: Reload Seasonal, type: reload, app: Seasonal, durationMs: 20000, triggers: [${every5("Seasonal every 5 minutes")}] }
  - { name: Reload Extract, type: reload, app: Extract, durationMs: 20000, triggers: [${every5("Every 5 minutes")}] }
  - name: Reload Model
    type: reload
    app: Model
    durationMs: 20000
    triggers: [{ type: composite, name: After Extract, rules: [{ task: Reload Extract, state: success }] }]
  - { name: Reload Finance, type: reload, app: Finance, durationMs: 20000, triggers: [${every5("Finance every 5 minutes")}] }
  - { name: Reload HR, type: reload, app: HR, durationMs: 20000, triggers: [${every5("HR every 5 minutes")}] }
  - { name: Reload Ops, type: reload, app: Ops, durationMs: 20000, triggers: [${every5("Ops every 5 minutes")}] }
  - { name: Reload Budget source, type: reload, app: Budget source, durationMs: 20000, triggers: [${every5("Source every 5 minutes")}] }
  - name: Reload Budget
    type: reload
    app: Budget
    durationMs: 20000
    triggers: [{ type: composite, name: After Budget source, rules: [{ task: Reload Budget source, state: success }] }]
`;

for (const backend of ["sqlite", "postgres"] as const)
  describe(`task.disabled on the simulator (stepped clock, ${backend})`, () => {
    const dir = createTempDir();
    let pg: PostgresService | undefined;
    let site: SteppedSite;
    let sim: SteppedSite["sim"];
    let t: TestApp;
    /** Datagrams received by every Steward started so far (the probe of each target compares with it). */
    let receivedEarlier = 0;
    const run = (ms: number) => site.clock.runUntil(site.clock.now() + ms);
    /** Each event as "kind task-or-app hh:mm:ss" (simulated time it was raised), in order. */
    const seen = (from = 0) => events.slice(from).map((x) => `${x.kind} ${x.task?.name ?? x.app?.name} ${x.receivedAt.slice(11, 19)}`);
    let yaml = "";
    const events: WatchdogEvent[] = [];
    const ids: Record<string, string> = {};
    const triggers: Record<string, string> = {};
    const disabled = (task?: string) => events.filter((e) => e.kind === "task.disabled" && (!task || e.task?.name === task));
    const start = async () => {
      const app = createTestApp(yaml, { clock: site.clock, dir: join(dir.path, "steward") });
      for (const k of ["task.missed", "task.chain_broken", "task.running_long", "app.stale", "task.disabled", "task.notice", "task.on_track"] as const)
        app.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
      await app.app.start();
      sendDatagramsTo(site, { host: "127.0.0.1", port: app.app.intake.udp!.address()!.port }, () => receivedEarlier + app.app.intake.counters.received.get());
      return app;
    };

    beforeAll(async () => {
      site = await startSteppedSite(dir.path, START, SITE);
      sim = site.sim;
      for (const task of (await simControl(sim, "GET", "/tasks")) as Array<{ id: string; name: string }>) ids[task.name] = task.id;
      for (const tr of (await simControl(sim, "GET", "/triggers")) as Array<{ id: string; name: string }>) triggers[tr.name] = tr.id;
      let store = "";
      if (backend === "postgres") {
        pg = await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("watchdog_turned_off")}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
      }
      yaml = `${store}${qlikYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { minRuns: 3, factor: 3 }\n  rules:\n    - { taskNames: [Reload Seasonal], disabled: false }\n`;
      t = await start();
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await sim?.stop();
      await pg?.stop();
      dir.remove();
    });

    const successes = (task: string) => [...sim.repo.executions.values()].filter((e) => e.taskId === ids[task] && e.status === 7).length;

    test("a site running to plan, chains included, raises nothing", async () => {
      expect(Object.keys(triggers)).toContain("HR every 5 minutes");
      await run(16 * MIN); // to 08:16:30: runs at 08:05, 08:10, 08:15, each chain ended
      expect([successes("Reload Model"), successes("Reload Budget")]).toEqual([3, 3]);
      expect(events).toEqual([]);
    }, 120_000);

    test("a task disabled: task.disabled once with who and when; its app is still judged; it closes when the task runs again", async () => {
      await simControl(sim, "PATCH", `/tasks/${ids["Reload Seasonal"]}`, { enabled: false, modifiedBy: "CORP\\anna" }); // opted out by a rule
      await simControl(sim, "PATCH", `/tasks/${ids["Reload Finance"]}`, { enabled: false, modifiedBy: "CORP\\anna" });
      await run(MIN);
      // Disabled at 08:16:30, seen at the next look (every 12 s from 08:00:30).
      expect(seen()).toEqual(["task.disabled Reload Finance 08:16:42"]);
      const e = disabled("Reload Finance")[0]!;
      expect(e.data.turnedOff).toBe("task-disabled");
      expect(e.data.changedBy).toBe("CORP\\anna");
      expect(e.data.changedAt).toBe("2026-11-23T08:16:30.000Z");
      expect(e.summary).toContain("was disabled by CORP\\anna");
      const view = (await (await t.request("/v4/watchdog")).json()) as { open: WatchdogEvent[] };
      expect(view.open.some((x) => x.kind === "task.disabled" && x.task?.name === "Reload Finance")).toBe(true);
      const page = await (await t.request("/ui/watchdog")).text();
      expect(page).toContain('data-condition="disabled"');
      expect(page).toContain("turned off");
      // Turned off is not up to date: the app goes stale as its reloads stop. Seasonal's (its task.disabled opted out
      // by a rule) is paged; Finance's is not a second page after task.disabled said its data ages (issue 59), and the
      // watchdog's view says so.
      await run(20 * MIN);
      // Their last runs ended at 08:15:20: stale when the run due at 08:20 would have ended (its usual 20 s) plus
      // the 3-minute grace.
      expect(seen(1)).toEqual(["app.stale Seasonal 08:23:30"]);
      const later = (await (await t.request("/v4/watchdog")).json()) as {
        open: Array<WatchdogEvent & { note?: string }>;
        tasks: Array<{ name: string; staleHeldBack: string | null }>;
      };
      expect(later.tasks.find((x) => x.name === "Reload Finance")?.staleHeldBack).toContain("said the data ages");
      expect(later.open.find((x) => x.kind === "task.disabled")?.note).toBeUndefined();
      expect(disabled("Reload Finance")).toHaveLength(1);
      expect(disabled("Reload Seasonal")).toEqual([]);
      expect(events.filter((x) => x.kind === "task.on_track")).toEqual([]);
      // Re-enabled a simulated minute after a due time that fell while it was off: that due time is not a missed start.
      await site.clock.runUntil(Date.parse("2026-11-23T08:41:00Z"));
      await simControl(sim, "PATCH", `/tasks/${ids["Reload Finance"]}`, { enabled: true, modifiedBy: "CORP\\anna" });
      await run(10 * MIN);
      // Re-enabled at 08:41: the run due at 08:45 closes the condition as it starts; its app's staleness, held back
      // while task.disabled was open and then while the reload ran, never becomes a page: the reload made it fresh.
      expect(seen(2)).toEqual(["task.on_track Reload Finance 08:45:06"]);
      const back = events.find((x) => x.kind === "task.on_track" && x.condition.type === "disabled")!;
      expect(back.data.resolution).toContain("it runs again");
      expect(events.some((x) => x.kind === "app.stale" && x.app?.name === "Finance")).toBe(false);
      expect(events.filter((x) => x.kind === "task.missed")).toEqual([]);
    }, 120_000);

    test("the last trigger disabled: task.disabled; a trigger that expired as set: a task.notice for the report, not a page (issue 64)", async () => {
      await simControl(sim, "PATCH", `/triggers/${triggers["HR every 5 minutes"]}`, { enabled: false, modifiedBy: "CORP\\bob" });
      const end = new Date(site.clock.now() + 7 * 60_000).toISOString().replace("Z", "");
      await simControl(sim, "PATCH", `/triggers/${triggers["Ops every 5 minutes"]}`, { expirationDate: end, modifiedBy: "CORP\\carl" });
      const from = events.length;
      await run(15 * MIN);
      // HR's trigger off at 08:51:00, seen at the next look; Ops's expires at 08:58:00, as its end date said.
      expect(seen(from)).toEqual(["task.disabled Reload HR 08:51:06", "task.notice Reload Ops 08:58:06"]);
      const hr = disabled("Reload HR")[0]!;
      expect([hr.data.turnedOff, hr.data.trigger, hr.data.changedBy]).toEqual(["trigger-disabled", "HR every 5 minutes", "CORP\\bob"]);
      expect(disabled("Reload Ops")).toEqual([]);
      const ops = events.find((x) => x.kind === "task.notice" && x.task?.name === "Reload Ops")!;
      expect([ops.data.turnedOff, ops.data.trigger, ops.condition.type]).toEqual(["trigger-expired", "Ops every 5 minutes", "disabled"]);
      expect(Date.parse(String(ops.data.changedAt))).toBe(Date.parse(`${end}Z`));
      expect(ops.title).toBe("Task schedule ended: Reload Ops");
      expect(ops.summary).toContain("reached its end date");
      // Still known: the morning report lists the open conditions, and GET /v4/watchdog shows it.
      const view = (await (await t.request("/v4/watchdog")).json()) as { open: WatchdogEvent[] };
      expect(view.open.some((x) => x.kind === "task.notice" && x.task?.name === "Reload Ops")).toBe(true);
      expect(events.filter((x) => x.kind === "task.missed")).toEqual([]);
    }, 120_000);

    test("a deleted upstream task: task.disabled for it and for the task that waited for it; a restart repeats nothing", async () => {
      await simControl(sim, "DELETE", `/tasks/${ids["Reload Budget source"]}`);
      const from = events.length;
      await run(2 * MIN);
      expect(seen(from)).toEqual(["task.disabled Reload Budget source 09:06:06", "task.disabled Reload Budget 09:06:06"]);
      const down = disabled("Reload Budget")[0]!;
      expect([down.data.turnedOff, down.data.upstreamTask]).toEqual(["upstream-deleted", "Reload Budget source"]);
      expect(down.summary).toContain("no longer runs");
      expect(disabled("Reload Budget source")[0]!.data.turnedOff).toBe("task-deleted");
      const before = events.length;
      receivedEarlier += t.app.intake.counters.received.get();
      await t.app.stop();
      t = await start(); // same store: what was raised is neither raised again nor forgotten
      await run(2 * MIN);
      expect(events.slice(before).filter((x) => x.kind === "task.disabled")).toEqual([]);
      const view = (await (await t.request("/v4/watchdog")).json()) as { open: WatchdogEvent[] };
      expect(
        view.open
          .filter((x) => x.condition.type === "disabled")
          .map((x) => x.task?.name)
          .sort(),
      ).toEqual(["Reload Budget", "Reload Budget source", "Reload HR", "Reload Ops"]);
      // Deleted on purpose: acknowledged, it closes once with who and why; an unknown key is a 404 naming it.
      const key = `disabled:${ids["Reload Budget source"]!.toLowerCase()}`;
      const post = (path: string, body: unknown) =>
        t.request(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
      const missing = await post("/v4/watchdog/conditions/disabled:nope/acknowledge", {});
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { code: string }).code).toBe("NOT_FOUND");
      const ack = await post(`/v4/watchdog/conditions/${encodeURIComponent(key)}/acknowledge`, { note: "budget moved to the new model" });
      expect(ack.status).toBe(202);
      await run(MIN);
      // Acknowledged at 09:10:06 (after the restart the looks are every 12 s from 09:08:06).
      // HR's app is not paged stale: its only task is off, and task.disabled said so (issue 59).
      expect(seen(before)).toEqual(["task.on_track Reload Budget source 09:10:12"]);
      const closed = events.filter((x) => x.kind === "task.on_track" && x.condition.key === key);
      expect(closed).toHaveLength(1);
      expect(closed[0]!.data.resolution).toContain("budget moved to the new model");
      expect(closed[0]!.data.resolution).toContain("acknowledged by");
    }, 120_000);
  });
