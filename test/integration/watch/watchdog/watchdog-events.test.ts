// The watchdog against the simulator on the stepped clock Steward shares with it (no wall-clock waits), on each
// store: each condition is raised once while the world differs from the plan, at the simulated time the plan says,
// and closed by one task.on_track when it is over.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-11-23T08:00:30Z");
const MIN = 60_000;
const LOOK_MS = 12_000;
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

let pg: PostgresService | undefined;
afterAll(async () => {
  await pg?.stop();
});

for (const backend of ["sqlite", "postgres"] as const)
  describe(`watchdog events on the simulator (stepped clock, ${backend})`, () => {
    const dir = createTempDir();
    let site: SteppedSite;
    let t: TestApp;
    const events: WatchdogEvent[] = [];
    const kinds = ["task.missed", "task.retrying", "task.chain_broken", "task.running_long", "app.stale", "task.on_track", "task.notice"] as const;
    const ids: Record<string, string> = {};
    const of = (kind: string, type?: string) => events.filter((e) => e.kind === kind && (!type || e.condition.type === type));
    const label = (e: WatchdogEvent) => `${e.kind} ${e.condition.type} ${e.task?.name ?? e.app?.name}`;
    /**
     * The events since `from` (an index), in order, each raised at the first look at or after its planned instant
     * (looks come every 12 s, their phase set by when Steward started) or, given a window, within it.
     */
    const expectEvents = (from: number, expected: Array<[string, string, number?]>) => {
      const got = events.slice(from);
      expect(got.map(label)).toEqual(expected.map(([l]) => l));
      got.forEach((e, i) => {
        const [, planned, windowMs = LOOK_MS] = expected[i]!;
        const offset = Date.parse(e.receivedAt) - Date.parse(`2026-11-23T${planned}Z`);
        expect({ event: label(e), receivedAt: e.receivedAt, inWindow: offset >= 0 && offset < windowMs }).toEqual({
          event: label(e),
          receivedAt: e.receivedAt,
          inWindow: true,
        });
      });
    };
    const run = (ms: number) => site.clock.runUntil(site.clock.now() + ms);

    beforeAll(async () => {
      site = await startSteppedSite(dir.path, START, SITE);
      const { sim, clock } = site;
      for (const task of (await simControl(sim, "GET", "/tasks")) as Array<{ id: string; name: string }>) ids[task.name] = task.id;
      let store = "";
      if (backend === "postgres") {
        pg ??= await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("watchdog_events")}\n    leaseTtlMs: 180000\n    heartbeatIntervalMs: 60000\n`;
      }
      t = createTestApp(
        `${store}${qlikYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  retrying: true\n  runningLong: { minRuns: 3, floor: 2m }\n  stale: { minRuns: 3, factor: 3 }\n`,
        { clock, dir: join(dir.path, "steward") },
      );
      for (const k of kinds) t.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
      await t.app.start();
      sendDatagramsTo(site, { host: "127.0.0.1", port: t.app.intake.udp!.address()!.port }, () => t.app.intake.counters.received.get());
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await site?.sim.stop();
      dir.remove();
    });

    const successes = (task: string) => [...site.sim.repo.executions.values()].filter((e) => e.taskId === ids[task] && e.status === 7).length;

    test("a site running to plan raises nothing while the watchdog learns", async () => {
      // From 08:00:31 (Steward's start) to 08:31:31: Extract at 08:05 … 08:30, Model after each.
      await run(31 * MIN);
      expect(successes("Reload Extract")).toBe(6);
      expect(successes("Reload Model")).toBe(6);
      expect(events.map(label)).toEqual([]);
      const view = (await (await t.request("/v4/watchdog")).json()) as {
        tasks: Array<{ name: string; usualMs: number | null; nextExpectedAt: string | null }>;
      };
      const extract = view.tasks.find((x) => x.name === "Reload Extract")!;
      expect(extract.usualMs).toBeGreaterThan(20_000);
      expect(extract.nextExpectedAt).toBe("2026-11-23T08:35:00.000Z");
    }, 120_000);

    test("the Scheduler paused: task.missed once (not per due time), naming its app; no app.stale on top; then task.on_track", async () => {
      await simControl(site.sim, "POST", "/scheduler/pause");
      await run(40 * MIN);
      // Due at 08:35, missed after the 3 minutes of grace. Extract's app, and Model's after it in the chain, are past
      // their due times from 08:38:30 and 08:38:50, but the missed start is their cause and its page names Extract's
      // app: one page, not three (the watchdog page says why each app is not paged).
      expectEvents(0, [["task.missed missed Reload Extract", "08:38:00"]]);
      const missed = of("task.missed", "missed");
      expect(missed.map((e) => e.task?.name)).toEqual(["Reload Extract"]);
      expect(missed[0]!.facts.find((f) => f.name === "Trigger")?.value).toBe("Every 5 minutes");
      expect(missed[0]!.summary).toContain("Until it runs, the data of Extract is not renewed");
      // The dashboard lists it under "Needs attention", and the overview counts it.
      const page = await (await t.request("/ui/watchdog")).text();
      const attention = page.slice(page.indexOf('id="needs-attention"'), page.indexOf('id="watched-tasks"'));
      expect(attention).toContain('data-condition="missed"');
      expect(attention).toContain("Reload Extract");
      expect(attention).not.toContain('data-condition="stale"');
      expect(await (await t.request("/ui")).text()).toContain("need attention (watchdog)");
      const view = (await (await t.request("/v4/watchdog")).json()) as { tasks: Array<{ name: string; staleHeldBack: string | null }> };
      const held = (name: string) => view.tasks.find((x) => x.name === name)?.staleHeldBack;
      expect(held("Reload Extract")).toBe('task "Reload Extract" did not start when planned, and task.missed named this app');
      expect(held("Reload Model")).toBe(
        'task "Reload Extract" did not start when planned, and task.missed was paged; this app waits for it, after it in the chain',
      );
      await simControl(site.sim, "POST", "/scheduler/resume");
      await run(15 * MIN);
      // Resumed at 09:11:31: the run due at 09:15 starts (on track), ends at 09:15:30 (Extract fresh), Model after it:
      // neither app is paged stale while the run goes on, nor once it has renewed them.
      expectEvents(1, [["task.on_track missed Reload Extract", "09:15:00"]]);
      expect(of("task.missed", "missed")).toHaveLength(1);
      expect(of("app.stale")).toEqual([]);
      expect(of("task.on_track", "missed")[0]!.summary).toContain("started at");
    }, 120_000);

    test("the downstream node down: task.chain_broken once, task.on_track when the chain runs again", async () => {
      const before = events.length;
      await simControl(site.sim, "POST", "/nodes/Worker/down");
      await run(15 * MIN);
      // Extract ends at 09:30:30; Model, on the node that is down, has not started 3 minutes later. Its app is past its
      // due time 20 s later, but the stopped chain's page names it: no app.stale on top.
      expectEvents(before, [["task.chain_broken chain_broken Reload Model", "09:33:30"]]);
      const broken = of("task.chain_broken")[0]!;
      expect(broken.task?.name).toBe("Reload Model");
      expect(broken.data.upstreamTask).toBe("Reload Extract");
      await simControl(site.sim, "POST", "/nodes/Worker/up");
      await run(15 * MIN);
      // Up at 09:41:31: Model runs after the Extract of 09:45 (ends 09:45:30) and ends some 20 s later.
      expectEvents(before + 1, [["task.on_track chain_broken Reload Model", "09:45:30"]]);
      expect(of("task.on_track", "chain_broken")).toHaveLength(1);
      expect(of("task.chain_broken")).toHaveLength(1);
    }, 120_000);

    test("a hung reload: one task.running_long while it runs (its skipped starts are part of it), one on_track after the abort", async () => {
      const before = events.length;
      await simControl(site.sim, "PATCH", `/tasks/${ids["Reload Extract"]}`, { durationMs: 4 * 3_600_000 });
      await run(15 * MIN);
      // The run of 10:00 hangs: running long past the 2-minute floor; the triggers of 10:05 and 10:10 are skipped, which
      // is part of the running-long condition, not a page of its own (issue 76: one slow run, one page, one recovery).
      // Extract's own app is not paged stale: its run was paged as running long (issue 59); nor is Model's, after it
      // in the chain, while that run goes on (issue 64: the run's end decides).
      expectEvents(before, [["task.running_long running_long Reload Extract", "10:02:00"]]);
      const long = of("task.running_long")[0]!;
      expect(long.task?.name).toBe("Reload Extract");
      expect(Number(long.data.limitMs)).toBeGreaterThanOrEqual(120_000);
      expect(of("task.missed", "skipped")).toHaveLength(0);
      await simControl(site.sim, "PATCH", `/tasks/${ids["Reload Extract"]}`, { durationMs: 30_000 });
      await simControl(site.sim, "POST", `/tasks/${ids["Reload Extract"]}/abort`);
      await run(15 * MIN);
      // Aborted at 10:11:31 (on track within two looks, once the abort has ended the run): one back-on-track ends the
      // running-long condition and the skipped starts with it; when the run of 10:15 ends, the stale apps.
      // Once the run is over, Extract's app, still stale, is paged (the reason to hold it back ended).
      // Model's app, held back while the run after which it reloads was going on, comes first: the look that sees the
      // run over opens it before it announces the run's end.
      expectEvents(before + 1, [
        ["app.stale stale Model", "10:11:31", 2 * LOOK_MS + 5_000],
        ["task.on_track running_long Reload Extract", "10:11:31", 2 * LOOK_MS + 5_000],
        ["app.stale stale Extract", "10:11:31", 2 * LOOK_MS + 5_000],
        ["task.on_track stale Extract", "10:15:30"],
        ["task.on_track stale Model", "10:15:50"],
      ]);
      expect(of("task.running_long")).toHaveLength(1);
      expect(of("task.on_track", "running_long")).toHaveLength(1);
      expect(of("task.on_track", "skipped")).toHaveLength(0);
      expect(of("task.on_track", "running_long")[0]!.summary).toContain("is back on track");
    }, 120_000);

    test("a failed attempt with a retry left: a task.notice, not a page, and no on_track when the run succeeds", async () => {
      const before = events.length;
      await simControl(site.sim, "PATCH", `/tasks/${ids["Reload Extract"]}`, { maxRetries: 1, outcome: { failThenSucceed: 1 } });
      await run(10 * MIN);
      // The run of 10:30 fails after 30 s with a retry left, which succeeds: the outcome is what pages (issue 76).
      expectEvents(before, [["task.notice retrying Reload Extract", "10:30:30"]]);
      expect(of("task.retrying")).toHaveLength(0);
      expect(of("task.notice", "retrying")[0]!.title).toBe("Task is retrying: Reload Extract");
      expect(of("task.on_track", "retrying")).toHaveLength(0);
    }, 120_000);
  });
