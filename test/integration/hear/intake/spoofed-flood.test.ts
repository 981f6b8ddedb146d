// Issue 86, point 1: a flood that spoofs a node's address fills that address's share of the overflow, and the node's
// own failure, sent by the simulator's Scheduler from the same address, is dropped with the forged runs. A drop asks
// QRS at once (drop-look.ts), so the real failure is announced from QRS's record while the flood goes on, not at the
// next reconciliation (an hour away here).
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forgedFailureDatagram } from "../../../../scripts/forged-datagrams";
import { sniffSchedulerOutcome } from "../../../../src/hear/intake/datagram-parser";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, startHarness, type Harness } from "./harness";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The address the simulator's Scheduler sends from: the forger spoofs it. */
const NODE = { address: "127.0.0.1", port: 40_000 };

test("a real failure behind a flood spoofing its node's address is announced from QRS while the flood goes on", { timeout: 120_000 }, async () => {
  h = await startHarness({
    dir: mkdtempSync(join(tmpdir(), "spoofed-flood-")),
    // Reconciliation once an hour: only the look after the drops can find the run in time.
    intake: {
      queueSize: 5,
      concurrency: 1,
      overflowMaxBytes: 65_536,
      overflowMaxBytesPerSource: 16_384,
      reconcile: { intervalSeconds: 3600, settleSeconds: 60 },
    },
  });
  await h.startPassEnded();
  // QRS answers task reads slowly, as a site under load does: the worker cannot keep up with the flood, whose queue and
  // share of the overflow stay full (the forged task ids each cost a task read).
  h.sim.faults.add({ target: "qrs", pathContains: "task", delayMs: 300 }, Date.now());
  const { intake } = h.t.app;
  let seq = 0;
  const flood = () => {
    // Forgeries the size of a Scheduler line: padded ones would wait in the address's own share only, and leave the
    // node's real failure the room a source alone may borrow (overflow-bounds.test.ts); these fill that room too.
    for (let i = 0; i < 200; i++) intake.handleDatagram(forgedFailureDatagram(seq++, 86, 600), NODE);
  };
  flood();
  await waitFor(async () => (await h!.metric("steward_intake_dropped_total", { reason: "source_full" })) > 0, { what: "the spoofed address's share full" });
  // The flood goes on while the node's task fails and after: every datagram from that address is refused.
  const timer = setInterval(flood, 20);
  let real = "";
  try {
    const droppedBefore = await h.metric("steward_intake_dropped_total", { reason: "source_full" });
    // The node's failure reaches Steward among the flood's datagrams, each one handed over right after a burst (in the
    // same turn of the event loop), so it surely finds the address's share full. Sent by the simulator over UDP, it
    // could come just after a refill made room for one run (on a loaded machine the bursts come late): it would then
    // be queued and announced from the datagram, as it should, and this test would not see the look at work.
    h.sim.settings.udp.targets = [];
    real = h.run(IDS.reload, "fail");
    const failure = await waitFor(
      () => {
        const sent = h!.sim.udp.recent().filter((d) => d.text.includes(real) && sniffSchedulerOutcome(Buffer.from(d.text)) === "failed");
        return sent.length > 0 && !h!.sim.tasks.isRunning(IDS.reload) && sent;
      },
      { what: "the node's failure datagram" },
    );
    for (const d of failure) {
      const dropped = () => intake.counters.dropped.get({ reason: "source_full", outcome: "failed" });
      flood();
      const before = dropped();
      intake.handleDatagram(Buffer.from(d.text), NODE);
      expect(dropped()).toBe(before + 1);
    }
    await waitFor(async () => (await h!.metric("steward_intake_dropped_total", { reason: "source_full" })) > droppedBefore + 400, {
      what: "more of the flood dropped",
    });
    const event = await h.eventFor(real, 30_000);
    expect(event).toMatchObject({ kind: "task.failed", source: "reconcile" });
    expect(event.task.id).toBe(IDS.reload);
    expect(intake.dropLook!.stats.looks).toBeGreaterThanOrEqual(1);
    // Bounded: one look every few seconds however many datagrams were dropped.
    expect(intake.dropLook!.stats.looks).toBeLessThan(intake.dropLook!.stats.asked / 100);
  } finally {
    clearInterval(timer);
  }
  // The real run was announced once.
  expect(h.events.filter((e) => e.kind.startsWith("task.") && e.executionId === real)).toHaveLength(1);
  // The forged runs QRS was asked about and does not know were never announced.
  await waitFor(async () => (await h!.metric("steward_intake_unconfirmed_total", { qrs: "denied", action: "dropped" })) > 0, {
    what: "a forged run QRS denied",
  });
  const forged = h.events.filter((e) => e.kind.startsWith("task.") && e.executionId !== real);
  expect(forged.filter((e) => e.unconfirmed?.qrs !== "unavailable")).toEqual([]);
  // A forged run whose task read got no answer within lookupTimeoutMs (300 ms of delay, on a loaded machine) cannot be
  // told from a real one: it is announced marked unconfirmed (intake.confirm.alertUnconfirmed: qrsUnavailable, the
  // default; docs/security.md), within the page budget of unconfirmed failures (60 an hour).
  expect(forged.length).toBeLessThanOrEqual(60);
  expect(forged.length).toBeLessThanOrEqual(await h.metric("steward_intake_unconfirmed_total", { qrs: "unavailable", action: "emitted" }));
});
