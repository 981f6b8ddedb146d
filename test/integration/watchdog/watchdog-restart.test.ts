// A Steward restarted while a condition is open (SQLite store): the open condition is neither announced again nor
// forgotten, and its task.on_track comes once from the new process's watchdog.
import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { WatchdogEvent } from "../../../src/events/types";
import type { Simulator } from "../../../src/sim";
import { closeAll, createTestApp, type TestApp } from "../../helpers/app";
import { simControl } from "../../helpers/sim-control";
import { createTempDir } from "../../helpers/temp-dir";
import { startVirtualSimulator, virtualTime } from "../../helpers/virtual-clock";
import { waitFor } from "../../helpers/wait-for";
import { qlikYaml } from "../scheduler/sim-setup";
import { FIVE_MINUTE_SITE } from "./five-minute-site";

const SPEED = 120;

const dir = createTempDir();
let sim: Simulator | undefined;
let t: TestApp | undefined;
afterAll(() => closeAll(t, sim, dir));

test("after a restart an open missed start is not announced again, and its task.on_track comes once", async () => {
  const vt = virtualTime(Date.parse("2026-11-23T08:00:30Z"), SPEED);
  sim = await startVirtualSimulator(dir.path, vt, FIVE_MINUTE_SITE);
  const events: WatchdogEvent[] = [];
  const yaml = `${qlikYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { enabled: false }\n`;
  const start = async () => {
    const app = createTestApp(yaml, { clock: vt.clock, dir: join(dir.path, "steward") });
    for (const k of ["task.missed", "task.on_track"] as const) app.app.bus.on(k, (e) => void events.push(e as WatchdogEvent));
    await app.app.start();
    return app;
  };
  t = await start();
  await simControl(sim, "POST", "/scheduler/pause");
  await waitFor(() => events.some((e) => e.kind === "task.missed"), { timeoutMs: 30_000 });
  await t.app.stop();
  t = await start(); // same data directory: the same store
  await Bun.sleep(1_500); // several looks while the task is still missing
  await simControl(sim, "POST", "/scheduler/resume");
  await waitFor(() => events.some((e) => e.kind === "task.on_track"), { timeoutMs: 30_000 });
  await Bun.sleep(500);
  expect(events.map((e) => `${e.kind} ${e.condition.key.split(":")[0]}`)).toEqual(["task.missed missed", "task.on_track missed"]);
});
