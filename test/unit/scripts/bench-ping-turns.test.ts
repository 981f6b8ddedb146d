// The ping row's measurement in turns (issue 89): every target measured once a turn, the order rotated, and each
// turn's ratio taken against the reference's run of the same turn.
import { describe, expect, test } from "bun:test";
import { pingRatio, pingTurns, type PingTarget } from "../../../scripts/bench-ping-turns";
import type { WrkRun } from "../../../scripts/bench-floor-rows";
import { mainThreadUserMs, statTimes } from "../../../scripts/bench-proc";

const run = (cpuUsPerRequest: number): WrkRun => ({ requests: 1_000, non2xx: 0, p50Ms: 1, p99Ms: 2, cpuUsPerRequest });
const target = (name: string): PingTarget => ({ name, url: `http://127.0.0.1/${name}`, pid: 1 });

describe("pingTurns", () => {
  test("warms each target up once, then measures every target once a turn, starting each turn one further on", async () => {
    const calls: string[] = [];
    const runs = await pingTurns([target("floor"), target("A"), target("B")], {
      turns: 3,
      seconds: 3,
      warmupSeconds: 2,
      run: async (t, seconds) => {
        calls.push(`${t.name}:${seconds}`);
        return run(calls.length);
      },
    });
    expect(calls).toEqual(["floor:2", "A:2", "B:2", "floor:3", "A:3", "B:3", "A:3", "B:3", "floor:3", "B:3", "floor:3", "A:3"]);
    // The warm-up runs are not kept; each target's runs are in turn order.
    expect(runs.floor!.map((r) => r.cpuUsPerRequest)).toEqual([4, 9, 11]);
    expect(runs.A!.map((r) => r.cpuUsPerRequest)).toEqual([5, 7, 12]);
    expect(runs.B!.map((r) => r.cpuUsPerRequest)).toEqual([6, 8, 10]);
  });
});

describe("pingRatio", () => {
  test("pairs each run with the reference's of the same turn, and gives the ratio of the medians", () => {
    // A slow moment of the machine in turn 2 lands on both: its ratio stays that of the other turns.
    const r = pingRatio([run(10), run(20), run(11)], [run(8), run(16), run(8)]);
    expect(r.perTurn.map((x) => Number(x.toFixed(3)))).toEqual([1.25, 1.25, 1.375]);
    expect(r.medianUs).toBe(11);
    expect(r.refMedianUs).toBe(8);
    expect(r.ofMedians).toBe(11 / 8);
  });

  test("takes the measure it is given: the main thread's user time, paired by turn like the process's CPU", () => {
    const user = (cpu: number, mainUser: number): WrkRun => ({ ...run(cpu), mainUserUsPerRequest: mainUser });
    const r = pingRatio([user(12, 5), user(11, 6)], [user(8, 4), user(10, 4)], (x) => x.mainUserUsPerRequest!);
    expect(r.perTurn).toEqual([1.25, 1.5]);
    expect(r.medianUs).toBe(5.5);
    expect(r.refMedianUs).toBe(4);
  });
});

describe("statTimes", () => {
  test("reads user and system time (clock ticks of 10 ms) after a command name that holds spaces and parentheses", () => {
    const line = "4242 (bun (main) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 1234 56 0 0 20 0 9 0 100 1000 200";
    expect(statTimes(line)).toEqual({ userMs: 12_340, systemMs: 560 });
  });

  test("this process's main thread is read: a whole number of ms, never less after work than before", () => {
    const before = mainThreadUserMs(process.pid);
    expect(Number.isInteger(before)).toBe(true);
    const until = performance.now() + 200;
    let spin = 0;
    while (performance.now() < until) spin++;
    expect(spin).toBeGreaterThan(0);
    expect(mainThreadUserMs(process.pid)).toBeGreaterThanOrEqual(before);
  });
});
