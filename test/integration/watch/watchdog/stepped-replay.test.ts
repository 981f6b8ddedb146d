// Replay: one simulated day of the default site with Steward on the stepped clock, run twice, gives the same events
// at the same simulated times (the runs Steward reported, the watchdog's conclusions), however loaded the machine.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { type SteppedSite, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";

const START = Date.parse("2026-03-24T00:00:00Z");
const DAY_MS = 86_400_000;
const dir = createTempDir();
const open: Array<{ t: TestApp; site: SteppedSite }> = [];
afterAll(async () => {
  for (const o of open) await closeAll(o.t, o.site.sim, { path: "", remove: () => {} });
  dir.remove();
});

async function day(name: string): Promise<string[]> {
  const site = await startSteppedSite(join(dir.path, name), START);
  // The node rule reads QRS's service states every ten minutes, not every 30 s: every node stays up, so its reads raise
  // nothing to compare, and at 30 s they were over a third of the day's CPU (the rich site's replay reads them every 2).
  const t = createTestApp(`${qlikYaml(site.sim)}watchdog:\n  interval: 30m\ngrouping: { nodeDown: { unreachable: { interval: 10m } } }\n`, {
    clock: site.clock,
    dir: join(dir.path, name, "steward"),
  });
  open.push({ t, site });
  const events: string[] = [];
  t.app.bus.onAny((kind, payload) => {
    const e = payload as { task?: { name?: string }; summary?: string };
    events.push(`${new Date(site.clock.now()).toISOString()} ${kind} ${e.task?.name ?? e.summary ?? ""}`);
  });
  const starting = t.app.start();
  await site.clock.runUntil(START);
  await starting;
  await site.clock.runUntil(START + DAY_MS);
  return events;
}

test("two runs of a simulated day give identical events", async () => {
  const a = await day("a");
  expect(a.filter((e) => e.includes("task.succeeded")).length).toBeGreaterThan(100);
  expect(await day("b")).toEqual(a);
}, 300_000);
