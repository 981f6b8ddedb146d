// app.stale from the plan: an app reloaded by triggers is stale only when a reload its triggers expected has not
// succeeded within its usual duration plus grace; office hours, weekends and monthly gaps are quiet. Apps without a
// plan keep the learned interval. Dates are Europe/Stockholm, in March 2026 (CET, UTC+1) unless said otherwise.
import { describe, expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate } from "../../../../src/watch/watchdog/evaluate";
import type { Plan, WatchedTask } from "../../../../src/watch/watchdog/qrs-plan";
import { readSchemaEvent } from "../../../../src/watch/watchdog/schedule";
import type { RunRow } from "../../../../src/watch/watchdog/watch-store";

const cfg = WatchdogSchema.parse({});
const MIN = 60_000;
const Z = (s: string) => Date.parse(s);

function trigger(id: string, option: number, increment: string, filter: string, start: string) {
  const r = readSchemaEvent({
    id,
    name: id,
    enabled: true,
    incrementOption: option,
    incrementDescription: increment,
    schemaFilterDescription: [filter],
    startDate: start,
    timeZone: "Europe/Stockholm",
  });
  if (!r.ok) throw new Error(r.error);
  return r.trigger;
}

function task(id: string, appId: string, over: Partial<WatchedTask>): WatchedTask {
  return { id, name: id, taskType: 0, enabled: true, tags: [], customProperties: [], appId, schedules: [], chains: [], overrides: {}, ...over };
}

function planOf(...tasks: WatchedTask[]): Plan {
  return { tasks: new Map(tasks.map((t) => [t.id, t])), apps: new Map(), problems: [], readAtMs: Z("2026-03-01T00:00:00Z") };
}

/** Successful runs of `taskId` starting at each time, each `durMs` long. */
const runs = (taskId: string, starts: number[], durMs: number): RunRow[] =>
  starts.map((s) => ({ resultId: `${taskId}-${s}`, taskId, status: 7, createdMs: s, startMs: s, stopMs: s + durMs }));

function staleAt(plan: Plan, rows: RunRow[], nowMs: number) {
  const r = evaluate({ cfg, plan, nowMs, checkedUntilMs: nowMs, watchingSinceMs: nowMs, runs: rows, running: [], changed: [], open: [], startLatencyMs: 0 });
  return r.opens.filter((o) => o.type === "stale");
}

/** Hourly at ten past, 07:10–17:10 CET on Monday 2 … Friday 6 March 2026 (UTC = CET − 1 h). */
const officeStarts: number[] = [];
for (let day = 2; day <= 6; day++) for (let h = 7; h <= 17; h++) officeStarts.push(Z(`2026-03-0${day}T${String(h - 1).padStart(2, "0")}:10:00Z`));

