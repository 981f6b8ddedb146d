// What a look remembers for the next one (settings, usual durations) changes no judgement: a week of looks over runs
// kept as the SQLite store keeps them (lists grown and pruned in place) judges the same with the memo as without it,
// and the same from the recent runs held with what all runs teach (older ones read for the alerts open longer) as
// from every run.
import { expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate } from "../../../../src/watch/watchdog/evaluate";
import { createEvaluationMemo } from "../../../../src/watch/watchdog/evaluation-look";
import { createKeptRuns } from "../../../../src/watch/watchdog/kept-runs";
import { createLookRuns } from "../../../../src/watch/watchdog/look-runs";
import type { KnownCondition } from "../../../../src/watch/watchdog/evaluation-types";
import type { Execution } from "../../../../src/watch/watchdog/observations";
import type { RunRow } from "../../../../src/watch/watchdog/watch-store";
import { createRandom } from "../../../../src/platform/core/seeded-random";
import { hourlyTask, planOf } from "./hourly-plan";

const cfg = WatchdogSchema.parse({ runningLong: { minRuns: 3 }, keepRuns: "3d" });
const START = Date.parse("2026-11-23T00:00:00Z");
const HOUR = 3_600_000;

const hourly = (id: string, minute: number) => hourlyTask(id, Date.parse("2026-01-01T00:00:00.000Z") + minute * 60_000);

/** Runs held for half an hour here (two days in Steward): alerts stay open longer, so their older runs are read. */
const HOLD = 30 * 60_000;

