// A Steward restarted while a condition is open (SQLite store), on the stepped clock Steward shares with the
// simulator (no wall-clock waits), each event at the look the plan says: the open condition is neither announced
// again nor forgotten, and its task.on_track comes once from the new process's watchdog.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { closeAll, createTestApp, type TestApp } from "../../../helpers/app";
import { simControl } from "../../../helpers/sim-control";
import { type SteppedSite, sendDatagramsTo, startSteppedSite } from "../../../helpers/stepped-site";
import { createTempDir } from "../../../helpers/temp-dir";
import { qlikYaml } from "../../start/scheduler/sim-setup";
import { FIVE_MINUTE_SITE } from "./five-minute-site";

const START = Date.parse("2026-11-23T08:00:30Z");
const MIN = 60_000;

const dir = createTempDir();
let site: SteppedSite | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, site?.sim, dir));

test("after a restart an open missed start is not announced again, and its task.on_track comes once", async () => {
  site = await startSteppedSite(dir.path, START, FIVE_MINUTE_SITE);
  const { sim, clock } = site;
  const run = (ms: number) => clock.runUntil(clock.now() + ms);
  const events: WatchdogEvent[] = [];
  /** Each event as "kind condition hh:mm:ss" (simulated time it was raised), in order. */
  const seen = () => events.map((e) => `${e.kind} ${e.condition.key.split(":")[0]} ${e.receivedAt.slice(11, 19)}`);
  const yaml = `${qlikYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { enabled: false }\n`;
  const start = async () => {
    const app = createTestApp(yaml, { clock, dir: join(dir.path, "steward") });
    for (const k of ["task.missed", "task.on_track"] as const) app.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
    await app.app.start();
    sendDatagramsTo(site!, { host: "127.0.0.1", port: app.app.intake.udp!.address()!.port }, () => app.app.intake.counters.received.get());
    return app;
  };
  const extractRuns = () => [...sim.repo.executions.values()].length;
  t = await start();
  await simControl(sim, "POST", "/scheduler/pause");
  await run(8 * MIN);
  // Paused at 08:00:30: the run due at 08:05 does not start; missed after 3 minutes of grace, at the next look (every
  // 12 s from 08:00:30).
  expect(seen()).toEqual(["task.missed missed 08:08:06"]);
  await t.app.stop();
  t = await start(); // same data directory: the same store
  await run(3 * MIN); // to 08:11:30: looks every 12 s while the task is still missing, the due time of 08:10 passes too
  expect(seen()).toEqual(["task.missed missed 08:08:06"]);
  expect(extractRuns()).toBe(0);
  await simControl(sim, "POST", "/scheduler/resume");
  await run(5 * MIN);
  // Resumed at 08:11:30: the run due at 08:15 starts, seen by the new process's look (every 12 s from its start at 08:08:30).
  expect(extractRuns()).toBe(1);
  expect(seen()).toEqual(["task.missed missed 08:08:06", "task.on_track missed 08:15:06"]);
});
