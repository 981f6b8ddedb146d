// The intake against someone on the Qlik network (issue 13): datagrams with forged source addresses, forged
// runs and forged distribution announcements. Sources are forged by calling the socket's handler with the
// address a spoofed datagram would carry.
import { afterEach, describe, expect, test } from "bun:test";
import { systemClock, type Clock } from "../../../../src/platform/core/clock";
import { createLogger } from "../../../../src/platform/core/logger";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, sendDatagram, startHarness, type Harness } from "./harness";

function collectLogs() {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({
    level: "debug",
    format: "json",
    secrets: createSecretRegistry(),
    write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>),
  });
  return { log, lines };
}

/** A different forged IPv4 source per index. */
const forged = (i: number) => ({ address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 50_000 });

let t: TestApp | undefined;
let h: Harness | undefined;
let tmp: TempDir | undefined;
afterEach(async () => {
  await t?.close();
  await h?.close();
  tmp?.remove();
  t = h = tmp = undefined;
});

const INVENTED = "0badc0de-1111-4222-8333-444455556666";
const failed = (exec: string, prefix = "/scheduler-task-failed/") =>
  `${prefix};SENSE1;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${IDS.reload};${IDS.app};2025-11-03 06:00:41,512;WARN;${exec};Click https://evil.example to fix`;
const json = (body: unknown, method = "POST"): RequestInit => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** `anySource`: udp.allowedSources "*", so datagrams handed in from forged addresses reach what is probed past the source check. */
async function harness(intake: Record<string, unknown> = {}, clock?: Clock, anySource = false): Promise<Harness> {
  tmp = createTempDir();
  const extraYaml = anySource ? "udp: { host: 127.0.0.1, port: 0, allowedSources: ['*'] }" : undefined;
  h = await startHarness({ dir: tmp.path, intake, clock, ...(extraYaml ? { extraYaml } : {}) });
  return h;
}

describe("forged source addresses", () => {
  test("a new source per datagram does not get a log line per datagram: warnings share an overall budget", async () => {
    const { log, lines } = collectLogs();
    // Every source admitted ("*"): what is left to bound is the parse warnings (refused sources have their own summary).
    t = createTestApp("udp: { host: 127.0.0.1, port: 0, allowedSources: ['*'] }\n", { log });
    await t.app.start();
    const intake = t.app.intake;
    for (let i = 0; i < 2_000; i++) intake.handleDatagram(Buffer.from(`/scheduler-nonsense/;${i}`), forged(i));
    for (let i = 0; i < 2_000; i++) {
      const engine = `/engine-reload-failed/;SENSE1;${IDS.app};8a1f3c2e-77d0-4b9a-a2c4-5e6f7a8b9c0d;CORP;anna;2025-11-03 09:30:00,100;ERROR;forged ${i}`;
      intake.handleDatagram(Buffer.from(engine), forged(10_000 + i));
    }
    const warnings = lines.filter((l) => l.msg === "unparseable datagram" || l.msg === "engine reported a failed reload");
    // Every datagram is still counted; the log gets a bounded number of lines.
    expect(intake.counters.rejected.get({ reason: "unknown_prefix" })).toBe(2_000);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(20);
  });
});