test("a week of looks judges the same with the memo as without it, and from the recent runs held as from every run", async () => {
  const tasks = ["a", "b", "c", "d"].map((id, k) => hourly(id, 5 + k * 10));
  // A task that waits for a and b with no time limit between them (any success of keepRuns counts): it never starts, so
  // each success of a is a chain that stopped, found only with b's success from before the runs held.
  tasks.push({
    ...hourly("e", 0),
    schedules: [],
    chains: [{ taskId: "e", taskName: "Task e", triggerName: "After a and b", upstreamIds: ["a", "b"], ruleStates: [1, 1], constraintMs: 0 }],
  });
  const plan = planOf(tasks, START);
  const kept = createKeptRuns();
  kept.load(kept.readToken(), START - cfg.keepRuns, []);
  const memo = createEvaluationMemo();
  const random = createRandom(57);
  let checkedUntil = START;
  let running: Execution[] = [];
  let n = 0;
  const kinds = new Set<string>();
  let learned = 0;
  let chains = 0;
  let all: RunRow[] = [];
  let open: KnownCondition[] = [];
  let olderRead = 0;
  // Someone starts task e by hand after its chain was paged (so the alert closes and the chain is judged again).
  let restarted: RunRow[] = [];
  // The store as the look reads it: every run, and the runs held in memory with what they teach.
  const store = {
    keptRecentRuns: () => kept.recent(),
    runsSince: async (s: number) => all.filter((r) => r.stopMs >= s),
    runsOf: async (taskId: string, s: number) => {
      olderRead++;
      return all.filter((r) => r.taskId === taskId && r.stopMs >= s);
    },
    keptLearners: async (s: number) => kept.learners(s),
    firstStartFrom: async (taskId: string, from: number, after: boolean) => {
      olderRead++;
      return all
        .filter((r) => r.taskId === taskId && r.status !== 9 && (after ? r.createdMs > from : r.createdMs >= from))
        .sort((a, b) => a.createdMs - b.createdMs)[0];
    },
    lastEndedFrom: async (taskId: string, startedFrom: number) => {
      olderRead++;
      return all.filter((r) => r.taskId === taskId && r.status !== 10 && (r.startMs ?? 0) >= startedFrom).at(-1);
    },
  };
  const lookRuns = createLookRuns();
  for (let now = START + 15 * 60_000; now < START + 7 * 24 * HOUR; now += 15 * 60_000) {
    // Each task runs at its minute most hours, mostly in 2-6 minutes, sometimes an hour (a run past its usual), or
    // fails, or is missed; a run of task d is found late now and then (stored out of order).
    const added: RunRow[] = restarted;
    restarted = [];
    for (const t of tasks.slice(0, 4)) {
      const due = Math.floor((now - 15 * 60_000) / HOUR) * HOUR + (5 + 10 * "abcd".indexOf(t.id)) * 60_000;
      if (due <= now - 15 * 60_000 || due > now || random.next() < 0.05) continue;
      const long = random.next() < 0.05;
      const took = long ? HOUR : (2 + Math.floor(random.next() * 4)) * 60_000;
      const run: RunRow = { resultId: `r${++n}`, taskId: t.id, status: random.next() < 0.1 ? 8 : 7, createdMs: due, startMs: due + 1_000, stopMs: due + took };
      if (run.stopMs <= now) added.push(run);
      else running.push({ resultId: run.resultId, executionId: `e${n}`, taskId: t.id, status: 2, createdMs: due, startMs: due + 1_000, modifiedMs: due });
    }
    const ended = running.filter((e) => e.createdMs + HOUR <= now);
    running = running.filter((e) => e.createdMs + HOUR > now);
    for (const e of ended)
      added.push({ resultId: e.resultId, taskId: e.taskId, status: 7, createdMs: e.createdMs, startMs: e.startMs!, stopMs: e.createdMs + HOUR });
    kept.added(added);
    // The same runs as objects, as a store read gives them (in stop order, the first of equal stops first).
    all = [...all, ...added].sort((x, y) => x.stopMs - y.stopMs);
    const since = now - cfg.keepRuns;
    const held = await lookRuns.forLook(store, { cfg, plan, nowMs: now, checkedUntilMs: checkedUntil, startLatencyMs: 0, open });
    expect(held.runs).toEqual([]);
    const input = {
      cfg,
      plan,
      nowMs: now,
      checkedUntilMs: checkedUntil,
      watchingSinceMs: START,
      runs: [],
      runsByTask: held.runsByTask!,
      learners: held.learners!,
      running,
      changed: [],
      open,
      startLatencyMs: 0,
    };
    const withMemo = evaluate({ ...input, memo });
    const without = evaluate(input);
    expect(withMemo).toEqual(without);
    // The kept columns judge as the runs themselves do (the objects each look once held, or PostgreSQL's read).
    const { runsByTask: _columns, learners: _learned, ...plain } = input;
    expect(evaluate({ ...plain, runs: all.filter((r) => r.stopMs >= since) })).toEqual(without);
    for (const o of withMemo.opens) kinds.add(o.type);
    if (withMemo.opens.some((o) => o.type === "chain_broken"))
      restarted = [{ resultId: `r${++n}`, taskId: "e", status: 7, createdMs: now, startMs: now, stopMs: now + 60_000 }];
    chains += withMemo.opens.filter((o) => o.type === "chain_broken").length;
    learned += withMemo.tasks.filter((t) => t.usual).length;
    // What opened stays open until a look closes it, as the store keeps it.
    const closed = new Set(withMemo.closes.map((c) => c.key));
    open = [
      ...open.filter((c) => !closed.has(c.key)),
      ...withMemo.opens.filter((o) => !open.some((c) => c.key === o.key)).map((o) => ({ ...o, type: o.type as string })),
    ];
    checkedUntil = now;
    kept.pruned(since, now - HOLD);
  }
  // Some alerts stayed open past the runs held: their task's older runs were read, and judged the same.
  expect(olderRead).toBeGreaterThan(10);
  expect(chains).toBeGreaterThan(20);
  expect(kept.size().runs).toBeLessThan(20);
  // The looks did judge: missed starts, runs past their usual, usual durations learned.
  expect([...kinds].sort()).toEqual(["chain_broken", "missed", "running_long", "stale"]);
  expect(learned).toBeGreaterThan(100);
  // A week of looks judged three times each: CPU-bound, slow on a loaded machine.
}, 120_000);
