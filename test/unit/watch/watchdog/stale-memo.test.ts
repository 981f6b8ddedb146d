// A look works out an app's stale facts (its last success, how long after it the next is due) again only when what
// they read changed: the app or its task in the plan, its reload task's runs, or the runs of a task up its chain
// (whose usual duration moves the deadline of the apps after it). Unchanged, the last look's are reused (issue 89: at ×50 working them out for
// 5,800 apps each look was a quarter of its CPU), and every look judges as one without the memo.
import { expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate } from "../../../../src/watch/watchdog/evaluate";
import { createEvaluationMemo } from "../../../../src/watch/watchdog/evaluation-look";
import type { EvaluationInput } from "../../../../src/watch/watchdog/evaluation-types";
import { createKeptRuns } from "../../../../src/watch/watchdog/kept-runs";
import type { RunRow } from "../../../../src/watch/watchdog/watch-store";
import { hourlyTask, planOf } from "./hourly-plan";

const cfg = WatchdogSchema.parse({ runningLong: { minRuns: 3 }, keepRuns: "3d" });
const START = Date.parse("2026-11-23T00:00:00Z");
const HOUR = 3_600_000;
const MIN = 60_000;

test("an app's stale facts are worked out again only when its runs or those up its chain changed, and judge as without the memo", () => {
  const up = hourlyTask("up", Date.parse("2026-01-01T00:00:00.000Z"));
  // Reloads after each success of `up`: its deadline is up's next start plus up's usual duration plus its own.
  const down = {
    ...hourlyTask("down", 0),
    schedules: [],
    chains: [{ taskId: "down", taskName: "Task down", triggerName: "After up", upstreamIds: ["up"], ruleStates: [1], constraintMs: 0 }],
  };
  const alone = hourlyTask("alone", Date.parse("2026-01-01T00:30:00.000Z"));
  const plan = planOf([up, down, alone], START);
  const kept = createKeptRuns();
  kept.load(kept.readToken(), START - cfg.keepRuns, []);
  let n = 0;
  const run = (taskId: string, startMs: number, tookMs: number): RunRow => ({
    resultId: `r${++n}`,
    taskId,
    status: 7,
    createdMs: startMs,
    startMs,
    stopMs: startMs + tookMs,
  });
  // Five hours of runs: up takes 5 minutes and down 2 after it; alone takes 3.
  for (let h = 0; h < 5; h++)
    kept.added([run("up", START + h * HOUR, 5 * MIN), run("down", START + h * HOUR + 5 * MIN, 2 * MIN), run("alone", START + h * HOUR + 30 * MIN, 3 * MIN)]);
  const memo = createEvaluationMemo();
  const input = (nowMs: number): EvaluationInput => ({
    cfg,
    plan,
    nowMs,
    checkedUntilMs: nowMs - 5 * MIN,
    watchingSinceMs: START,
    runs: [],
    runsByTask: kept.recent()!.byTask,
    learners: kept.learners(nowMs - cfg.keepRuns)!,
    running: [],
    changed: [],
    open: [],
    startLatencyMs: 0,
  });
  const look = (nowMs: number) => {
    const withMemo = evaluate({ ...input(nowMs), memo });
    expect(withMemo).toEqual(evaluate(input(nowMs)));
    return withMemo;
  };
  const entries = () => new Map(["app-up", "app-down", "app-alone"].map((a) => [a, memo.stale.byApp.get(a)]));

  look(START + 4 * HOUR + 40 * MIN);
  const first = entries();
  for (const e of first.values()) expect(e).toBeDefined();
  const factsOf = (app: string) => (memo.stale.byApp.get(app) as { facts: { withinMs?: number } }).facts;
  const downWithin = factsOf("app-down").withinMs;
  expect(downWithin).toBeDefined();

  // Nothing ran since: every app's facts are the last look's.
  look(START + 4 * HOUR + 45 * MIN);
  for (const [app, e] of entries()) expect(e).toBe(first.get(app)!);

  // Only up ran, and took an hour: its app and the app after it in the chain are worked out again (down's deadline
  // now counts up's longer usual duration), the app of the task that did not run is not.
  kept.added([5, 6, 7, 8, 9, 10].map((h) => run("up", START + h * HOUR, HOUR - MIN)));
  look(START + 11 * HOUR + 1 * MIN);
  const after = entries();
  expect(after.get("app-up")).not.toBe(first.get("app-up")!);
  expect(after.get("app-down")).not.toBe(first.get("app-down")!);
  expect(after.get("app-alone")).toBe(first.get("app-alone")!);
  expect(factsOf("app-down").withinMs).not.toBe(downWithin);

  // The plan read again with only app-up's app changed (a reload outside, QRS's lastReloadTime): its task is a new
  // object too (plan-update.ts withAppsRead), so app-up and app-down after it are worked out again, app-alone is not.
  const reread = {
    ...plan,
    apps: new Map([...plan.apps].map(([id, a]) => [id, id === "app-up" ? { ...a, lastReloadMs: START + 11 * HOUR } : a])),
    tasks: new Map([...plan.tasks].map(([id, t]) => [id, id === "up" ? { ...t } : t])),
  };
  const at = START + 11 * HOUR + 5 * MIN;
  expect(evaluate({ ...input(at), plan: reread, memo })).toEqual(evaluate({ ...input(at), plan: reread }));
  const reread1 = entries();
  expect(reread1.get("app-up")).not.toBe(after.get("app-up")!);
  expect(reread1.get("app-down")).not.toBe(after.get("app-down")!);
  expect(reread1.get("app-alone")).toBe(after.get("app-alone")!);
  // Another start latency (another default grace) forgets them all.
  expect(evaluate({ ...input(at), plan: reread, startLatencyMs: 7 * MIN, memo })).toEqual(evaluate({ ...input(at), plan: reread, startLatencyMs: 7 * MIN }));
  for (const [app, e] of entries()) expect(e).not.toBe(reread1.get(app)!);
});
