// The interleavings of reconcile-datagram-race.test.ts across two Stewards on one PostgreSQL: the node's datagram goes
// to one, reconciliation runs on the other (the leader of the reconcile duty), and the run claim in the store is what
// keeps them from both announcing the run. (PostgreSQL has no overflow: a queued datagram is claimed at once, so the
// run waiting unclaimed has no counterpart here.) A subscriber on one Steward's bus holds that path's announcement.
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, intakeYaml, startHarness, type Harness } from "./harness";

let pg: PostgresService;
let h: Harness | undefined;
let other: TestApp | undefined;
let db = 0;
const opens: Array<() => void> = [];
beforeAll(async () => {
  pg = await startPostgres();
});
afterEach(async () => {
  for (const open of opens.splice(0)) open();
  await other?.close();
  other = undefined;
  await h?.close();
  h = undefined;
});
afterAll(async () => {
  await pg?.stop();
});

const INTAKE = { concurrency: 1, reconcile: { intervalSeconds: 3600, settleSeconds: 0 } };
const storeYaml = (url: string, name: string) =>
  `store:\n  postgres:\n    url: ${url}\n    instanceName: ${name}\n    leaseTtlMs: 3000\n    heartbeatIntervalMs: 300\n`;

interface Pair {
  /** The Steward leading reconciliation, and the one the node's datagrams go to. */
  leader: TestApp;
  hearer: TestApp;
  /** Every event on either Steward's bus. */
  events: TaskEvent[];
}

/** Two Stewards on one new database and one simulator, whose Scheduler sends to the one that does not reconcile. */
async function pair(): Promise<Pair> {
  const url = await pg.createDatabase(`reconcile_race_${++db}`);
  h = await startHarness({ dir: mkdtempSync(join(tmpdir(), "reconcile-race-pg-")), intake: INTAKE, extraYaml: storeYaml(url, "node-a") });
  await h.startPassEnded();
  other = createTestApp(intakeYaml(h.sim, INTAKE, storeYaml(url, "node-b")), { dir: mkdtempSync(join(tmpdir(), "reconcile-race-pg-b-")) });
  const events = h.events;
  other.app.bus.onAny((_kind, payload) => void events.push(payload as TaskEvent));
  await other.app.start();
  const a = h.t;
  const b = other;
  const leader = await waitFor(() => (a.app.cluster.holds("reconcile") ? a : b.app.cluster.holds("reconcile") ? b : undefined), {
    what: "a Steward leading reconciliation",
  });
  const hearer = leader === a ? b : a;
  h.sim.settings.udp.targets = [{ host: "127.0.0.1", port: hearer.app.intake.udp!.address()!.port }];
  return { leader, hearer, events };
}

/** Holds the announcement of `executionId` from `source` on `t`'s bus (emit waits for it) until `release()`. */
function gateOn(t: TestApp, executionId: string, source: "udp" | "reconcile") {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((r) => (arrive = r));
  const opened = new Promise<void>((r) => (release = r));
  opens.push(release);
  const off = t.app.bus.on("task.failed", async (e: TaskEvent) => {
    if (e.executionId !== executionId || e.source !== source) return;
    off();
    arrive();
    await opened;
  });
  return { reached, release };
}

const announcements = (p: Pair, executionId: string) =>
  p.events.filter((e) => e.kind.startsWith("task.") && e.executionId === executionId).map((e) => e.source);

async function settled(t: TestApp): Promise<void> {
  await t.app.intake.processor.marksSettled();
  await t.app.intake.settled();
}

test("PostgreSQL: the datagram reaches one Steward while the other's pass announces the run: a duplicate", { timeout: 90_000 }, async () => {
  const p = await pair();
  const run = h!;
  // Its datagram is lost on the way; the leader's pass finds the run in QRS.
  run.sim.settings.udp.dropNext = 1;
  const real = run.run(IDS.reload, "fail");
  await waitFor(() => !run.sim.tasks.isRunning(IDS.reload) && run.sim.udp.recent().find((d) => d.text.includes(real) && d.dropped), {
    what: "the run's datagram lost",
  });
  const held = gateOn(p.leader, real, "reconcile");
  const pass = p.leader.app.intake.reconciler!.runOnce();
  await held.reached;
  // The datagram reaches the other Steward now (late, or from a second appender): the leader's claim is in the store.
  const datagram = run.sim.udp.recent().find((d) => d.text.includes(real) && d.dropped)!.text;
  const dupes = () => p.hearer.app.intake.counters.deduplicated.get({ source: "udp" });
  const before = dupes();
  p.hearer.app.intake.handleDatagram(Buffer.from(datagram), { address: "127.0.0.1", port: 40_000 });
  await waitFor(() => dupes() === before + 1, { what: "the datagram found the run claimed by the other Steward" });
  held.release();
  expect((await pass)?.emitted).toBe(1);
  await settled(p.leader);
  // Sent again once the leader's mark is committed: still a duplicate.
  p.hearer.app.intake.handleDatagram(Buffer.from(datagram), { address: "127.0.0.1", port: 40_000 });
  await waitFor(() => dupes() === before + 2, { what: "the repeat counted as a duplicate" });
  await settled(p.hearer);
  expect(announcements(p, real)).toEqual(["reconcile"]);
});

test("PostgreSQL: the other Steward's pass while the datagram's announcement is under way skips the run and holds its watermark", {
  timeout: 90_000,
}, async () => {
  const p = await pair();
  const run = h!;
  const real = run.run(IDS.reload, "fail");
  const held = gateOn(p.hearer, real, "udp");
  await held.reached;

  const pass = await p.leader.app.intake.reconciler!.runOnce();
  expect(pass?.emitted).toBe(0);
  expect(pass?.skipped).toBeGreaterThanOrEqual(1);
  const stopTime = Date.parse(p.events.find((e) => e.executionId === real)!.execution!.stopTime!);
  // Held before the run: were the hearing Steward to die now, its claim would run out and a later pass announce it.
  expect(Date.parse(pass!.watermark)).toBeLessThan(stopTime);

  held.release();
  await settled(p.hearer);
  const next = await p.leader.app.intake.reconciler!.runOnce();
  expect(next?.emitted).toBe(0);
  expect(Date.parse(next!.watermark)).toBeGreaterThanOrEqual(stopTime);
  expect(announcements(p, real)).toEqual(["udp"]);
});
