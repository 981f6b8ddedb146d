// app.stale knows what is already known (issue 59): no page while a reload of the app runs or is in a retry the
// Scheduler announced, none as a second page for a run already paged as running long or a start paged as missed (or a
// chain paged as stopped), none after task.disabled said the app's only task was turned off; each said on the task's view instead, and the page comes once the reason ends.
import { describe, expect, test } from "bun:test";
import { WatchdogSchema } from "../../../../src/watch/watchdog/config";
import { evaluate, type KnownCondition } from "../../../../src/watch/watchdog/evaluate";
import type { Execution } from "../../../../src/watch/watchdog/observations";
import type { Plan } from "../../../../src/watch/watchdog/qrs-plan";
import { DAY, dailySalesPlan, NOW, SIX_NIGHTS } from "./daily-sales-plan";

const cfg = WatchdogSchema.parse({});
const plan = dailySalesPlan();
// The app is two reloads overdue.
const runs = SIX_NIGHTS;
const exec = (status: number): Execution => ({
  resultId: "now",
  executionId: "e-now",
  taskId: "t1",
  status,
  createdMs: NOW - 60_000,
  modifiedMs: NOW - 60_000,
  startMs: NOW - 60_000,
});
const cond = (type: string): KnownCondition => ({ key: `${type}:t1`, type, taskId: "t1", appId: "a1", openedMs: NOW - DAY, details: {} });
const look = (over: {
  running?: Execution[];
  changed?: Execution[];
  open?: KnownCondition[];
  checkedUntilMs?: number;
  plan?: Plan;
  remediationHeld?: ReadonlyMap<string, string>;
}) =>
  evaluate({
    cfg,
    plan,
    nowMs: NOW,
    checkedUntilMs: NOW - 60_000,
    watchingSinceMs: NOW - 30 * DAY,
    runs,
    running: [],
    changed: [],
    open: [],
    startLatencyMs: 0,
    ...over,
  });
const stale = (r: ReturnType<typeof evaluate>) => r.opens.filter((o) => o.type === "stale").map((o) => o.appId);
const heldBack = (r: ReturnType<typeof evaluate>) => r.tasks.find((t) => t.id === "t1")?.staleHeldBack;

describe("app.stale holds back what is already known", () => {
  test("nothing known: the overdue app is stale", () => {
    const r = look({});
    expect(stale(r)).toEqual(["a1"]);
    expect(heldBack(r)).toBeUndefined();
  });
  test("a reload of it is running: not paged now, and the task's view says why", () => {
    const r = look({ running: [exec(2)] });
    expect(stale(r)).toEqual([]);
    expect(heldBack(r)).toBe('a reload is running (task "Reload Sales")');
  });
  test("the Scheduler retries its reload (QRS shows Retry): not paged", () => {
    expect(stale(look({ changed: [exec(10)] }))).toEqual([]);
    expect(stale(look({ open: [cond("retrying")] }))).toEqual([]);
  });
  test("its run was already paged as running long: not paged a second time", () => {
    const r = look({ open: [cond("running_long")] });
    expect(stale(r)).toEqual([]);
    expect(heldBack(r)).toContain("already paged as running long");
  });
  test("its only task was turned off and task.disabled said so: not paged", () => {
    expect(heldBack(look({ open: [cond("disabled")] }))).toContain("said the data ages until it runs again");
    expect(stale(look({ open: [cond("disabled")] }))).toEqual([]);
  });
  // One page per cause: the start that did not come is the cause, and its page names the app; the app past its due
  // time is that page's consequence (the demo paged "Task did not start" and "App data is stale" in the same second).
  test("its start did not come and task.missed named the app: not paged a second time", () => {
    const r = look({ open: [cond("missed")] });
    expect(stale(r)).toEqual([]);
    expect(heldBack(r)).toBe('task "Reload Sales" did not start when planned, and task.missed named this app');
  });
  test("the missed start found in the same look as the overdue app: the start is the one page", () => {
    // Looked at last before today's 06:00 due time: this look finds the start missing and the app overdue together.
    const r = look({ checkedUntilMs: Date.parse("2026-11-24T05:00:00Z") });
    expect(r.opens.map((o) => o.type)).toEqual(["missed"]);
    expect(heldBack(r)).toContain("did not start when planned");
  });
  test("the chain stopped at its task (task.chain_broken named the app): not paged a second time", () => {
    const r = look({ open: [cond("chain_broken")] });
    expect(stale(r)).toEqual([]);
    expect(heldBack(r)).toBe('the chain stopped at task "Reload Sales", and task.chain_broken named this app');
  });
  test("a condition of another kind (a skipped run) holds nothing back", () => {
    expect(stale(look({ open: [cond("skipped")] }))).toEqual(["a1"]);
  });
  // Issue 101: a remediation rule's hold is the incident's, and a stale app down the chain is a symptom of that failure.
  describe("a remediation rule retries a failure up its chain", () => {
    /** Reload Sales also runs after Extract Sales (its app Extract) succeeds: a task-event trigger. */
    const chained = (): Plan => {
      const p = dailySalesPlan();
      const t1 = p.tasks.get("t1")!;
      p.apps.set("a0", { id: "a0", name: "Extract", tags: [], customProperties: [] });
      p.tasks.set("t0", { ...t1, id: "t0", name: "Extract Sales", appId: "a0", schedules: [], chains: [] });
      p.tasks.set("t1", {
        ...t1,
        chains: [{ taskId: "t1", taskName: "Reload Sales", triggerName: "After the extract", upstreamIds: ["t0"], ruleStates: [1], constraintMs: 0 }],
      });
      return p;
    };
    const hold = 'remediation rule lock-retry is retrying task "Extract Sales" (retry 1 due): paged only if it gives up';
    test("without the rule's hold the app down the chain is stale", () => {
      expect(stale(look({ plan: chained() }))).toEqual(["a1"]);
    });
    test("while the rule retries the task up its chain: not paged, and the task's view says which rule holds it", () => {
      const r = look({ plan: chained(), remediationHeld: new Map([["t0", hold]]) });
      expect(stale(r)).toEqual([]);
      expect(heldBack(r)).toBe(`up its chain, ${hold}`);
    });
  });
});
