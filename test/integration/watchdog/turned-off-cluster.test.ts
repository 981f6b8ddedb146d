// Two Stewards on one PostgreSQL store watch one site: a task disabled is announced once (task.disabled) for the
// site, the Steward that takes the watchdog lease after the leader stops neither repeats it (the snapshot of what
// was seen is shared) nor forgets it, and its task.on_track comes once when the task runs again.
import { afterAll, beforeAll, expect, test } from "bun:test";
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
import { FIVE_MINUTE_SITE } from "./five-minute-site";

const SPEED = 120;
// The cluster's heartbeat runs on the Stewards' clock, here 120 times wall time: 30 simulated seconds are 250 ms. (300
// were 2.5 ms: two Stewards renewing leases back to back starved a loaded machine.) The lease's expiry is the
// database's, in wall time, and a clean stop hands it over at once, so the takeover still comes within a heartbeat.

const dir = createTempDir();
const vt = virtualTime(Date.parse("2026-11-23T08:00:30Z"), SPEED);
let pg: PostgresService;
let sim: Simulator;
const stewards: TestApp[] = [];
const events: Array<{ by: string; e: WatchdogEvent }> = [];

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("watchdog_turned_off_cluster");
  sim = await startVirtualSimulator(dir.path, vt, FIVE_MINUTE_SITE);
  for (const name of ["alpha", "beta"]) {
    const t = createTestApp(
      `store:\n  postgres:\n    url: ${url}\n    instanceName: ${name}\n    leaseTtlMs: 60000\n    heartbeatIntervalMs: 30000\n${qlikYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n  stale: { enabled: false }\n`,
      { clock: vt.clock, dir: join(dir.path, name) },
    );
    for (const k of ["task.disabled", "task.missed", "task.on_track"] as const) t.app.bus.on(k, (e) => void events.push({ by: name, e: e as WatchdogEvent }));
    stewards.push(t);
  }
  await Promise.all(stewards.map((s) => s.app.start()));
}, 60_000);

afterAll(async () => {
  for (const s of stewards) await s.close().catch(() => {});
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

test("a task disabled is announced once by the site's two Stewards, and its task.on_track once, across a leader change", async () => {
  const task = ((await simControl(sim, "GET", "/tasks")) as Array<{ id: string }>)[0]!;
  await waitFor(async () => ((await simControl(sim, "GET", "/executions?limit=50")) as Array<{ status: number }>).filter((e) => e.status === 7).length >= 2, {
    timeoutMs: 30_000,
  });
  await simControl(sim, "PATCH", `/tasks/${task.id}`, { enabled: false, modifiedBy: "CORP\\anna" });
  await waitFor(() => events.some((x) => x.e.kind === "task.disabled"), { timeoutMs: 30_000 });
  const leader = events.find((x) => x.e.kind === "task.disabled")!.by;
  await stewards.find((_, i) => ["alpha", "beta"][i] === leader)!.app.stop();
  await Bun.sleep(3_000); // the other Steward takes the lease and looks several times
  // Re-enabled a simulated minute after a due time that fell while it was off: that due time is not a missed start.
  await waitFor(() => vt.clock.now() % 300_000 >= 45_000 && vt.clock.now() % 300_000 <= 75_000, { timeoutMs: 10_000, intervalMs: 20 });
  await simControl(sim, "PATCH", `/tasks/${task.id}`, { enabled: true, modifiedBy: "CORP\\anna" });
  await waitFor(() => events.some((x) => x.e.kind === "task.on_track"), { timeoutMs: 30_000 });
  await Bun.sleep(1_000);
  expect(events.filter((x) => x.e.kind === "task.disabled")).toHaveLength(1);
  expect(events.filter((x) => x.e.kind === "task.missed")).toEqual([]);
  const onTrack = events.filter((x) => x.e.kind === "task.on_track");
  expect(onTrack).toHaveLength(1);
  expect(onTrack[0]!.by).not.toBe(leader);
  expect(onTrack[0]!.e.condition.type).toBe("disabled");
}, 90_000);
