// Putting an Engine reload's lines together: start to end, the lines that follow the end within `settle`, one key
// whatever a Steward heard of the start, and bounds on everything held.
import { describe, expect, test } from "bun:test";
import type { EngineLine, EngineLineKind } from "../../../../src/hear/engine/engine-line";
import {
  createReloadTracker,
  type FinishedReload,
  MAX_LINE_CHARS,
  MAX_LINES_CHARS_PER_RELOAD,
  MAX_LINES_PER_RELOAD,
} from "../../../../src/hear/engine/reload-tracker";
import { createManualClock } from "../../../../src/platform/core/clock";

const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const T0 = Date.parse("2026-11-24T10:00:00Z");

function mk(kind: EngineLineKind, atMs: number, o: Partial<EngineLine> = {}): EngineLine {
  return {
    prefix: "engine-reload",
    host: "sense2.corp.example",
    appId: APP,
    sessionId: "s1",
    user: "CORP\\bob",
    timestamp: new Date(atMs).toISOString(),
    timeMs: atMs,
    level: kind === "failure" ? "ERROR" : "INFO",
    proxySessionId: "77",
    logger: "AuditActivity.Engine",
    message: kind,
    kind,
    text: kind === "failure" ? "Error: Field 'x' not found" : kind,
    truncated: false,
    ...o,
  };
}

function setup(limits: Partial<{ settleMs: number; forgetRunningAfterMs: number; maxOpen: number }> = {}) {
  const clock = createManualClock(T0);
  const finished: FinishedReload[] = [];
  const counts: string[] = [];
  const tracker = createReloadTracker(
    { settleMs: 5_000, forgetRunningAfterMs: 3_600_000, maxOpen: 100, ...limits },
    { clock, counts: { line: () => {}, forgotten: (r) => counts.push(r) }, finished: (r) => finished.push(r) },
  );
  return { clock, finished, counts, tracker };
}

describe("a reload's lines", () => {
  test("start, failure and the service log's line after it: one reload, handed on after settle, with its failing lines", async () => {
    const { clock, finished, tracker } = setup();
    tracker.add(mk("start", T0), T0);
    await clock.advance(20_000);
    tracker.add(mk("failure", T0 + 20_000, { logger: "Service.Engine", text: "Reload failed: Cannot open file" }), clock.now());
    tracker.add(mk("failure", T0 + 20_000), clock.now());
    await clock.advance(4_999);
    expect(finished).toEqual([]);
    await clock.advance(1);
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({
      appId: APP,
      user: "CORP\\bob",
      proxySessionId: "77",
      startMs: T0,
      endMs: T0 + 20_000,
      outcome: "failed",
      lines: ["Reload failed: Cannot open file", "Error: Field 'x' not found"],
      loggers: ["Service.Engine", "AuditActivity.Engine"],
    });
  });

  test("the key is the same whether the start was heard or not (two Stewards claim the same reload)", async () => {
    const a = setup();
    const b = setup();
    a.tracker.add(mk("start", T0), T0);
    for (const s of [a, b]) s.tracker.add(mk("success", T0 + 9_000), T0 + 9_000);
    await a.clock.advance(20_000);
    await b.clock.advance(20_000);
    expect(a.finished[0]!.key).toBe(b.finished[0]!.key);
    expect(a.finished[0]!.startMs).toBe(T0);
    expect(b.finished[0]!.startMs).toBeUndefined();
  });

  test("a failure line after a success line of the same end makes it a failure; a repeated line is kept once", async () => {
    const { clock, finished, tracker } = setup();
    tracker.add(mk("success", T0), T0);
    tracker.add(mk("failure", T0), T0);
    tracker.add(mk("failure", T0), T0);
    await clock.advance(5_000);
    expect(finished.map((r) => [r.outcome, r.lines.length])).toEqual([["failed", 1]]);
  });

  test("the session's next reload ends the one settling; two sessions are two reloads", async () => {
    const { clock, finished, tracker } = setup();
    tracker.add(mk("failure", T0), T0);
    tracker.add(mk("start", T0 + 1_000), T0 + 1_000);
    expect(finished).toHaveLength(1);
    tracker.add(mk("success", T0 + 3_000), T0 + 3_000);
    tracker.add(mk("success", T0 + 3_000, { sessionId: "s2" }), T0 + 3_000);
    await clock.advance(10_000);
    expect(finished.map((r) => [r.sessionId, r.outcome, r.startMs])).toEqual([
      ["s1", "failed", undefined],
      ["s1", "succeeded", T0 + 1_000],
      ["s2", "succeeded", undefined],
    ]);
  });

  test("a line whose time names no zone takes the time it was heard", async () => {
    const { clock, finished, tracker } = setup();
    tracker.add(mk("success", T0, { timeMs: undefined, timestamp: "2026-11-24 11:00:00,000" }), T0 + 42);
    await clock.advance(5_000);
    expect(finished[0]!.endMs).toBe(T0 + 42);
  });

  test("flush hands on every reload still settling (Steward stops)", () => {
    const { finished, tracker } = setup();
    tracker.add(mk("failure", T0), T0);
    tracker.flush();
    expect(finished).toHaveLength(1);
  });
});

describe("bounds", () => {
  test("starts beyond maxOpen and starts older than forgetRunningAfter are forgotten, counted", async () => {
    const { counts, tracker } = setup({ maxOpen: 10, forgetRunningAfterMs: 60_000 });
    for (let i = 0; i < 25; i++) tracker.add(mk("start", T0, { sessionId: `s${i}` }), T0);
    expect(tracker.size().open).toBe(10);
    expect(counts.filter((c) => c === "overflow")).toHaveLength(15);
    tracker.add(mk("start", T0 + 120_000, { sessionId: "late" }), T0 + 120_000);
    expect(tracker.size().open).toBe(1);
    expect(counts.filter((c) => c === "stale")).toHaveLength(10);
  });

  test("a flood of end lines of one reload keeps at most MAX_LINES_PER_RELOAD lines and MAX_LINES_CHARS_PER_RELOAD characters, each line cut", async () => {
    const { clock, finished, tracker } = setup();
    for (let i = 0; i < 1_000; i++) tracker.add(mk("failure", T0, { text: `Error ${i} ${"x".repeat(5_000)}` }), T0);
    await clock.advance(5_000);
    expect(finished[0]!.lines.length).toBeLessThanOrEqual(MAX_LINES_PER_RELOAD);
    expect(finished[0]!.lines.join("").length).toBeLessThanOrEqual(MAX_LINES_CHARS_PER_RELOAD);
    expect(finished[0]!.lines.every((l) => l.length <= MAX_LINE_CHARS)).toBe(true);
  });

  test("more reloads settling than maxOpen: the oldest is judged early, not lost", () => {
    const { finished, tracker } = setup({ maxOpen: 10 });
    for (let i = 0; i < 15; i++) tracker.add(mk("failure", T0, { sessionId: `s${i}` }), T0);
    expect(finished.map((r) => r.sessionId)).toEqual(["s0", "s1", "s2", "s3", "s4"]);
    expect(tracker.size().settling).toBe(10);
  });
});
