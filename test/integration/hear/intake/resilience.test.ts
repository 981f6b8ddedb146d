// No lost and no doubled task events: duplicates across a restart, a dropped datagram and a run while Steward
// was stopped (both recovered by reconciliation), QRS down (event still emitted, incomplete), distribute polls
// surviving a restart.
import { afterEach, describe, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, sendDatagram, startHarness, type Harness } from "./harness";

let tmp: TempDir | undefined;
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  tmp?.remove();
  h = undefined;
  tmp = undefined;
});

async function harness(intake?: Record<string, unknown>, extraYaml?: string) {
  tmp = createTempDir();
  h = await startHarness({ dir: tmp.path, intake, extraYaml });
  return h;
}

describe("intake resilience", () => {
  test("duplicate datagrams (several appenders/nodes) give one event, also after a restart", async () => {
    const h = await harness();
    h.sim.settings.udp.duplicates = 2;
    const exec = h.run(IDS.reload, "fail");
    const first = await h.eventFor(exec);
    await waitFor(async () => (await h.metric("steward_intake_deduplicated_total", { source: "udp" })) >= 2, { what: "two duplicates counted" });
    expect(h.events.filter((e) => e.executionId === exec)).toHaveLength(1);
    const datagram = h.sim.udp.recent().find((d) => d.text.includes(exec))!.text;

    await h.restart();
    h.aim();
    await sendDatagram(datagram, h.udpPort());
    await waitFor(async () => (await h.metric("steward_intake_deduplicated_total", { source: "udp" })) >= 1, { what: "the replay counted as duplicate" });
    await Bun.sleep(100);
    expect(h.events.filter((e) => e.executionId === exec)).toEqual([first]);
    // The same execution with another outcome is a different run report, checked in QRS: this one ended
    // FinishedFail, so an "aborted" datagram for it is refused as unconfirmed, not announced.
    await sendDatagram(datagram.replace("/scheduler-task-failed/", "/scheduler-task-aborted/"), h.udpPort());
    await waitFor(() => h.t.app.intake.counters.unconfirmed.get({ qrs: "denied", action: "dropped" }) === 1, { what: "the aborted report refused" });
    expect(h.events.filter((e) => e.executionId === exec)).toEqual([first]);
  });

  test("a dropped datagram is recovered by reconciliation (source: reconcile)", async () => {
    const h = await harness();
    await h.startPassEnded();
    h.sim.settings.udp.dropNext = 1;
    const exec = h.run(IDS.externalProgram, "fail");
    await waitFor(() => !h.sim.tasks.isRunning(IDS.externalProgram), { what: "the run to end" });
    await Bun.sleep(100);
    expect(h.events.find((e) => e.executionId === exec)).toBeUndefined();
    const pass = await h.t.app.intake.reconciler!.runOnce();
    expect(pass?.emitted).toBe(1);
    const e = await h.eventFor(exec);
    expect(e).toMatchObject({ kind: "task.failed", source: "reconcile", taskType: "externalProgram", complete: true, host: "sense1.test.example" });
    expect(e.task.name).toBe("Run ERP extract");
    expect(e.execution?.statusCode).toBe(8);
    expect(await h.metric("steward_intake_reconciled_total")).toBe(1);
    // A second pass finds nothing new (watermark and dedupe).
    expect((await h.t.app.intake.reconciler!.runOnce())?.emitted).toBe(0);
    // Runs that were announced by datagram are not emitted again by reconciliation.
    const seen = h.run(IDS.userSync, "succeed");
    await h.eventFor(seen);
    await waitFor(() => !h.sim.tasks.isRunning(IDS.userSync));
    expect((await h.t.app.intake.reconciler!.runOnce())?.emitted).toBe(0);
    expect(h.events.filter((x) => x.executionId === seen)).toHaveLength(1);
  });

  test("a run that ended while Steward was stopped is emitted by reconciliation at the next start", async () => {
    const h = await harness();
    await h.t.app.stop();
    const exec = h.run(IDS.reload, "succeed");
    await waitFor(() => !h.sim.tasks.isRunning(IDS.reload), { what: "the run to end" });
    await h.restart();
    const e = await h.eventFor(exec);
    expect(e).toMatchObject({ kind: "task.succeeded", source: "reconcile", taskType: "reload", complete: true });
    expect(e.app?.name).toBe("Sales dashboard");
    expect(e.user).toBe("");
    expect(h.events.filter((x) => x.executionId === exec)).toHaveLength(1);
  });

  test("reconciliation works through a backlog in bounded passes", async () => {
    const h = await harness({ reconcile: { maxPerPass: 1 } });
    await h.t.app.stop();
    // One after another, so the runs end at different times (runs ending in the same millisecond share a pass): runs
    // started together with different lengths could still end in one tick of a loaded machine's timers.
    const execs: string[] = [];
    for (const id of [IDS.externalProgram, IDS.userSync, IDS.preload]) {
      execs.push(h.run(id, "succeed", { durationMs: 20 }));
      await waitFor(() => !h.sim.tasks.isRunning(id), { what: "the run to end" });
    }
    await h.restart();
    await h.startPassEnded();
    expect(h.events).toHaveLength(1);
    const r = h.t.app.intake.reconciler!;
    expect((await r.runOnce())?.emitted).toBe(1);
    expect((await r.runOnce())?.emitted).toBe(1);
    expect((await r.runOnce())?.emitted).toBe(0);
    expect(h.events.map((e) => e.executionId).sort()).toEqual([...execs].sort());
    expect(h.events.every((e) => e.source === "reconcile" && e.complete)).toBe(true);
  });

  test("QRS down: the event still goes out, marked incomplete with what is missing", async () => {
    const h = await harness();
    h.sim.faults.add({ target: "qrs", status: 503, forMs: 60_000 }, Date.now());
    const exec = h.run(IDS.reload, "fail");
    const e = await h.eventFor(exec, 15_000);
    expect(e.kind).toBe("task.failed");
    expect(e.complete).toBe(false);
    const items = e.missing.map((m) => m.item);
    expect(items).toContain("task");
    expect(items).toContain("execution");
    expect(e.missing.find((m) => m.item === "task")?.reason).toContain("503");
    // What the datagram said is kept; the user, which QRS could not confirm, is marked so (issue 86).
    expect(e).toMatchObject({ taskType: "reload", host: "sense1.test.example", user: "INTERNAL\\sa_scheduler (unverified)" });
    expect(e.task).toMatchObject({ id: IDS.reload, name: "Reload Sales dashboard" });
    expect(e.app).toMatchObject({ id: IDS.app, name: "Sales dashboard" });
    expect(await h.metric("steward_intake_events_enriched_total", { complete: "false" })).toBe(1);
  });

  test("QRS stopped entirely: connection refused still gives an incomplete event", async () => {
    const h = await harness({ enrichment: { lookupTimeoutMs: 500, finalStatusAttempts: 1 }, reconcile: { enabled: false } });
    h.sim.listeners.qrs.stop();
    const exec = h.run(IDS.userSync, "succeed");
    const e = await h.eventFor(exec, 15_000);
    expect(e).toMatchObject({ kind: "task.succeeded", complete: false });
    expect(e.missing.find((m) => m.item === "task")?.reason).toMatch(/QRS|refused|ECONNREFUSED/i);
    // /ready's QRS answer is kept 5 s: one read just before the stop (the Qlik nodes' list at start) may still be it.
    const ready = await waitFor(
      async () => {
        const r = (await (await h.t.request("/ready")).json()) as { ready: boolean; components: Record<string, { ok: boolean }> };
        return r.ready ? undefined : r;
      },
      { timeoutMs: 10_000, what: "/ready to say QRS is down" },
    );
    expect(ready.components.qrs?.ok).toBe(false);
  }, 20_000);

  test("a distribute run still being polled survives a restart", async () => {
    const h = await harness();
    // Keep QRS behind the Scheduler so the outcome is not final when the datagram arrives, nor when the restart is over:
    // with 1.5 s, beside busy loops, the final status came before the restarted Steward was asked (pending 0).
    h.sim.settings.timing.qrsLagMs = 12_000;
    const exec = h.run(IDS.distribute, "fail");
    await waitFor(async () => (await h.t.app.intake.poller.pending()) === 1, { what: "a pending distribute poll" });
    await h.restart();
    h.aim();
    expect(await h.t.app.intake.poller.pending()).toBe(1);
    // The restarted Steward holds the poll: QRS catches up now instead of at the end of its 12 s lag.
    expect(h.sim.tasks.flushQrsLag()).toBe(1);
    const e = await h.eventFor(exec, 40_000);
    expect(e).toMatchObject({ kind: "task.failed", taskType: "distribute", source: "udp", complete: true });
    expect(e.execution?.statusCode).toBe(8);
    // The pending row goes once the event is out, a moment after it reaches the bus.
    await waitFor(async () => (await h.t.app.intake.poller.pending()) === 0 || undefined, { what: "the pending poll to be gone" });
  }, 60_000);
});
