// The intake's persisted memory on both store back ends: seen keys with expiry, state, pending distribute
// polls, the run processor's claims on top of it — and, with several Stewards on one store, a run heard of by
// all of them announced by exactly one; a claim of a Steward that died runs out so the run is not lost.
import { afterAll, describe, expect, test } from "bun:test";
import { createIntakeStore, intakeMigrations } from "../../../src/intake/intake-store";
import { CLAIM_LEASE_MS, createRunProcessor } from "../../../src/intake/run-processor";
import { createEventBus } from "../../../src/core/bus";
import { createManualClock, type Clock } from "../../../src/core/clock";
import { createMetricsRegistry } from "../../../src/core/metrics";
import { createSilentLogger } from "../../../src/core/logger";
import type { DomainEvents, TaskEvent } from "../../../src/events/types";
import type { RunReport } from "../../../src/events/enrich-task-event";
import type { IntakeStore } from "../../../src/intake/intake-store";
import { bothBackends } from "../../helpers/sql-backends";

const enricher = {
  enrich: async (r: RunReport): Promise<TaskEvent> =>
    ({
      id: `${r.executionId}:${r.outcome}`,
      kind: `task.${r.outcome}`,
      outcome: r.outcome,
      taskType: "reload",
      source: r.source,
      receivedAt: "",
      host: "",
      executionId: r.executionId,
      user: "",
      task: { id: r.taskId, name: "", tags: [], customProperties: [] },
      complete: true,
      missing: [],
    }) as TaskEvent,
};

let instances = 0;
function processor(store: IntakeStore, clock: Clock, got: TaskEvent[], dedupe = true) {
  const bus = createEventBus<DomainEvents>(createSilentLogger());
  bus.onAny((_k, e) => void got.push(e as TaskEvent));
  const m = createMetricsRegistry();
  const counters = { enriched: m.counter("a", "a"), emitted: m.counter("b", "b"), deduplicated: m.counter("c", "c"), unconfirmed: m.counter("d", "d") };
  return createRunProcessor({
    enricher,
    bus,
    store,
    clock,
    log: createSilentLogger(),
    dedupe: { enabled: dedupe, ttlMs: 60_000 },
    counters,
    alertUnconfirmed: "qrsUnavailable",
    warnOnce: () => {},
    instanceId: `steward-${++instances}`,
  });
}

