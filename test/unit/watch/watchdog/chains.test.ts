// Chains that cannot work: composite-trigger cycles and one task's triggers firing together; bad trigger JSON.
import { describe, expect, test } from "bun:test";
import { findCycles, findDoubleTriggers, readCompositeEvent, type ChainEdge } from "../../../../src/watch/watchdog/chains";
import { readSchemaEvent, type ScheduleTrigger } from "../../../../src/watch/watchdog/schedule";

const edge = (taskId: string, ...ups: string[]): ChainEdge => ({
  taskId,
  taskName: taskId,
  triggerName: `after ${ups.join("+")}`,
  upstreamIds: ups,
  ruleStates: ups.map(() => 1),
});

describe("findCycles", () => {
  test("A waits for B and B for A: one cycle, reported once", () => {
    expect(findCycles([edge("a", "b"), edge("b", "a")])).toEqual([["a", "b"]]);
  });
  test("a longer loop and a plain chain beside it", () => {
    expect(findCycles([edge("b", "a"), edge("c", "b"), edge("a", "c"), edge("y", "x")])).toEqual([["a", "b", "c"]]);
  });
  test("a chain without a loop and a task waiting on itself", () => {
    expect(findCycles([edge("b", "a"), edge("c", "b")])).toEqual([]);
    expect(findCycles([edge("s", "s")])).toEqual([["s"]]);
  });
  test("a wide diamond lattice without loops stays quick and finds none; closing it finds one group", () => {
    const edges: ChainEdge[] = [];
    for (let layer = 0; layer < 40; layer++) for (const x of ["l", "r"]) edges.push(edge(`${layer + 1}${x}`, `${layer}l`, `${layer}r`));
    expect(findCycles(edges)).toEqual([]);
    const closed = findCycles([...edges, edge("0l", "40r")]);
    expect(closed).toHaveLength(1);
    expect(closed[0]).toContain("0l");
    expect(closed[0]).toContain("40r");
  });
});

describe("readCompositeEvent", () => {
  const raw = {
    id: "c1",
    name: "After extract",
    enabled: true,
    reloadTask: { id: "B", name: "Model" },
    externalProgramTask: null,
    userSyncTask: null,
    compositeRules: [{ ruleState: 1, reloadTask: { id: "A", name: "Extract" }, externalProgramTask: null }],
  };
  test("reads the owner and its upstream tasks", () => {
    expect(readCompositeEvent(raw)).toEqual({
      ok: true,
      enabled: true,
      edge: { taskId: "b", taskName: "Model", triggerName: "After extract", upstreamIds: ["a"], ruleStates: [1] },
    });
  });
  test("missing fields are errors naming them", () => {
    expect(readCompositeEvent({ ...raw, compositeRules: undefined })).toMatchObject({ ok: false, error: expect.stringContaining("compositeRules") });
    expect(readCompositeEvent({ ...raw, reloadTask: null })).toMatchObject({ ok: false, error: expect.stringContaining("names no task") });
    expect(readCompositeEvent({ ...raw, compositeRules: [{ ruleState: 1 }] })).toMatchObject({ ok: false, error: expect.stringContaining("Model") });
  });
});

describe("findDoubleTriggers", () => {
  const trig = (name: string, option: number, desc: string, start: string): ScheduleTrigger => {
    const r = readSchemaEvent({ id: name, name, enabled: true, incrementOption: option, incrementDescription: desc, startDate: start, timeZone: "UTC" });
    if (!r.ok) throw new Error(r.error);
    return r.trigger;
  };
  const from = Date.parse("2026-01-01T00:00:00Z");
  test("an hourly and a daily trigger on the same hour fire together", () => {
    expect(findDoubleTriggers([trig("hourly", 1, "0 1 0 0", "2026-01-01T00:00:00"), trig("daily 6", 2, "0 0 1 0", "2026-01-01T06:00:00")], from)).toEqual([
      ["hourly", "daily 6"],
    ]);
  });
  test("two daily triggers at different times do not", () => {
    expect(findDoubleTriggers([trig("06", 2, "0 0 1 0", "2026-01-01T06:00:00"), trig("18", 2, "0 0 1 0", "2026-01-01T18:00:00")], from)).toEqual([]);
  });
  test("a task with 180 weekly triggers (one per quarter hour, as the QMC writes 'every 15 minutes on weekdays') and one twin", () => {
    const pad = (n: number) => String(n).padStart(2, "0");
    const weekly = (k: number, name = `q${k}`) => {
      const r = readSchemaEvent({
        id: name,
        name,
        enabled: true,
        incrementOption: 3,
        incrementDescription: "0 0 1 0",
        schemaFilterDescription: [`* * - ${1 + Math.floor(k / 36)} 1 * * *`],
        startDate: `2026-01-05T${pad(8 + Math.floor((k % 36) / 4))}:${pad((k % 4) * 15)}:00`,
        timeZone: "UTC",
      });
      if (!r.ok) throw new Error(r.error);
      return r.trigger;
    };
    const triggers = Array.from({ length: 180 }, (_, k) => weekly(k));
    expect(findDoubleTriggers(triggers, from)).toEqual([]);
    // A second trigger at Wednesday 10:30 (k = 2·36 + 2·4 + 2 = 82) pairs with that one only.
    expect(findDoubleTriggers([...triggers, weekly(82, "twin")], from)).toEqual([["q82", "twin"]]);
  });
});