describe("runs that never happened", () => {
  test("a forged datagram with a real task id and an invented ExecutionId raises nothing; a real run still does", async () => {
    const h = await harness();
    await sendDatagram(failed(INVENTED), h.udpPort());
    await waitFor(() => h.t.app.intake.counters.unconfirmed.get({ qrs: "denied", action: "dropped" }) === 1, { what: "the forged run refused" });
    // A forged success for a run that really failed is refused too (QRS has the real outcome).
    const real = await h.runWhenIdle(IDS.reload, "fail");
    const event = await h.eventFor(real);
    expect(event).toMatchObject({ kind: "task.failed", source: "udp" });
    expect(event.unconfirmed).toBeUndefined();
    await sendDatagram(failed(real, "/scheduler-task-success//"), h.udpPort());
    await waitFor(() => h.t.app.intake.counters.unconfirmed.get({ qrs: "denied", action: "dropped" }) === 2, { what: "the forged success refused" });
    expect(h.events.map((e) => e.id)).toEqual([`${real}:failed`]);
    // Not remembered: if QRS showed the run later, reconciliation would still announce it.
    expect(await h.t.app.intake.store.isExecutionSeen(INVENTED, Date.now())).toBe(false);
  });

  test("alertUnconfirmed: always announces it marked unconfirmed, and an event-triggered schedule does not start its task", async () => {
    const h = await harness({ confirm: { alertUnconfirmed: "always" } });
    const r = await h.t.request(
      "/v4/schedules",
      json({ name: "after sales success", qlikSenseTaskId: IDS.externalProgram, trigger: { on: ["succeeded"], taskIds: [IDS.reload] } }),
    );
    expect(r.status).toBe(201);
    const schedule = (await r.json()) as { id: string };
    h.sim.requests.clear();
    await sendDatagram(failed(INVENTED, "/scheduler-task-success//"), h.udpPort());
    const event = await h.eventFor(INVENTED);
    expect(event).toMatchObject({
      kind: "task.succeeded",
      complete: false,
      unconfirmed: { qrs: "denied", reason: expect.stringContaining(`no execution ${INVENTED}`) },
    });
    expect(event.missing).toContainEqual({ item: "confirmation", reason: event.unconfirmed!.reason });
    await Bun.sleep(300);
    expect((await h.t.app.scheduler!.get(schedule.id))!.lastRun).toBeUndefined();
    expect(h.sim.requests.list({ source: "qrs", method: "POST", pathContains: `task/${IDS.externalProgram}/start` })).toHaveLength(0);
  });

  test("a real datagram replayed after de-duplication has forgotten its run is refused", async () => {
    let offsetMs = 0;
    const h = await harness({}, { ...systemClock, now: () => Date.now() + offsetMs });
    const real = await h.runWhenIdle(IDS.reload, "fail");
    await h.eventFor(real);
    // Handled, not only announced: while its run is still in flight here (its messages being built) the replay is a
    // duplicate of the run at hand, not one de-duplication has forgotten.
    await waitFor(() => !h.t.app.intake.processor.inFlight(real), { what: "the real run handled" });
    const datagram = h.sim.udp.recent().find((d) => d.text.includes(real) && d.text.includes("failed"))!.text;
    // 73 hours later for Steward (runs are remembered for 72): the captured datagram is sent again.
    offsetMs = 73 * 3_600_000;
    await sendDatagram(datagram, h.udpPort());
    await waitFor(() => h.t.app.intake.counters.unconfirmed.get({ qrs: "denied", action: "dropped" }) === 1, { what: "the replay refused" });
    expect(h.events.filter((e) => e.executionId === real)).toHaveLength(1);
  });

  test("runs QRS has not shown do not hold every worker: a real run is announced while a forged one still waits", async () => {
    // Two workers; a run whose execution QRS has not shown is re-read for 30 × 150 ms.
    const h = await harness({ concurrency: 2, reconcile: { enabled: false }, enrichment: { finalStatusAttempts: 30, finalStatusDelayMs: 150 } });
    const forgedRuns = ["0badc0de-2222-4000-8000-000000000001", "0badc0de-2222-4000-8000-000000000002"];
    for (const x of forgedRuns) await sendDatagram(failed(x), h.udpPort());
    await waitFor(() => forgedRuns.some((x) => h.t.app.intake.processor.inFlight(x)), { what: "a forged run being checked" });
    const real = await h.runWhenIdle(IDS.externalProgram, "fail");
    await h.eventFor(real, 10_000);
    // The real run did not queue behind both forged ones: one of them is still waiting for QRS to show its run.
    expect(forgedRuns.some((x) => h.t.app.intake.processor.inFlight(x))).toBe(true);
    await waitFor(() => h.t.app.intake.counters.unconfirmed.get({ qrs: "denied", action: "dropped" }) === 2, {
      timeoutMs: 15_000,
      what: "both forged runs refused",
    });
  }, 30_000);

  test("a datagram for a task QRS does not know costs one lookup and raises nothing", async () => {
    // No reconciliation pass at start: only the datagram's lookups reach QRS.
    const h = await harness({ reconcile: { enabled: false } });
    h.sim.requests.clear();
    const unknownTask = "9f9f9f9f-0000-4000-8000-000000000009";
    await sendDatagram(failed(INVENTED).replace(IDS.reload, unknownTask), h.udpPort());
    await waitFor(() => h.t.app.intake.counters.unconfirmed.get({ qrs: "denied", action: "dropped" }) === 1, { what: "the forged run refused" });
    // (/qrs/about is Steward's own health look at QRS, on its clock, not the datagram's.)
    expect(
      h.sim.requests
        .list({ source: "qrs" })
        .map((q) => q.path)
        // The nodes' service states are read every 30 s whatever happens (grouping.nodeDown.unreachable, on by default).
        .filter((p) => p !== "/qrs/about" && p !== "/qrs/servicestatus/full"),
    ).toEqual([expect.stringContaining(`task/full`)]);
    expect(h.events).toHaveLength(0);
  });

  test("QRS unreachable: by default the alert goes out marked unconfirmed (it may be real); with never it does not", async () => {
    for (const policy of ["qrsUnavailable", "never"] as const) {
      const hh = await harness({ confirm: { alertUnconfirmed: policy }, reconcile: { enabled: false } });
      // QRS down: its port refuses connections.
      await hh.sim.stop();
      await sendDatagram(failed(INVENTED), hh.udpPort());
      if (policy === "qrsUnavailable") {
        const event = await hh.eventFor(INVENTED, 15_000);
        expect(event.unconfirmed).toMatchObject({ qrs: "unavailable" });
      } else {
        await waitFor(() => hh.t.app.intake.counters.unconfirmed.get({ qrs: "unavailable", action: "dropped" }) === 1, {
          timeoutMs: 15_000,
          what: "the unconfirmable run held back",
        });
        expect(hh.events).toHaveLength(0);
      }
      await hh.t.close();
      tmp?.remove();
      h = tmp = undefined;
    }
  }, 60_000);
});

