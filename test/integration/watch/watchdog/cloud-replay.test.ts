// A stepped run replays from its seed: twelve simulated hours of a Qlik Cloud tenant (runs that succeed, runs that
// fail, a task paused for two hours so the watchdog finds missed runs and then sees them back on track) and
// Steward's polls, looks and alerts, run twice with one seed, give the same history of events at the same
// simulated times. The tenant's ids are random (as Qlik's are), so the history names runs by task and time.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { type SteppedCloud, startSteppedCloud } from "../../../helpers/stepped-cloud";
import { createTempDir } from "../../../helpers/temp-dir";
import { simCloudTenantYaml } from "../../../helpers/virtual-clock";

const START = Date.parse("2026-06-10T00:00:00Z");
const HOUR = 3_600_000;
const SEED = 424_242;
const SITE = `
nodes: [{ name: Central, hostName: sense1, central: true }]
users: [{ userDirectory: CORP, userId: anna }]
apps: [{ name: Sales, owner: CORP\\anna }, { name: Stock, owner: CORP\\anna }]
cloud:
  tasks:
    - { name: Sales hourly, app: Sales, recurrence: ["RRULE:FREQ=HOURLY;BYMINUTE=7;BYSECOND=0"] }
    - { name: Stock every 20 minutes, app: Stock, recurrence: ["RRULE:FREQ=MINUTELY;INTERVAL=20;BYSECOND=0"], startDateTime: "2026-06-01T00:00:00", outcome: fail }
`;
const WATCHED = ["task.succeeded", "task.failed", "task.missed", "task.running_long", "task.on_track", "task.recovered"] as const;
const dir = createTempDir();
const runs: Array<{ cloud: SteppedCloud; t: TestApp }> = [];
afterAll(async () => {
  for (const r of runs) {
    await r.t.close();
    await r.cloud.sim.stop();
  }
  dir.remove();
});

/** One run from `SEED`: every event Steward raised, as kind, simulated time, task and what it said. */
async function history(name: string): Promise<string[]> {
  const cloud = await startSteppedCloud(join(dir.path, name), START - 60_000, SITE, { seed: SEED });
  const t = createTestApp(`${simCloudTenantYaml(cloud.sim, "5m")}watchdog:\n  interval: 10m\n`, { clock: cloud.clock, dir: join(dir.path, name, "steward") });
  runs.push({ cloud, t });
  const events: string[] = [];
  const ids = new Map<string, string>();
  // Reload ids are random in the tenant: each is named by the order it first appeared in.
  const plain = (text: string) => text.replace(/\b[0-9a-f]{24}\b/g, (id) => ids.get(id) ?? (ids.set(id, `#${ids.size + 1}`), `#${ids.size}`));
  for (const kind of WATCHED)
    t.app.bus.on(kind, (e) => {
      const x = e as { receivedAt: string; task?: { name: string }; summary?: string; outcome?: string };
      events.push(plain(`${new Date(cloud.clock.now()).toISOString()} ${kind} ${x.task?.name ?? ""} ${x.outcome ?? ""} ${x.summary ?? ""}`));
    });
  await t.app.start();
  const stock = cloud.sim.cloud!.scheduling.tasks.find((x) => x.name === "Stock every 20 minutes")!;
  await cloud.clock.runUntil(START + 4 * HOUR);
  cloud.sim.cloud!.scheduling.update(stock.id, { paused: true });
  await cloud.clock.runUntil(START + 6 * HOUR);
  cloud.sim.cloud!.scheduling.update(stock.id, { paused: false });
  await cloud.clock.runUntil(START + 12 * HOUR);
  return events;
}

test("two stepped runs of a Qlik Cloud tenant and Steward from one seed give the same events at the same simulated times", async () => {
  const a = await history("a");
  // The run did what it should: the hourly and the failing runs announced, the pause found and its end seen.
  const count = (kind: string, task: string) => a.filter((e) => e.includes(` ${kind} ${task} `)).length;
  expect(count("task.succeeded", "Sales (Qlik Cloud reload)")).toBe(12);
  // Every 20 minutes from 00:00, but not the six due while the task was paused (04:20 to 06:00).
  expect(count("task.failed", "Stock (Qlik Cloud reload)")).toBe(36 - 6);
  // One missed start found (the pause) and its end seen; nothing else is missing.
  expect(a.filter((e) => / task\.(missed|on_track|running_long) /.test(e)).map((e) => e.split(" ").slice(0, 2).join(" "))).toEqual([
    "2026-06-10T04:29:00.000Z task.missed",
    "2026-06-10T06:29:00.000Z task.on_track",
  ]);
  const b = await history("b");
  expect(b).toEqual(a);
}, 300_000); // a hang guard only
