// One datagram up to the queue, with the real queue, run processor and claims on a SQLite store: refusals are
// counted by reason (source, size, parse), an engine message is only logged, a run is reserved, queued and its
// claim started at once, a repeat is a duplicate, a full queue drops by priority (a failure sheds a queued
// success, whose claim is given up) and says "stopping" while the intake stops.
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { createDatagramHandler, type DatagramHandler } from "../../../../src/hear/intake/datagram-handler";
import { createRunClaims, type RunClaims } from "../../../../src/hear/intake/run-claims";
import { createRunQueue, type QueueItem } from "../../../../src/hear/intake/run-queue";
import { createUdpSources } from "../../../../src/hear/intake/udp-sources";
import type { WorkQueue } from "../../../../src/hear/intake/work-queue";
import { waitFor } from "../../../helpers/wait-for";
import { intakeParts, T0, type IntakeParts } from "./intake-parts";

const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";
const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const NODE = { address: "10.0.0.5", port: 4000 };

function datagram(outcome: "failed" | "success", executionId = randomUUID()): Buffer {
  return Buffer.from(
    `/scheduler-task-${outcome}/;SENSE1;Reload Sales;Sales;INTERNAL\\sa_scheduler;${TASK};${APP};2026-03-01 09:59:00,000;WARN;${executionId};Task finished`,
  );
}

let parts: IntakeParts;
let queue: WorkQueue<QueueItem>;
let handle: DatagramHandler;
let claims: RunClaims;
let stopping: boolean;
let warnings: string[];
/** Workers wait here, so the queue fills. */
const gates: Array<() => void> = [];

beforeEach(() => {
  parts = intakeParts();
  stopping = false;
  warnings = [];
  claims = createRunClaims({ processor: parts.processor, log: parts.log, requeue: () => false, stopping: () => stopping, duplicate: () => {} });
  queue = createRunQueue(
    { queueSize: 2, concurrency: 1, backpressureWarnRatio: 1 },
    { log: parts.log, now: () => parts.clock.now(), worker: () => new Promise<void>((r) => gates.push(r)) },
  );
  handle = createDatagramHandler({
    limits: { maxDatagramBytes: 1_000, maxFieldChars: 500, queueSize: 2 },
    allowlist: createUdpSources(["10.0.0.0/24"], { log: parts.log, clock: parts.clock, resolveIntervalMs: 60_000 }),
    queue,
    processor: parts.processor,
    claims,
    counters: parts.counters,
    warnOnce: (_key, _fields, msg) => void warnings.push(msg),
    log: parts.log,
    now: () => parts.clock.now(),
    stopping: () => stopping,
  });
});
afterEach(async () => {
  for (const open of gates.splice(0)) open();
  await queue.stop(100);
  parts.close();
});

const c = () => parts.counters;

describe("datagram handler", () => {
  test("refusals are counted by reason; an engine message is logged, not queued", () => {
    handle(datagram("failed"), { address: "192.168.1.9", port: 1 });
    handle(Buffer.alloc(1_001, 0x41), NODE);
    handle(Buffer.from("/scheduler-task-failed/;too;few"), NODE);
    handle(
      Buffer.from(`/engine-reload-failed/;SENSE1;${APP};8a1f3c2e-77d0-4b9a-a2c4-5e6f7a8b9c0d;CORP;anna;2026-03-01 09:30:00,100;ERROR;Reload failed`),
      NODE,
    );
    expect(c().received.get()).toBe(4);
    expect(c().rejected.get({ reason: "source_not_allowed" })).toBe(1);
    expect(c().rejected.get({ reason: "too_large" })).toBe(1);
    expect(c().parsed.get({ kind: "engine" })).toBe(1);
    expect(warnings).toContain("engine reported a failed reload");
    expect(queue.depth() + queue.active()).toBe(0);
  });

  test("a run is queued with its claim started at once; a repeat is a duplicate", async () => {
    const id = randomUUID();
    handle(datagram("failed", id), NODE);
    handle(datagram("failed", id), NODE);
    expect(queue.active()).toBe(1);
    expect(c().deduplicated.get({ source: "udp" })).toBe(1);
    // The claim is in the store before any worker got past its gate: another Steward cannot take the run.
    await waitFor(() => parts.processor.claimedElsewhere(id), { what: "the run's claim in the store", timeoutMs: 5_000 });
    const other = parts.processorOf("steward-b");
    other.reserve(`${id}:failed`, id);
    expect(await other.claimStored(`${id}:failed`, id, "udp")).toBe(false);
  });

  test("a full queue drops by priority: a failure sheds a queued success (its claim given up); refusals say stopping while stopping", async () => {
    handle(datagram("failed"), NODE); // to the worker
    const successId = randomUUID();
    handle(datagram("success", successId), NODE);
    handle(datagram("success"), NODE);
    handle(datagram("success"), NODE);
    expect(c().dropped.get({ reason: "queue_full", outcome: "succeeded" })).toBe(1);
    handle(datagram("failed"), NODE);
    expect(c().dropped.get({ reason: "shed", outcome: "succeeded" })).toBe(1);
    handle(datagram("failed"), NODE);
    expect(c().dropped.get({ reason: "shed", outcome: "succeeded" })).toBe(2);
    // Full of failures: a scheduler datagram is refused from its first field, before it is parsed.
    const parsed = c().parsed.get({ kind: "scheduler" });
    handle(datagram("failed"), NODE);
    expect(c().parsed.get({ kind: "scheduler" })).toBe(parsed);
    expect(c().dropped.get({ reason: "queue_full", outcome: "failed" })).toBe(1);
    stopping = true;
    handle(datagram("success"), NODE);
    expect(c().dropped.get({ reason: "stopping", outcome: "succeeded" })).toBe(1);
    // The shed success's claim was given up: another Steward may take the run.
    await claims.settled();
    const other = parts.processorOf("steward-b");
    other.reserve(`${successId}:succeeded`, successId);
    expect(await other.claimStored(`${successId}:succeeded`, successId, "udp")).toBe(true);
    expect(parts.clock.now()).toBe(T0);
  });
});