describe("app.stale from the plan", () => {
  const office = task("office", "app-office", { schedules: [trigger("hourly-office", 1, "0 1 0 0", "* 7-17 - 1,2,3,4,5 * * * *", "2026-03-02T07:10:00.000")] });
  const rows = runs("office", officeStarts, 4 * MIN);

  test("an hourly office-hours app is not stale in the evening, at night or over the weekend", () => {
    for (const at of ["2026-03-06T19:00:00Z", "2026-03-07T03:00:00Z", "2026-03-07T12:00:00Z", "2026-03-08T22:00:00Z", "2026-03-09T06:18:00Z"])
      expect(staleAt(planOf(office), rows, Z(at))).toEqual([]);
  });

  test("…and stale on Monday once the 07:10 reload has not succeeded within its usual duration plus grace", () => {
    // Usual: its reloads take 4 min (the median, not the running-long limit); grace 5 min: due by 07:19 CET.
    expect(staleAt(planOf(office), rows, Z("2026-03-09T06:19:00Z"))).toEqual([]);
    const s = staleAt(planOf(office), rows, Z("2026-03-09T06:20:00Z"));
    expect(s.map((o) => [o.appId, o.details.expectedAtMs, o.openedMs])).toEqual([["app-office", Z("2026-03-09T06:10:00Z"), Z("2026-03-06T16:14:00Z")]]);
  });

  test("the learned interval alone (no plan) would have called the same app stale on Friday evening", () => {
    const unplanned = task("office", "app-office", {});
    expect(staleAt(planOf(unplanned), rows, Z("2026-03-06T19:00:00Z")).map((o) => o.appId)).toEqual(["app-office"]);
  });

  test("monthly on the 1st and the 15th: quiet on the 10th, stale on the 15th after the due reload did not come", () => {
    const monthly = task("monthly", "app-monthly", { schedules: [trigger("m", 4, "0 0 1 0", "* * - * * 1,15 * *", "2026-01-01T05:00:00.000")] });
    const done = runs("monthly", [Z("2026-02-15T04:00:00Z"), Z("2026-03-01T04:00:00Z")], 20 * MIN);
    expect(staleAt(planOf(monthly), done, Z("2026-03-10T12:00:00Z"))).toEqual([]);
    expect(staleAt(planOf(monthly), done, Z("2026-03-15T04:25:00Z"))).toEqual([]);
    // Its usual duration (20 min, the median of the two seen) + 5 min grace after 05:00 CET.
    expect(staleAt(planOf(monthly), done, Z("2026-03-15T04:26:00Z")).map((o) => o.details.expectedAtMs)).toEqual([Z("2026-03-15T04:00:00Z")]);
  });

  test("a front-end app fed through a chain (QVD → model → front end) is due after the chain's usual ends", () => {
    const qvd = task("qvd", "app-qvd", { schedules: [trigger("nightly", 2, "0 0 1 0", "* * - * * * * *", "2026-01-01T02:00:00.000")] });
    const chain = (id: string, up: string) => ({ taskId: id, taskName: id, triggerName: `after ${up}`, upstreamIds: [up], ruleStates: [1], constraintMs: 0 });
    const model = task("model", "app-model", { chains: [chain("model", "qvd")] });
    const front = task("front", "app-front", { chains: [chain("front", "model")] });
    const days = [1, 2, 3, 4, 5, 6].map((d) => Z(`2026-03-0${d}T01:00:00Z`));
    const history = [
      ...runs("qvd", days, 20 * MIN),
      ...runs(
        "model",
        days.map((d) => d + 20 * MIN),
        10 * MIN,
      ),
      ...runs(
        "front",
        days.map((d) => d + 30 * MIN),
        5 * MIN,
      ),
    ];
    const plan = planOf(qvd, model, front);
    // Each task at its usual duration (issue 64): qvd 02:00–02:20 CET, model –02:30, front –02:35; + 5 min grace.
    expect(staleAt(plan, history, Z("2026-03-07T01:24:00Z"))).toEqual([]);
    const late = staleAt(plan, history, Z("2026-03-07T01:41:00Z"));
    expect(late.map((o) => o.appId).sort()).toEqual(["app-front", "app-model", "app-qvd"]);
    const front7 = late.find((o) => o.appId === "app-front")!;
    expect(front7.details.expectedAtMs).toBeGreaterThan(Z("2026-03-07T01:20:00Z"));
  });

  describe("a failed upstream: its apps are stale when they would have been refreshed, not after running-long limits (issue 64)", () => {
    const qvd = task("qvd", "app-qvd", { schedules: [trigger("nightly", 2, "0 0 1 0", "* * - * * * * *", "2026-01-01T02:00:00.000")] });
    const chain = (id: string, up: string) => ({ taskId: id, taskName: id, triggerName: `after ${up}`, upstreamIds: [up], ruleStates: [1], constraintMs: 0 });
    const model = task("model", "app-model", { chains: [chain("model", "qvd")] });
    const front = task("front", "app-front", { chains: [chain("front", "model")] });
    const plan = planOf(qvd, model, front);
    // Ten nights of qvd 20 min, model 10 min, front 5 min, each a little slower or quicker than the others.
    const nights = Array.from({ length: 10 }, (_, k) => Z("2026-02-25T01:00:00Z") + k * 86_400_000);
    const history = nights.flatMap((d, k) => {
      const wobble = ((k % 3) - 1) * MIN;
      return [...runs("qvd", [d], 20 * MIN + wobble), ...runs("model", [d + 20 * MIN + wobble], 10 * MIN), ...runs("front", [d + 30 * MIN + wobble], 5 * MIN)];
    });
    const tonight = Z("2026-03-07T01:00:00Z");

    test("qvd fails at 02:12 CET: the model's app is stale at 02:35, the front end's at 02:40 (usual durations + grace)", () => {
      const failed: RunRow = { resultId: "qvd-failed", taskId: "qvd", status: 8, createdMs: tonight, startMs: tonight, stopMs: tonight + 12 * MIN };
      const rows = [...history, failed];
      const at = (iso: string) =>
        staleAt(plan, rows, Z(iso))
          .map((o) => o.appId)
          .sort();
      expect(at("2026-03-07T01:25:00Z")).toEqual([]);
      expect(at("2026-03-07T01:26:00Z")).toEqual(["app-qvd"]);
      expect(at("2026-03-07T01:36:00Z")).toEqual(["app-model", "app-qvd"]);
      expect(at("2026-03-07T01:40:00Z")).toEqual(["app-model", "app-qvd"]);
      const all = staleAt(plan, rows, Z("2026-03-07T01:41:00Z"));
      expect(all.map((o) => o.appId).sort()).toEqual(["app-front", "app-model", "app-qvd"]);
      // The front end's reload was expected when qvd's and the model's usual runs would have ended.
      expect(all.find((o) => o.appId === "app-front")!.details.expectedAtMs).toBe(tonight + 30 * MIN);
    });

    test("a slow night pages nothing: a task up the chain still running, or one that has just succeeded, holds the page back", () => {
      // qvd takes 45 min tonight (2¼ × its usual), the model starts at 02:45 CET and is still running at 02:50.
      const slow = runs("qvd", [tonight], 45 * MIN);
      const running = (taskId: string, startMs: number) => ({
        resultId: `${taskId}-now`,
        executionId: `${taskId}-exec`,
        taskId,
        status: 2,
        createdMs: startMs,
        modifiedMs: startMs,
        startMs,
      });
      const look = (nowMs: number, rows: RunRow[], run: ReturnType<typeof running>[]) =>
        evaluate({ cfg, plan, nowMs, checkedUntilMs: nowMs, watchingSinceMs: nowMs, runs: rows, running: run, changed: [], open: [], startLatencyMs: 0 });
      const during = look(tonight + 50 * MIN, [...history, ...slow], [running("model", tonight + 45 * MIN)]);
      expect(during.opens.filter((o) => o.type === "stale")).toEqual([]);
      expect(during.tasks.find((t) => t.id === "front")!.staleHeldBack).toContain('task "model"');
      // The model succeeded at 02:55:00; at 02:55:30 the front end has not started yet: its chain is moving.
      const modelDone = runs("model", [tonight + 45 * MIN], 10 * MIN);
      const gap = look(tonight + 55.5 * MIN, [...history, ...slow, ...modelDone], []);
      expect(gap.opens.filter((o) => o.type === "stale")).toEqual([]);
      expect(gap.tasks.find((t) => t.id === "front")!.staleHeldBack).toContain("has just succeeded");
      // Nothing ran after it, grace later: the front end's app is stale.
      const stopped = look(tonight + 61 * MIN, [...history, ...slow, ...modelDone], []);
      expect(stopped.opens.filter((o) => o.type === "stale").map((o) => o.appId)).toEqual(["app-front"]);
    });
  });
});
