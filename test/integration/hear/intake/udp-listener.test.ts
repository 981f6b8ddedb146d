// The UDP edge of the intake on a real dual-stack socket: source allowlist (::1 refused when only 127.0.0.1 is
// allowed), size limit, unparseable datagrams counted by reason and logged once per source per minute, engine
// messages, and a full queue dropping with a counter and a backpressure warning.
import { afterEach, describe, expect, test } from "bun:test";
import { createLogger } from "../../../../src/platform/core/logger";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, sendDatagram, startHarness, type Harness } from "./harness";

const EXEC = "e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10";
const datagram = (exec = EXEC, prefix = "/scheduler-task-failed/") =>
  `${prefix};SENSE1;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${IDS.reload};${IDS.app};2025-11-03 06:00:41,512;WARN;${exec};Max retries reached`;

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

async function metric(t: TestApp, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await t.request("/metrics")).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => (want.length === 0 ? l.startsWith(`${name} `) : l.startsWith(`${name}{`) && want.every((w) => l.includes(w))));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

let t: TestApp | undefined;
let h: Harness | undefined;
let tmp: TempDir | undefined;
afterEach(async () => {
  if (h) await h.close();
  else await t?.close();
  tmp?.remove();
  t = h = tmp = undefined;
});

describe("UDP intake edge", () => {
  test("dual-stack listener: 127.0.0.1 allowed, ::1 refused and counted; oversize and garbage counted by reason, logged once per source", async () => {
    const { log, lines } = collectLogs();
    t = createTestApp("udp:\n  host: '::'\n  port: 0\n  allowedSources: [127.0.0.1]\n  maxDatagramBytes: 2048\n", { log });
    const events: TaskEvent[] = [];
    t.app.bus.onAny((_k, e) => void events.push(e as TaskEvent));
    await t.app.start();
    const port = t.app.intake.udp!.address()!.port;

    await sendDatagram(datagram(), port, "::1");
    await waitFor(async () => (await metric(t!, "steward_intake_datagrams_rejected_total", { reason: "source_not_allowed" })) === 1, {
      what: "the ::1 datagram refused",
    });
    await sendDatagram(datagram(), port, "127.0.0.1");
    const e = await waitFor(() => events[0]);
    expect(e).toMatchObject({ kind: "task.failed", executionId: EXEC, complete: false, taskType: "reload" });
    expect(e.missing).toEqual([{ item: "qrs", reason: expect.stringContaining("not configured") }]);

    await sendDatagram(`${datagram("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")};${"x".repeat(3000)}`, port);
    for (let i = 0; i < 5; i++) await sendDatagram(`/scheduler-nonsense/;${i}`, port);
    await sendDatagram("/scheduler-task-failed/;too;few", port);
    await waitFor(async () => (await metric(t!, "steward_intake_datagrams_rejected_total", { reason: "unknown_prefix" })) === 5, {
      what: "5 unknown prefixes",
    });
    expect(await metric(t, "steward_intake_datagrams_rejected_total", { reason: "too_large" })).toBe(1);
    await waitFor(async () => (await metric(t!, "steward_intake_datagrams_rejected_total", { reason: "too_few_fields" })) === 1);
    expect(await metric(t, "steward_intake_datagrams_received_total")).toBe(9);
    expect(events).toHaveLength(1);
    const unparseable = lines.filter((l) => l.msg === "unparseable datagram");
    // One line per source and reason within the minute, not one per datagram.
    expect(unparseable.filter((l) => l.reason === "unknown_prefix")).toHaveLength(1);
    expect(unparseable[0]).toMatchObject({ source: "::ffff:127.0.0.1" });
    expect(lines.filter((l) => String(l.msg).startsWith("refused ")).map((l) => l.msg)).toEqual([
      "refused 1 datagram from 1 address not in udp.allowedSources in the last minute: ::1 (1)",
    ]);
  });

  test("Butler's engine datagram is parsed and logged, and read as a failed reload outside the Scheduler, not a task run", async () => {
    const { log, lines } = collectLogs();
    t = createTestApp("engineReloads: { settle: 0s }\n", { log });
    const events: unknown[] = [];
    t.app.bus.onAny((_k, e) => void events.push(e));
    await t.app.start();
    const port = t.app.intake.udp!.address()!.port;
    await sendDatagram(
      `/engine-reload-failed/;SENSE1;${IDS.app};8a1f3c2e-77d0-4b9a-a2c4-5e6f7a8b9c0d;CORP;anna;2025-11-03 09:30:00,100;ERROR;Reload failed`,
      port,
    );
    await waitFor(async () => (await metric(t!, "steward_intake_datagrams_parsed_total", { kind: "engine" })) === 1);
    expect(lines.some((l) => l.msg === "engine reported a failed reload" && l.appId === IDS.app)).toBe(true);
    // No task event; without QRS the app's publication is unknown, so its failure is alerted rather than missed, its
    // user and node shown as the line named them, marked unverified (nothing could be checked).
    await waitFor(() => events.length > 0);
    expect(events).toMatchObject([
      { kind: "app.reload_failed", source: "engine", user: "CORP\\anna (unverified)", host: "SENSE1 (unverified)", app: { id: IDS.app } },
    ]);
  });

  test("a full queue drops with a counter and a backpressure warning; the dropped runs are not marked seen", async () => {
    tmp = createTempDir();
    const { log, lines } = collectLogs();
    h = await startHarness({
      dir: tmp.path,
      log,
      // The runs are invented (QRS does not know them): announced anyway, so that every accepted one is emitted.
      intake: {
        queueSize: 2,
        // The queue's own refusal: no overflow in the store (overflow.test.ts has the overflow).
        overflowSize: 0,
        concurrency: 1,
        backpressureWarnRatio: 0.5,
        reconcile: { enabled: false },
        confirm: { alertUnconfirmed: "always" },
        enrichment: { finalStatusAttempts: 1, scriptLog: { enabled: false } },
      },
    });
    t = h.t;
    // Slow QRS: every task lookup waits, so the single worker is busy while datagrams arrive.
    h.sim.faults.add({ target: "qrs", pathContains: "task/full", delayMs: 400, count: 10 }, Date.now());
    const port = t.app.intake.udp!.address()!.port;
    const execs = ["1", "2", "3", "4", "5", "6"].map((n) => `00000000-0000-4000-8000-00000000000${n}`);
    for (const x of execs) await sendDatagram(datagram(x), port);
    await waitFor(async () => (await metric(t!, "steward_intake_dropped_total", { reason: "queue_full" })) >= 1, { what: "a queue_full drop" });
    expect(lines.some((l) => String(l.msg).startsWith("intake queue is filling up"))).toBe(true);
    const dropped = await metric(t, "steward_intake_dropped_total", { reason: "queue_full" });
    const emitted = await waitFor(
      async () => {
        const n = await metric(t!, "steward_intake_events_emitted_total", { kind: "task.failed", source: "udp" });
        return n + dropped === execs.length ? n : false;
      },
      { timeoutMs: 10_000, what: "every accepted run emitted" },
    );
    expect(emitted).toBeGreaterThan(0);
    // A dropped run was not remembered: the same datagram later is accepted.
    const seen = await Promise.all(execs.map((x) => t!.app.intake.store.isExecutionSeen(x, Date.now())));
    const droppedExec = execs.find((_, i) => !seen[i])!;
    expect(droppedExec).toBeDefined();
    await sendDatagram(datagram(droppedExec), port);
    await waitFor(() => t!.app.intake.store.isExecutionSeen(droppedExec, Date.now()), { timeoutMs: 5000, what: "the re-sent run handled" });
  }, 20_000);
});
