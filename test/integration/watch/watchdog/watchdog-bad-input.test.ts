// Bad input from QRS or from administrators: custom-property values Steward cannot read, triggers with fields
// missing or an increment option it does not know, a task with no history. Each is one log line naming the task
// (not one per look), listed on GET /v4/watchdog, and never a crash or an alert.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { type Simulator, startSimulator } from "../../../../src/sim";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { simCertDir } from "../../../helpers/sim-certs";

const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: INTERNAL, userId: sa_scheduler, name: sa_scheduler }]
customProperties:
  - { name: StewardMaxDuration, objectTypes: [ReloadTask] }
  - { name: StewardWatch, objectTypes: [ReloadTask] }
apps: [{ name: Extract, owner: INTERNAL\\sa_scheduler }, { name: Fresh, owner: INTERNAL\\sa_scheduler }]
tasks:
  - name: Reload Extract
    type: reload
    app: Extract
    customProperties: { StewardMaxDuration: soon, StewardWatch: maybe }
  - name: Reload Fresh
    type: reload
    app: Fresh
    triggers:
      - { type: schema, name: Hourly, incrementOption: hourly, startDate: "2026-01-01T00:00:00.000", timeZone: UTC }
      - { type: schema, name: Daily at midnight, incrementOption: daily, startDate: "2026-01-01T00:00:00.000", timeZone: UTC }
  - { name: Loop A, type: reload, app: Extract, triggers: [{ type: composite, name: After B, rules: [{ task: Loop B }] }] }
  - { name: Loop B, type: reload, app: Fresh, triggers: [{ type: composite, name: After A, rules: [{ task: Loop A }] }] }
`;

const dir = createTempDir();
let sim: Simulator | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, sim, dir));

test("unreadable settings and triggers are reported once each, naming the task; nothing crashes, nothing is alerted", async () => {
  sim = await startSimulator({
    site: SITE,
    certDir: simCertDir(join(dir.path, "sim-certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    versionPort: 0,
    schedules: false,
  });
  const served = (await (await fetch(`${sim.urls.control}/state`)).json()) as { tasks: Array<{ id: string; name: string }> };
  const extract = served.tasks.find((x) => x.name === "Reload Extract")!;
  // QRS answers schemaevent/full with one trigger of an unknown option, one without a start date, and garbage.
  const triggers = [
    {
      id: "11111111-1111-4111-8111-111111111111",
      name: "Odd",
      enabled: true,
      incrementOption: 7,
      incrementDescription: "0 0 1 0",
      startDate: "2026-01-01T00:00:00.000",
      timeZone: "UTC",
      reloadTask: { id: extract.id, name: extract.name },
    },
    {
      id: "22222222-2222-4222-8222-222222222222",
      name: "No start",
      enabled: true,
      incrementOption: 2,
      incrementDescription: "0 0 1 0",
      reloadTask: { id: extract.id, name: extract.name },
    },
    "not a trigger",
  ];
  await simControl(sim, "POST", "/faults", { target: "qrs", method: "GET", pathContains: "schemaevent/full", status: 200, body: JSON.stringify(triggers) });

  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write: (chunk, _enc, cb) => (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), cb()) });
  t = createTestApp(`${qlikYaml(sim)}watchdog:\n  interval: 1h\n  planRefresh: 1ms\n`, {
    dir: join(dir.path, "steward"),
    log: pino({ level: "info" }, stream),
  });
  const alerts: WatchdogEvent[] = [];
  for (const k of ["task.missed", "task.chain_broken", "task.running_long", "app.stale", "task.on_track"] as const)
    t.app.bus.on(k, (e) => void alerts.push(e as WatchdogEvent));
  await t.app.start();
  for (let i = 0; i < 3; i++) await t.app.watchdog!.look();

  const problems = lines.filter((l) => l.module === "watchdog" && typeof l.problem === "string").map((l) => String(l.problem));
  expect(problems.filter((p) => p.includes('task "Reload Extract": custom property StewardMaxDuration = soon'))).toHaveLength(1);
  expect(problems.filter((p) => p.includes('task "Reload Extract": custom property StewardWatch = maybe'))).toHaveLength(1);
  expect(problems.filter((p) => p.includes('task "Reload Extract"') && p.includes("unknown incrementOption 7"))).toHaveLength(1);
  expect(problems.filter((p) => p.includes('task "Reload Extract"') && p.includes("startDate"))).toHaveLength(1);
  expect(problems.filter((p) => p.includes("schema trigger: field (root)"))).toHaveLength(1);
  // Chains that cannot work, found from the triggers alone (the simulator's own triggers, served as they are).
  await simControl(sim, "DELETE", "/faults");
  await t.app.watchdog!.look();
  await t.app.watchdog!.look();
  const chains = lines.filter((l) => l.module === "watchdog" && typeof l.problem === "string").map((l) => String(l.problem));
  expect(chains.filter((p) => p.includes('tasks "Loop A", "Loop B" wait for one another in a loop'))).toHaveLength(1);
  expect(chains.filter((p) => p.includes('task "Reload Fresh": triggers "Hourly" and "Daily at midnight" fall due at the same time'))).toHaveLength(1);
  const view = (await (await t.request("/v4/watchdog")).json()) as {
    problems: string[];
    lastError?: string;
    tasks: Array<{ name: string; usualMs: number | null; learnsFrom: number | null }>;
  };
  expect(view.lastError).toBeUndefined();
  expect(view.problems).toHaveLength(4); // the two custom properties, the loop, the two triggers at once
  // A task with no history is watched but not judged on its duration yet.
  expect(view.tasks.find((x) => x.name === "Reload Fresh")?.usualMs).toBeNull();
  // The page says how many successful runs that takes (watchdog.runningLong.minRuns), not a count of runs it lacks.
  expect(view.tasks.find((x) => x.name === "Reload Fresh")?.learnsFrom).toBe(5);
  expect(await (await t.request("/ui/watchdog")).text()).toContain("learning: known after 5 successful runs");
  expect(t.app.metrics.render()).toContain('steward_watchdog_looks_total{result="ok"} 5');
  expect(alerts).toEqual([]);
});
