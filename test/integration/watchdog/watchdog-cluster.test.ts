// Two Stewards on one PostgreSQL store watch one site: the watchdog runs under one lease, so a missed start and
// its task.on_track are each announced once for the site, and the Steward that takes over after the leader stops
// neither repeats nor forgets the open condition.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { WATCHDOG_EVENT_KINDS, type WatchdogEvent } from "../../../src/events/types";
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
  const url = await pg.createDatabase("watchdog_cluster");
  sim = await startVirtualSimulator(dir.path, vt, FIVE_MINUTE_SITE);
  for (const name of ["alpha", "beta"]) {
    const t = createTestApp(
      `store:\n  postgres:\n    url: ${url}\n    instanceName: ${name}\n    leaseTtlMs: 60000\n    heartbeatIntervalMs: 30000\n${qlikYaml(sim)}watchdog:\n  interval: 12s\n  grace: 3m\n`,
      { clock: vt.clock, dir: join(dir.path, name) },
    );
    // Every kind: on a loaded machine the paused scheduler lasts long enough in simulated time for an app to go stale
    // too, which is right; each condition must still be announced once for the site.
    for (const k of WATCHDOG_EVENT_KINDS) t.app.bus.on(k, (e) => void events.push({ by: name, e: e as WatchdogEvent }));
    stewards.push(t);
  }
  await Promise.all(stewards.map((s) => s.app.start()));
});

afterAll(async () => {
  for (const s of stewards) await s.close().catch(() => {});
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

test("a missed start is announced once by the site's two Stewards, and its task.on_track once, across a leader change", async () => {
  await waitFor(async () => ((await simControl(sim, "GET", "/executions?limit=50")) as Array<{ status: number }>).filter((e) => e.status === 7).length >= 2, {
    timeoutMs: 30_000,
  });
  await simControl(sim, "POST", "/scheduler/pause");
  await waitFor(() => events.some((x) => x.e.kind === "task.missed"), { timeoutMs: 30_000 });
  const leader = events.find((x) => x.e.kind === "task.missed")!.by;
  // The leader goes; the other Steward takes the lease and must not announce the open condition again.
  await stewards.find((_, i) => ["alpha", "beta"][i] === leader)!.app.stop();
  await Bun.sleep(3_000);
  await simControl(sim, "POST", "/scheduler/resume");
  const key = events.find((x) => x.e.kind === "task.missed")!.e.condition.key;
  await waitFor(() => events.some((x) => x.e.kind === "task.on_track" && x.e.condition.key === key), { timeoutMs: 30_000 });
  await Bun.sleep(1_000);
  expect(events.filter((x) => x.e.kind === "task.missed")).toHaveLength(1);
  const onTrack = events.filter((x) => x.e.kind === "task.on_track" && x.e.condition.key === key);
  expect(onTrack).toHaveLength(1);
  expect(onTrack[0]!.by).not.toBe(leader);
  // Whatever else opened meanwhile (an app stale while the scheduler was paused) was announced once for the site.
  const perCondition = new Map<string, number>();
  for (const x of events) perCondition.set(`${x.e.kind} ${x.e.condition.key}`, (perCondition.get(`${x.e.kind} ${x.e.condition.key}`) ?? 0) + 1);
  expect([...perCondition].filter(([, n]) => n > 1)).toEqual([]);
});
