// Chains that cannot work: composite-trigger cycles and one task's triggers firing together; bad trigger JSON.
import { describe, expect, test } from "bun:test";
import { createDoubleTriggerMemo, findCycles, findDoubleTriggers, readCompositeEvent, type ChainEdge } from "../../../../src/watch/watchdog/chains";
import { nextExpectedStart, readSchemaEvent, type ScheduleTrigger } from "../../../../src/watch/watchdog/schedule";
import { seededRandom } from "../../../helpers/seeded-random";

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

/** The first answer, kept as the reference: every pair of triggers, every pair of their next `horizon` fires. */
function pairwiseDoubleTriggers(triggers: readonly ScheduleTrigger[], fromMs: number, horizon = 50, toleranceMs = 60_000): [string, string][] {
  const fires = triggers.map((t) => {
    const list: number[] = [];
    let at = fromMs;
    for (let i = 0; i < horizon; i++) {
      const n = nextExpectedStart(t, at);
      if (n === undefined) break;
      list.push(n);
      at = n;
    }
    return list;
  });
  const pairs: [string, string][] = [];
  for (let i = 0; i < triggers.length; i++)
    for (let j = i + 1; j < triggers.length; j++)
      if (fires[i]!.some((a) => fires[j]!.some((b) => Math.abs(a - b) <= toleranceMs))) pairs.push([triggers[i]!.name, triggers[j]!.name]);
  return pairs;
}

describe("findDoubleTriggers gives the pairwise answer on a task of 180 weekly triggers", () => {
  const from = Date.parse("2026-01-01T00:00:00Z");
  const pad = (n: number) => String(n).padStart(2, "0");
  const read = (row: Record<string, unknown>): ScheduleTrigger => {
    const r = readSchemaEvent({ enabled: true, timeZone: "Europe/Stockholm", ...row });
    if (!r.ok) throw new Error(r.error);
    return r.trigger;
  };
  /** One trigger per quarter hour 08:00-16:45 on one weekday (1 Monday … 5 Friday), as the QMC writes them. */
  const quarter = (day: number, minute: number, name = `d${day} ${minute}`) =>
    read({
      id: name,
      name,
      incrementOption: 3,
      incrementDescription: "0 0 1 0",
      schemaFilterDescription: [`* * - ${day} 1 * * *`],
      startDate: `2026-01-05T${pad(Math.floor(minute / 60))}:${pad(minute % 60)}:00`,
    });
  const week = () => Array.from({ length: 180 }, (_, k) => quarter(1 + Math.floor(k / 36), 8 * 60 + (k % 36) * 15));
  /** Each shape with how many pairs it has (so the comparison is never of two empty answers by accident). */
  const shapes: Array<[string, ScheduleTrigger[], number]> = [
    ["the 180 alone", week(), 0],
    [
      "and an hourly trigger from Monday 08:00 (its 50 fires, to Wednesday 09:00, meet Monday's and Tuesday's hours 08-16 and Wednesday's 08 and 09)",
      [...week(), read({ id: "h", name: "hourly", incrementOption: 1, incrementDescription: "0 1 0 0", startDate: "2026-01-05T08:00:00" })],
      20,
    ],
    [
      "and a daily one at 12:00 and one at 12:00:30 (within the minute)",
      [
        ...week(),
        read({ id: "n", name: "noon", incrementOption: 2, incrementDescription: "0 0 1 0", startDate: "2026-01-01T12:00:00" }),
        read({ id: "n2", name: "noon and a half", incrementOption: 2, incrementDescription: "0 0 1 0", startDate: "2026-01-01T12:00:30" }),
      ],
      11,
    ],
    ["with Tuesday's list twice (36 twins)", [...week(), ...Array.from({ length: 36 }, (_, k) => quarter(2, 8 * 60 + k * 15, `twin ${k}`))], 36],
    [
      "and a trigger every 7 minutes from Monday 08:00 (11 of its 50 fires fall within the minute's tolerance of a quarter hour)",
      [...week(), read({ id: "s", name: "seven", incrementOption: 5, incrementDescription: "7 0 0 0", startDate: "2026-01-05T08:00:00" })],
      11,
    ],
  ];
  for (const [name, triggers, pairs] of shapes)
    test(name, () => {
      const expected = pairwiseDoubleTriggers(triggers, from);
      expect(expected).toHaveLength(pairs);
      expect(findDoubleTriggers(triggers, from)).toEqual(expected);
    });

  test("the pairwise answer on 60 generated tasks of 2-40 triggers of every increment", () => {
    const rnd = seededRandom(57);
    let found = 0;
    for (let task = 0; task < 60; task++) {
      const triggers = Array.from({ length: rnd.int(2, 40) }, (_, k) => {
        const option = rnd.pick([0, 1, 2, 3, 5]); // once, hourly, daily, weekly, custom
        const at = `2026-01-0${rnd.int(1, 7)}T${pad(rnd.int(0, 23))}:${pad(rnd.pick([0, 0, 15, 30, 45, rnd.int(0, 59)]))}:${pad(rnd.pick([0, 0, 30]))}`;
        return read({
          id: `t${k}`,
          name: `t${k}`,
          incrementOption: option,
          incrementDescription: option === 5 ? `${rnd.pick([5, 7, 15, 30, 90])} 0 0 0` : option === 1 ? `0 ${rnd.int(1, 6)} 0 0` : "0 0 1 0",
          ...(option === 3 ? { schemaFilterDescription: [`* * - ${rnd.int(0, 6)} 1 * * *`] } : {}),
          startDate: at,
        });
      });
      const expected = pairwiseDoubleTriggers(triggers, from);
      found += expected.length;
      expect(findDoubleTriggers(triggers, from)).toEqual(expected);
    }
    expect(found).toBeGreaterThan(20); // the shapes do meet: the comparison is not of empty answers
  });
});

