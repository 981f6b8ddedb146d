// A run heard twice, from its datagram and from QRS by a reconciliation pass (the drop look's short pass, or the
// regular one), is announced once whichever path comes first. Each interleaving is driven, not left to timing: a
// subscriber on the bus holds one path's announcement (emit waits for every subscriber) while the other one runs.
// - The pass first, while the datagram waits in the overflow (not reserved there; the worker is held by a slow QRS
//   read instead): the datagram is a duplicate when the refill takes it.
// - The pass's announcement held while the datagram arrives: the datagram is a duplicate at once.
// - The datagram's announcement held while a pass runs: the pass skips the run and holds its watermark there; the
//   next pass finds it announced.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "./harness";

let h: Harness | undefined;
/** The gates of the test, opened when it ends (a failed assertion must not leave a worker held). */
const opens: Array<() => void> = [];
afterEach(async () => {
  for (const open of opens.splice(0)) open();
  await h?.close();
  h = undefined;
});

async function start(intake: Record<string, unknown> = {}): Promise<Harness> {
  const harness = await startHarness({
    dir: mkdtempSync(join(tmpdir(), "reconcile-race-")),
    intake: { concurrency: 1, reconcile: { intervalSeconds: 3600, settleSeconds: 0 }, ...intake },
  });
  await harness.startPassEnded();
  return harness;
}

/** Holds the announcement of `executionId` from `source` at the bus (emit waits for it) until `release()`. */
function gateOn(harness: Harness, executionId: string, source: "udp" | "reconcile") {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((r) => (arrive = r));
  const opened = new Promise<void>((r) => (release = r));
  opens.push(release);
  const off = harness.t.app.bus.on("task.failed", async (e: TaskEvent) => {
    if (e.executionId !== executionId || e.source !== source) return;
    off();
    arrive();
    await opened;
  });
  return { reached, release };
}

const announcements = (harness: Harness, executionId: string) =>
  harness.events.filter((e) => e.kind.startsWith("task.") && e.executionId === executionId).map((e) => e.source);

/** Waits until nothing is queued, waiting in the overflow, in flight or being marked. */
async function drained(harness: Harness, timeoutMs?: number): Promise<void> {
  const { intake } = harness.t.app;
  await waitFor(
    async () =>
      (await harness.metric("steward_intake_queue_depth")) +
        (await harness.metric("steward_intake_overflow_depth")) +
        (await harness.metric("steward_intake_in_flight")) ===
      0,
    { what: "the intake drained", timeoutMs },
  );
  await intake.processor.marksSettled();
  await intake.settled();
}

test("the pass announces a run whose datagram waits in the overflow: the datagram is a duplicate when it is taken", { timeout: 120_000 }, async () => {
  h = await start({ queueSize: 1, enrichment: { lookupTimeoutMs: 60_000 } });
  const { intake } = h.t.app;
  // The one worker is held in a first failure's enrichment: QRS holds its reads until the test lets them go (a worker
  // hands an enriched run on to be announced and takes the next, so a held announcement no longer holds it; the lookup
  // time is raised so the enrichment waits). A second failure fills the queue, and the real run's datagram waits in the
  // overflow. (Held by a 30 s delay before, the file waited those 30 s out each run.)
  const hold = h.sim.faults.add({ target: "qrs", pathContains: "task/full", delayMs: 300_000 }, Date.now());
  opens.push(() => h?.sim.faults.release(hold.id));
  const first = h.run(IDS.externalProgram, "fail");
  await waitFor(() => hold.hits > 0, { what: "the first failure's QRS read held" });
  const second = h.run(IDS.userSync, "fail");
  await waitFor(() => intake.processor.inFlight(second), { what: "the second failure queued" });
  const real = h.run(IDS.reload, "fail");
  await waitFor(async () => (await h!.metric("steward_intake_overflowed_total")) === 1, { what: "the real run's datagram in the overflow" });
  expect(intake.processor.inFlight(real)).toBe(false);
  // The reads held stay held; the pass's own are answered at once.
  h.sim.faults.remove(hold.id);

  // The datagram may be found a duplicate as soon as the pass has claimed the run (the overflow's refill looks) or
  // once the worker is free: counted once either way.
  const duplicatesBefore = await h.metric("steward_intake_deduplicated_total", { source: "udp" });
  const passing = intake.reconciler!.runOnce();
  // Once the pass has taken the run (its reads then wait behind the held one), the held read is answered: the worker
  // goes on while the pass announces the run.
  await waitFor(() => intake.processor.inFlight(real), { what: "the pass to take the real run" });
  h.sim.faults.release(hold.id);
  const pass = await passing;
  expect(pass?.emitted).toBe(1);
  expect(announcements(h, real)).toEqual(["reconcile"]);

  await drained(h, 60_000);
  expect(await h.metric("steward_intake_deduplicated_total", { source: "udp" })).toBe(duplicatesBefore + 1);
  expect(announcements(h, real)).toEqual(["reconcile"]);
  expect(announcements(h, first)).toEqual(["udp"]);
  expect(announcements(h, second)).toEqual(["udp"]);
  // And a later pass finds every run announced.
  expect((await intake.reconciler!.runOnce())?.emitted).toBe(0);
  expect(announcements(h, real)).toEqual(["reconcile"]);
});

