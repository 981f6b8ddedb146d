// The window in which enriched runs wait to be announced together (announce-window.ts, issue 89): a lone run goes at
// once; one that follows another within the window waits at most the window on the Clock, or until the window is
// full; runs of one window share the commit of their seen marks.
import { afterEach, describe, expect, test } from "bun:test";
import { ConfigSchema } from "../../../../src/composition/config";
import { createEventBus } from "../../../../src/platform/core/bus";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { DomainEvents, TaskEvent } from "../../../../src/platform/events/types";
import { createTaskEventEnricher } from "../../../../src/hear/events/enrich-task-event";
import { ANNOUNCE_WINDOW_MS, createAnnounceWindow } from "../../../../src/hear/intake/announce-window";
import { createIntakeStore, intakeMigrations } from "../../../../src/hear/intake/intake-store";
import { quietIntakeCounters } from "../../../helpers/intake-counters";
import { createRunProcessor, type ProcessResult } from "../../../../src/hear/intake/run-processor";
import { openStore } from "../../../../src/platform/store/database";
import type { SqliteSqlDb } from "../../../../src/platform/store/sqlite-db";
import { createTempDir } from "../../../helpers/temp-dir";
import { runItem, T0 } from "./intake-parts";

const turn = () => new Promise<void>((r) => setImmediate(r));

describe("announce window", () => {
  test("a lone run starts at once; one within the window waits for the window's end; a full window starts at once", async () => {
    const clock = createManualClock(T0);
    const w = createAnnounceWindow(clock, 5, 3);
    const started: string[] = [];
    w.hold(() => started.push("a"));
    expect(started).toEqual(["a"]);
    w.hold(() => started.push("b"));
    await clock.advance(4);
    w.hold(() => started.push("c"));
    expect(started).toEqual(["a"]);
    expect(w.waiting).toBe(2);
    // Bounded by the first waiting run's arrival: 5 ms after b, not after c.
    await clock.advance(1);
    expect(started).toEqual(["a", "b", "c"]);
    // Within the window of the last start again: waits, until the window holds maxRuns.
    w.hold(() => started.push("d"));
    w.hold(() => started.push("e"));
    expect(started).toHaveLength(3);
    w.hold(() => started.push("f"));
    expect(started).toEqual(["a", "b", "c", "d", "e", "f"]);
    // Quiet for the window's length: the next run goes at once.
    await clock.advance(5);
    w.hold(() => started.push("g"));
    expect(started.at(-1)).toBe("g");
  });

  test("a run handed on while others are being announced goes at once, unless a window is open", async () => {
    const clock = createManualClock(T0);
    const w = createAnnounceWindow(clock, 5, 10);
    const started: number[] = [];
    w.hold(() => started.push(1));
    w.hold(() => started.push(2), true);
    expect(started).toEqual([1, 2]);
    w.hold(() => started.push(3));
    w.hold(() => started.push(4), true);
    expect(started).toEqual([1, 2]);
    await clock.advance(5);
    expect(started).toEqual([1, 2, 3, 4]);
  });

  test("flush starts the waiting runs now; no window (0 ms) never holds", async () => {
    const clock = createManualClock(T0);
    const w = createAnnounceWindow(clock, 5, 10);
    const started: number[] = [];
    w.hold(() => started.push(1));
    w.hold(() => started.push(2));
    expect(started).toEqual([1]);
    w.flush();
    expect(started).toEqual([1, 2]);
    const none = createAnnounceWindow(clock, 0, 10);
    none.hold(() => started.push(3));
    none.hold(() => started.push(4));
    expect(started).toEqual([1, 2, 3, 4]);
  });
});

describe("the run processor's announcements", () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  function processor() {
    const dir = createTempDir("steward-announce-window-");
    const db = openStore(dir.path, [intakeMigrations]);
    const clock = createManualClock(T0);
    const log = createSilentLogger();
    const counters = quietIntakeCounters();
    const bus = createEventBus<DomainEvents>(log);
    const events: TaskEvent[] = [];
    bus.onAny((_k, e) => void events.push(e as TaskEvent));
    const store = createIntakeStore(db.sql);
    const p = createRunProcessor({
      enricher: createTaskEventEnricher(ConfigSchema.parse({}).intake.enrichment, {}, { log, clock }),
      bus,
      store,
      clock,
      log,
      dedupe: { enabled: true, ttlMs: 3_600_000 },
      alertUnconfirmed: "qrsUnavailable",
      counters,
      warnOnce: () => {},
      instanceId: "steward-a",
      announceAhead: 32,
    });
    p.open();
    cleanup = () => {
      p.close();
      db.close();
      dir.remove();
    };
    return { p, clock, events, store, seam: db.sql as SqliteSqlDb };
  }

  /** Enriched and handed on as the intake's workers do, one turn of the event loop apart. */
  async function handOn(p: ReturnType<typeof processor>["p"], n: number) {
    const items = Array.from({ length: n }, () => runItem("failed"));
    const announced: Array<Promise<ProcessResult>> = [];
    for (const item of items) {
      expect(await p.claim(item.key, item.report.executionId)).toBe(true);
      const r = await p.processRun(item.report, item.key, { markInBackground: true, announceAhead: true });
      if ("announced" in r) announced.push(r.announced);
      await turn();
    }
    return { items, announced };
  }

  test("runs handed on within the window are announced together at its end and their seen marks share one commit", async () => {
    const { p, clock, events, store, seam } = processor();
    const { items } = await handOn(p, 1);
    // A lone run is not held.
    for (let i = 0; i < 20 && events.length < 1; i++) await turn();
    expect(events.map((e) => e.executionId)).toEqual([items[0]!.report.executionId]);
    await p.marksSettled();

    await clock.advance(ANNOUNCE_WINDOW_MS);
    const first = await handOn(p, 1);
    await p.marksSettled();
    const next = await handOn(p, 3);
    for (let i = 0; i < 20; i++) await turn();
    // The three follow the previous run within the window: they wait for its end.
    expect(events).toHaveLength(2);
    const commits = seam.batches.transactions;
    await clock.advance(ANNOUNCE_WINDOW_MS);
    await Promise.all(next.announced);
    await p.marksSettled();
    expect(events.map((e) => e.executionId)).toEqual([items[0], first.items[0], ...next.items].map((i) => i!.report.executionId));
    for (const item of next.items) expect(await store.isSeen(item.key, clock.now())).toBe(true);
    expect(seam.batches.transactions - commits).toBe(1);
  });

  test("stopping announces the runs waiting in the window before it closes", async () => {
    const { p, events, store, clock } = processor();
    await handOn(p, 1);
    const { items } = await handOn(p, 2);
    expect(events).toHaveLength(1);
    await p.marksSettled();
    expect(events).toHaveLength(3);
    for (const item of items) expect(await store.isSeen(item.key, clock.now())).toBe(true);
  });
});