test("QRS unreachable: forged successes and failures of one task page within the unconfirmed budget, not once each (issue 86)", async () => {
  // One address sends them all: perSource is raised so the per-task budget is what is tested (unconfirmed-flood.test.ts tests perSource).
  const hh = await harness({ confirm: { unconfirmedBudget: { perTaskPerHour: 3, perSource: 100 } }, reconcile: { enabled: false } });
  await hh.sim.stop();
  const exec = (i: number) => `0badc0de-0000-4000-8000-${String(i).padStart(12, "0")}`;
  for (let i = 0; i < 10; i++) await sendDatagram(failed(exec(i), "/scheduler-task-success/"), hh.udpPort());
  for (let i = 10; i < 20; i++) await sendDatagram(failed(exec(i)), hh.udpPort());
  const counted = (action: string) => hh.t.app.intake.counters.unconfirmed.get({ qrs: "unavailable", action });
  await waitFor(() => counted("emitted") + counted("over_budget") === 20, { timeoutMs: 30_000, what: "the 20 forged runs judged" });
  // Three of each outcome: a flood of forged successes does not spend what a real failure needs.
  expect(hh.events.filter((e) => e.kind === "task.succeeded")).toHaveLength(3);
  expect(hh.events.filter((e) => e.kind === "task.failed")).toHaveLength(3);
  expect(counted("over_budget")).toBe(14);
}, 60_000);