test("the datagram arrives while the pass announces the run: it is a duplicate at once", { timeout: 60_000 }, async () => {
  h = await start();
  const { intake } = h.t.app;
  // Its datagram is lost on the way; the pass finds the run in QRS.
  h.sim.settings.udp.dropNext = 1;
  const real = h.run(IDS.reload, "fail");
  await waitFor(() => !h!.sim.tasks.isRunning(IDS.reload) && h!.sim.udp.recent().find((d) => d.text.includes(real) && d.dropped), {
    what: "the run's datagram lost",
  });
  const held = gateOn(h, real, "reconcile");
  const pass = intake.reconciler!.runOnce();
  await held.reached;
  // The datagram comes now (as it would from a second appender, or late): the Scheduler's own text.
  const datagram = h.sim.udp.recent().find((d) => d.text.includes(real) && d.dropped)!.text;
  const duplicatesBefore = await h.metric("steward_intake_deduplicated_total", { source: "udp" });
  intake.handleDatagram(Buffer.from(datagram), { address: "127.0.0.1", port: 40_000 });
  expect(await h.metric("steward_intake_deduplicated_total", { source: "udp" })).toBe(duplicatesBefore + 1);
  held.release();
  expect((await pass)?.emitted).toBe(1);
  await drained(h);
  // Sent again after the pass's mark: still a duplicate.
  intake.handleDatagram(Buffer.from(datagram), { address: "127.0.0.1", port: 40_000 });
  await waitFor(async () => (await h!.metric("steward_intake_deduplicated_total", { source: "udp" })) === duplicatesBefore + 2, {
    what: "the repeat counted as a duplicate",
  });
  await drained(h);
  expect(announcements(h, real)).toEqual(["reconcile"]);
});

test("a pass while the datagram's announcement is under way skips the run and holds its watermark; the next pass finds it announced", {
  timeout: 60_000,
}, async () => {
  h = await start();
  const { intake } = h.t.app;
  const real = h.run(IDS.reload, "fail");
  const held = gateOn(h, real, "udp");
  await held.reached;

  const pass = await intake.reconciler!.runOnce();
  expect(pass?.emitted).toBe(0);
  expect(pass?.skipped).toBeGreaterThanOrEqual(1);
  const execution = h.events.find((e) => e.executionId === real)!.execution!;
  // Held before the run: were this Steward to die now, the next pass would still find it.
  expect(Date.parse(pass!.watermark)).toBeLessThan(Date.parse(execution.stopTime!));

  held.release();
  await drained(h);
  const next = await intake.reconciler!.runOnce();
  expect(next?.emitted).toBe(0);
  expect(Date.parse(next!.watermark)).toBeGreaterThanOrEqual(Date.parse(execution.stopTime!));
  expect(announcements(h, real)).toEqual(["udp"]);
});
