// The intake's persisted memory on both store back ends: seen keys with expiry, state, pending distribute
// polls, the run processor's claims on top of it — and, with several Stewards on one store, a run heard of by
// all of them announced by exactly one; a claim of a Steward that died runs out so the run is not lost.
import { afterAll, describe, expect, test } from "bun:test";
import { createIntakeStore, intakeMigrations } from "../../../../src/hear/intake/intake-store";
import { CLAIM_LEASE_MS, createRunProcessor } from "../../../../src/hear/intake/run-processor";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock, type Clock } from "../../../../src/platform/core/clock";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { DomainEvents, TaskEvent } from "../../../../src/platform/events/types";
import type { RunReport } from "../../../../src/hear/events/enrich-task-event";
import type { IntakeStore } from "../../../../src/hear/intake/intake-store";
import { bothBackends } from "../../../helpers/sql-backends";
import { openStore } from "../../../../src/platform/store/database";
import { createTempDir } from "../../../helpers/temp-dir";

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

    test("an execution's runs are found by their keys, without an index on the execution id; a key of another shape is refused", async () => {
      const db = await backend.open([intakeMigrations]);
      const s = createIntakeStore(db);
      await s.markSeen([{ key: "d1:distribute", executionId: "d1" }], "udp", 1_000, 60_000);
      await s.markSeen([{ key: "a1:aborted", executionId: "a1" }], "reconcile", 1_000, 60_000);
      expect(await s.isExecutionSeen("d1", 2_000)).toBe(true);
      expect(await s.isExecutionSeen("a1", 2_000)).toBe(true);
      expect(await s.isExecutionSeen("a", 2_000)).toBe(false);
      expect(await s.isExecutionSeen("d1", 61_000)).toBe(false);
      expect(await s.claim("c1:succeeded", "c1", "udp", 2_000, CLAIM_LEASE_MS, "me")).toBe(true);
      expect(await s.isExecutionClaimed("c1", 2_000)).toBe(true);
      expect(await s.isExecutionSeen("c1", 2_000)).toBe(true);
      expect(await s.isExecutionClaimed("d1", 2_000)).toBe(false);
      // A key the execution's lookups would not find is a bug in the caller, refused before it is stored.
      await expect(s.markSeen([{ key: "e1-failed", executionId: "e1" }], "udp", 1_000, 60_000)).rejects.toThrow(/not runKey\("e1"/);
      await expect(s.claim("e2:failed", "e1", "udp", 1_000, CLAIM_LEASE_MS, "me")).rejects.toThrow(/not runKey/);
      await expect(s.markSeen([{ key: "e1:started", executionId: "e1" }], "udp", 1_000, 60_000)).rejects.toThrow(/not runKey/);
      expect(await s.seenCount()).toBe(backend.name === "sqlite" ? 2 : 3);
      const indexes =
        backend.name === "sqlite"
          ? await db.all<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'intake_seen'")
          : await db.all<{ name: string }>("SELECT indexname AS name FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'intake_seen'");
      expect(indexes.map((i) => i.name)).not.toContain("intake_seen_execution");
      expect(indexes.map((i) => i.name)).toContain("intake_seen_expiry");
    });

    test("a run writes one row on SQLite, its seen mark (the claim is held in memory: one process holds the file); on PostgreSQL the claim is a row", async () => {
      const db = await backend.open([intakeMigrations]);
      const clock = createManualClock(100_000);
      const rows = async () => db.all<{ key: string; claimed_by: string | null }>("SELECT key, claimed_by FROM intake_seen ORDER BY key");
      const got: TaskEvent[] = [];
      const p = processor(createIntakeStore(db), clock, got);
      expect(await p.claim("w1:failed", "w1")).toBe(true);
      expect((await rows()).map((r) => r.claimed_by === null)).toEqual(backend.name === "sqlite" ? [] : [false]);
      // Another intake on the same connection sees the claim all the same.
      const other = processor(createIntakeStore(db), clock, got);
      expect(await other.claim("w1:failed", "w1", true)).toBe(false);
      expect(await other.claimedElsewhere("w1")).toBe(true);
      await p.process({ source: "udp", outcome: "failed", executionId: "w1", taskId: "t" }, "w1:failed");
      expect(await rows()).toEqual([{ key: "w1:failed", claimed_by: null }]);
      expect(await other.claimedElsewhere("w1")).toBe(false);
      expect(await other.claim("w1:failed", "w1", true)).toBe(false);
      expect(got.map((e) => e.id)).toEqual(["w1:failed"]);
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

test("upgrading a SQLite store: the claim rows the last process left and the execution index go, the seen marks stay", async () => {
  const dir = createTempDir("steward-intake-upgrade-");
  try {
    const v3 = openStore(dir.path, [{ module: "intake", migrations: intakeMigrations.migrations.filter((m) => m.version <= 3) }]);
    const insert = "INSERT INTO intake_seen (key, execution_id, source, seen_at, expires_at, claimed_by) VALUES (?, ?, 'udp', 1, ?, ?)";
    await v3.sql.run(insert, ["k1:failed", "k1", Date.now() + 60_000, "steward-before"]);
    await v3.sql.run(insert, ["k2:failed", "k2", Date.now() + 60_000, null]);
    v3.close();
    const now = openStore(dir.path, [intakeMigrations]);
    try {
      const s = createIntakeStore(now.sql);
      expect(await now.sql.all("SELECT key FROM intake_seen ORDER BY key")).toEqual([{ key: "k2:failed" }]);
      expect(await s.isExecutionSeen("k2", Date.now())).toBe(true);
      expect(await s.isExecutionSeen("k1", Date.now())).toBe(false);
      expect(await now.sql.all("SELECT name FROM sqlite_master WHERE name = 'intake_seen_execution'")).toEqual([]);
    } finally {
      now.close();
    }
  } finally {
    dir.remove();
  }
});
