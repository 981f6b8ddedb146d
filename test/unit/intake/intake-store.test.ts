// The intake's persisted memory on a real store: seen keys with expiry, state, pending distribute polls, and
// the run processor's claims on top of it.
import { afterEach, describe, expect, test } from "bun:test";
import { openStore, type Store } from "../../../src/store/database";
import { coreMigrations } from "../../../src/store/core-migrations";
import { createIntakeStore, intakeMigrations } from "../../../src/intake/intake-store";
import { createRunProcessor } from "../../../src/intake/run-processor";
import { createEventBus } from "../../../src/core/bus";
import { createManualClock } from "../../../src/core/clock";
import { createMetricsRegistry } from "../../../src/core/metrics";
import { createSilentLogger } from "../../../src/core/logger";
import type { DomainEvents, TaskEvent } from "../../../src/events/types";
import type { RunReport } from "../../../src/events/enrich-task-event";
import { createTempDir, type TempDir } from "../../helpers/temp-dir";

let tmp: TempDir;
let store: Store;
afterEach(() => {
  store?.close();
  tmp?.remove();
});

function open() {
  tmp = createTempDir();
  store = openStore(tmp.path, [coreMigrations, intakeMigrations]);
  return createIntakeStore(store.db);
}

describe("intake store", () => {
  test("seen keys expire; purge removes them; state and pending polls persist across reopen", () => {
    const s = open();
    s.markSeen([{ key: "e1:failed", executionId: "e1" }], "udp", 1_000, 500);
    expect(s.isSeen("e1:failed", 1_400)).toBe(true);
    expect(s.isExecutionSeen("e1", 1_400)).toBe(true);
    expect(s.isSeen("e1:failed", 1_500)).toBe(false);
    expect(s.purgeExpired(1_500)).toBe(1);
    expect(s.seenCount()).toBe(0);
    s.setState("w", "2025-01-01T00:00:00.000Z");
    s.addPending({ executionId: "e2", payload: { taskId: "t" }, createdAt: 1, nextAt: 5, deadline: 9, attempts: 0 });
    s.addPending({ executionId: "e2", payload: { taskId: "other" }, createdAt: 1, nextAt: 5, deadline: 9, attempts: 0 });
    s.updatePending("e2", 7, 3);
    store.close();
    store = openStore(tmp.path, [coreMigrations, intakeMigrations]);
    const again = createIntakeStore(store.db);
    expect(again.getState("w")).toBe("2025-01-01T00:00:00.000Z");
    expect(again.listPending()).toEqual([{ executionId: "e2", source: "", payload: { taskId: "t" }, createdAt: 1, nextAt: 7, deadline: 9, attempts: 3 }]);
    again.removePending("e2");
    expect(again.isPending("e2")).toBe(false);
  });

  test("pending polls: counted per source, next due time and due rows read without loading the whole list", () => {
    const s = open();
    expect(s.nextPendingAt()).toBeUndefined();
    for (let i = 0; i < 5; i++) s.addPending({ executionId: `a${i}`, source: "10.0.0.1", payload: {}, createdAt: 0, nextAt: 100 + i, deadline: 1_000, attempts: 0 });
    s.addPending({ executionId: "b0", source: "10.0.0.2", payload: {}, createdAt: 0, nextAt: 50, deadline: 1_000, attempts: 0 });
    expect([s.pendingCount(), s.pendingCountFrom("10.0.0.1"), s.pendingCountFrom("10.0.0.2"), s.pendingCountFrom("10.0.0.3")]).toEqual([6, 5, 1, 0]);
    expect(s.nextPendingAt()).toBe(50);
    expect(s.listDuePending(102, 10).map((p) => p.executionId)).toEqual(["b0", "a0", "a1", "a2"]);
    expect(s.listDuePending(1_000, 2).map((p) => p.executionId)).toEqual(["b0", "a0"]);
  });

  test("run processor: claims block duplicates in flight and after handling; dedupe off still lets reconciliation see handled runs", async () => {
    const s = open();
    const clock = createManualClock(10_000);
    const bus = createEventBus<DomainEvents>(createSilentLogger());
    const got: TaskEvent[] = [];
    bus.onAny((_k, e) => void got.push(e as TaskEvent));
    const m = createMetricsRegistry();
    const counters = { enriched: m.counter("a", "a"), emitted: m.counter("b", "b"), deduplicated: m.counter("c", "c"), unconfirmed: m.counter("d", "d") };
    const rest = { alertUnconfirmed: "qrsUnavailable" as const, warnOnce: () => {} };
    const enricher = {
      enrich: async (r: RunReport): Promise<TaskEvent> => ({
        id: `${r.executionId}:${r.outcome}`, kind: `task.${r.outcome}`, outcome: r.outcome, taskType: "reload", source: r.source, receivedAt: "", host: "",
        executionId: r.executionId, user: "", task: { id: r.taskId, name: "", tags: [], customProperties: [] }, complete: true, missing: [],
      }),
    };
    for (const enabled of [true, false]) {
      const p = createRunProcessor({ enricher, bus, store: s, clock, log: createSilentLogger(), dedupe: { enabled, ttlMs: 60_000 }, counters, ...rest });
      const exec = enabled ? "x1" : "x2";
      expect(p.claim(`${exec}:failed`, exec)).toBe(true);
      expect(p.claim(`${exec}:failed`, exec)).toBe(false);
      expect(p.inFlight(exec)).toBe(true);
      expect(p.claim(`${exec}:failed`, exec, true)).toBe(false);
      await p.process({ source: "udp", outcome: "failed", executionId: exec, taskId: "t" }, `${exec}:failed`);
      expect(p.inFlight(exec)).toBe(false);
      expect(p.claim(`${exec}:failed`, exec)).toBe(!enabled);
      p.release(`${exec}:failed`);
      expect(p.claim(`${exec}:aborted`, exec, true)).toBe(false);
    }
    expect(got.map((e) => e.id)).toEqual(["x1:failed", "x2:failed"]);
    await clock.advance(61_000);
    const p = createRunProcessor({ enricher, bus, store: s, clock, log: createSilentLogger(), dedupe: { enabled: true, ttlMs: 60_000 }, counters, ...rest });
    expect(p.claim("x1:failed", "x1")).toBe(true);
  });
});