describe("createDoubleTriggerMemo", () => {
  const from = Date.parse("2026-01-01T00:00:00Z");
  const daily = (name: string, time: string) => {
    const r = readSchemaEvent({
      id: name,
      name,
      enabled: true,
      incrementOption: 2,
      incrementDescription: "0 0 1 0",
      startDate: `2026-01-01T${time}`,
      timeZone: "UTC",
    });
    if (!r.ok) throw new Error(r.error);
    return r.trigger;
  };
  test("a rebuild computes only the task whose triggers changed, and its answer is findDoubleTriggers'", () => {
    const asked: string[][] = [];
    const memo = createDoubleTriggerMemo(undefined, (triggers, at) => {
      asked.push(triggers.map((t) => t.name));
      return findDoubleTriggers(triggers, at);
    });
    const a = [daily("a1", "06:00:00"), daily("a2", "06:00:00")];
    const b = [daily("b1", "06:00:00"), daily("b2", "18:00:00")];
    expect(memo.pairs("a", a, from)).toEqual([["a1", "a2"]]);
    expect(memo.pairs("b", b, from)).toEqual([]);
    memo.sweep();
    // An hour later (a rebuild of the site after task b changed): b only.
    const b2 = [daily("b1", "06:00:00"), daily("b2", "06:00:30")];
    expect(memo.pairs("a", [daily("a1", "06:00:00"), daily("a2", "06:00:00")], from + 3_600_000)).toEqual([["a1", "a2"]]);
    expect(memo.pairs("b", b2, from + 3_600_000)).toEqual(findDoubleTriggers(b2, from + 3_600_000));
    memo.sweep();
    expect(asked).toEqual([
      ["a1", "a2"],
      ["b1", "b2"],
      ["b1", "b2"],
    ]);
  });
  test("an answer a day old is computed again; a task left out of a rebuild is forgotten", () => {
    let calls = 0;
    const memo = createDoubleTriggerMemo(undefined, (triggers, at) => {
      calls++;
      return findDoubleTriggers(triggers, at);
    });
    const a = [daily("a1", "06:00:00"), daily("a2", "06:00:00")];
    memo.pairs("a", a, from);
    memo.sweep();
    memo.pairs("a", a, from + 86_400_000);
    memo.sweep();
    expect(calls).toBe(2);
    memo.sweep(); // a rebuild without task a
    memo.pairs("a", a, from + 86_400_000 + 1);
    expect(calls).toBe(3);
  });
});