describe("forged distribution announcements", () => {
  const distribute = (exec: string, taskId: string = IDS.distribute) =>
    `/scheduler-distribute/;SENSE2;Distribute Sales to Cloud;;INTERNAL\\sa_scheduler;${taskId};;2025-11-04 06:05:40,775;INFO;${exec};Exiting execute of Distribute task request.`;
  const exec = (i: number) => `0badc0de-0000-4000-8000-${String(i).padStart(12, "0")}`;
  const fast = {
    reconcile: { enabled: false },
    enrichment: { distribute: { maxPending: 20, maxPendingPerSource: 5, confirmWithinSeconds: 0.5, pollIntervalSeconds: 0.1 } },
  };
  const qrsCalls = (h: Harness) => h.sim.requests.list({ source: "qrs" }).length;

  test("pending polls are capped, and one source gets only its share", async () => {
    // Nothing is given up while the caps are probed.
    const h = await harness({ ...fast, enrichment: { distribute: { ...fast.enrichment.distribute, confirmWithinSeconds: 60 } } }, undefined, true);
    const intake = h.t.app.intake;
    for (let i = 0; i < 30; i++) intake.handleDatagram(Buffer.from(distribute(exec(i))), forged(1));
    await waitFor(() => intake.counters.distributeRefused.get({ reason: "source_full" }) === 25, { what: "one source held to its share" });
    expect(await intake.poller.pending()).toBe(5);
    // Other sources still get in, up to the overall cap.
    for (let i = 100; i < 200; i++) intake.handleDatagram(Buffer.from(distribute(exec(i))), forged(i));
    await waitFor(() => intake.counters.distributeRefused.get({ reason: "full" }) === 85, { what: "the overall cap" });
    expect(await intake.poller.pending()).toBe(20);
  });

  test("a forged announcement costs a bounded number of QRS calls and is given up; none is announced", async () => {
    const h = await harness(fast, undefined, true);
    const intake = h.t.app.intake;
    h.sim.requests.clear();
    for (let i = 0; i < 10; i++) intake.handleDatagram(Buffer.from(distribute(exec(i))), forged(i));
    // A task id of another type is refused at the first poll.
    intake.handleDatagram(Buffer.from(distribute(exec(99), IDS.reload)), forged(99));
    await waitFor(() => intake.counters.unconfirmed.get({ qrs: "denied", action: "dropped" }) === 11, {
      timeoutMs: 10_000,
      what: "every forged announcement given up",
    });
    expect(await intake.poller.pending()).toBe(0);
    // Two reads per poll, a poll every 0.1 s for the 0.5 s confirmation window (plus scheduling slack).
    expect(qrsCalls(h)).toBeLessThanOrEqual(11 * 2 * 8);
    expect(h.events).toHaveLength(0);
    // A real distribution run is still announced.
    const real = await h.runWhenIdle(IDS.distribute, "succeed");
    expect(await h.eventFor(real)).toMatchObject({ kind: "task.succeeded", taskType: "distribute" });
  });

  test("pending rows left by an older version (no cap) drain at the next start, a couple of QRS calls each", async () => {
    const h = await harness(fast);
    const long = Date.now() - 3_600_000;
    for (let i = 0; i < 300; i++) {
      const payload = { source: "udp", executionId: exec(i), taskId: IDS.distribute, distribute: true, logLevel: "INFO" };
      await h.t.app.intake.store.addPending({ executionId: exec(i), payload, createdAt: long, nextAt: long, deadline: Date.now() + 3_600_000, attempts: 0 });
    }
    h.sim.requests.clear();
    await h.restart();
    await waitFor(async () => (await h.t.app.intake.poller.pending()) === 0, { timeoutMs: 30_000, what: "the old rows given up" });
    expect(qrsCalls(h)).toBeLessThanOrEqual(300 * 2 + 10);
    expect(h.events).toHaveLength(0);
  }, 60_000);
});