for (const backend of bothBackends()) {
  describe(`intake store on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());

    test("seen keys expire; purge removes them; state and pending polls persist", async () => {
      const db = await backend.open([intakeMigrations]);
      const s = createIntakeStore(db);
      await s.markSeen([{ key: "e1:failed", executionId: "e1" }], "udp", 1_000, 500);
      expect(await s.isSeen("e1:failed", 1_400)).toBe(true);
      expect(await s.isExecutionSeen("e1", 1_400)).toBe(true);
      expect(await s.isSeen("e1:failed", 1_500)).toBe(false);
      expect(await s.purgeExpired(1_500)).toBe(1);
      expect(await s.seenCount()).toBe(0);
      await s.setState("w", "2025-01-01T00:00:00.000Z");
      expect(await s.addPending({ executionId: "e2", payload: { taskId: "t" }, createdAt: 1, nextAt: 5, deadline: 9, attempts: 0 })).toBe(true);
      expect(await s.addPending({ executionId: "e2", payload: { taskId: "other" }, createdAt: 1, nextAt: 5, deadline: 9, attempts: 0 })).toBe(false);
      await s.updatePending("e2", 7, 3);
      const again = createIntakeStore(db);
      expect(await again.getState("w")).toBe("2025-01-01T00:00:00.000Z");
      expect(await again.listPending()).toEqual([
        { executionId: "e2", source: "", payload: { taskId: "t" }, createdAt: 1, nextAt: 7, deadline: 9, attempts: 3 },
      ]);
      await again.removePending("e2");
      expect(await again.isPending("e2")).toBe(false);
    });

    test("run processor: claims block duplicates in flight and after handling; dedupe off still lets reconciliation see handled runs", async () => {
      const s = createIntakeStore(await backend.open([intakeMigrations]));
      const clock = createManualClock(10_000);
      const got: TaskEvent[] = [];
      for (const enabled of [true, false]) {
        const p = processor(s, clock, got, enabled);
        const exec = enabled ? "x1" : "x2";
        expect(await p.claim(`${exec}:failed`, exec)).toBe(true);
        expect(await p.claim(`${exec}:failed`, exec)).toBe(false);
        expect(p.inFlight(exec)).toBe(true);
        expect(await p.claim(`${exec}:failed`, exec, true)).toBe(false);
        await p.process({ source: "udp", outcome: "failed", executionId: exec, taskId: "t" }, `${exec}:failed`);
        expect(p.inFlight(exec)).toBe(false);
        expect(await p.claim(`${exec}:failed`, exec)).toBe(!enabled);
        p.release(`${exec}:failed`);
        expect(await p.claim(`${exec}:aborted`, exec, true)).toBe(false);
      }
      expect(got.map((e) => e.id)).toEqual(["x1:failed", "x2:failed"]);
      await clock.advance(61_000);
      expect(await processor(s, clock, got).claim("x1:failed", "x1")).toBe(true);
    });

    test("several Stewards on one store: a run heard of by all (datagrams and reconciliation) is announced once", async () => {
      const db = await backend.open([intakeMigrations]);
      const clock = createManualClock(50_000);
      const got: TaskEvent[] = [];
      const stewards = [0, 1, 2].map(() => processor(createIntakeStore(db), clock, got));
      const runs = Array.from({ length: 30 }, (_, i) => `run${i}`);
      await Promise.all(
        runs.flatMap((exec) =>
          stewards.map(async (p, i) => {
            // Two hear the datagram, the third finds the run in QRS (any outcome).
            const key = `${exec}:failed`;
            const ours = i < 2 ? p.reserve(key, exec) && (await p.claimStored(key, exec, "udp")) : await p.claim(key, exec, true);
            if (ours) await p.process({ source: i < 2 ? "udp" : "reconcile", outcome: "failed", executionId: exec, taskId: "t" }, key);
          }),
        ),
      );
      expect(got.map((e) => e.id).sort()).toEqual(runs.map((r) => `${r}:failed`).sort());
    });

    test("a claim of a Steward that died runs out: the run is picked up again, and the watermark sees it as claimed until then", async () => {
      const db = await backend.open([intakeMigrations]);
      const clock = createManualClock(100_000);
      const got: TaskEvent[] = [];
      const dead = processor(createIntakeStore(db), clock, got);
      const alive = processor(createIntakeStore(db), clock, got);
      // The first Steward claims the run and dies before it announces it.
      expect(await dead.claim("r1:failed", "r1")).toBe(true);
      expect(await alive.claim("r1:failed", "r1", true)).toBe(false);
      expect(await alive.claimedElsewhere("r1")).toBe(true);
      await clock.advance(CLAIM_LEASE_MS);
      expect(await alive.claimedElsewhere("r1")).toBe(false);
      expect(await alive.claim("r1:failed", "r1", true)).toBe(true);
      await alive.process({ source: "reconcile", outcome: "failed", executionId: "r1", taskId: "t" }, "r1:failed");
      expect(got.map((e) => [e.id, e.source])).toEqual([["r1:failed", "reconcile"]]);
    });

    test("the claims of an instance that is gone are dropped at once; live ones are kept", async () => {
      const db = await backend.open([intakeMigrations]);
      const clock = createManualClock(100_000);
      const s = createIntakeStore(db);
      expect(await s.claim("a:failed", "a", "udp", clock.now(), CLAIM_LEASE_MS, "dead-one")).toBe(true);
      expect(await s.claim("b:failed", "b", "udp", clock.now(), CLAIM_LEASE_MS, "live-one")).toBe(true);
      await s.markSeen([{ key: "c:failed", executionId: "c" }], "udp", clock.now(), 60_000);
      expect(await s.dropClaimsExcept(["live-one", "me"])).toBe(1);
      expect(await s.isSeen("a:failed", clock.now())).toBe(false);
      expect(await s.isSeen("b:failed", clock.now())).toBe(true);
      expect(await s.isSeen("c:failed", clock.now())).toBe(true);
      expect(await s.dropClaimsExcept([])).toBe(1);
      expect(await s.isSeen("c:failed", clock.now())).toBe(true);
    });

    test("a run that could not be processed gives its claim up at once", async () => {
      const db = await backend.open([intakeMigrations]);
      const clock = createManualClock(100_000);
      const s = createIntakeStore(db);
      const bus = createEventBus<DomainEvents>(createSilentLogger());
      const m = createMetricsRegistry();
      const counters = { enriched: m.counter("a", "a"), emitted: m.counter("b", "b"), deduplicated: m.counter("c", "c"), unconfirmed: m.counter("d", "d") };
      const failing = createRunProcessor({
        enricher: {
          enrich: async () => {
            throw new Error("bug");
          },
        },
        bus,
        store: s,
        clock,
        log: createSilentLogger(),
        dedupe: { enabled: true, ttlMs: 60_000 },
        counters,
        alertUnconfirmed: "qrsUnavailable",
        warnOnce: () => {},
        instanceId: "failing",
      });
      expect(await failing.claim("r2:failed", "r2")).toBe(true);
      expect(await failing.process({ source: "udp", outcome: "failed", executionId: "r2", taskId: "t" }, "r2:failed")).toBeUndefined();
      expect(await s.isSeen("r2:failed", clock.now())).toBe(false);
      expect(await processor(s, clock, []).claim("r2:failed", "r2", true)).toBe(true);
    });
  });
}
