// Issue 102: whether this cycle's data came through an app's Qlik chain (chain-feed.ts), and the one state every page
// says of a promised app (verdicts.ts freshnessState): a reload after the chain's runs is fresh, one while a run
// upstream has failed is not, whatever its time.
import { expect, test } from "bun:test";
import { chainFeed, dataThrough } from "../../../../src/watch/freshness/chain-feed";
import type { JudgedPromise } from "../../../../src/watch/freshness/judge";
import { freshnessState, judgeVerdicts } from "../../../../src/watch/freshness/verdicts";
import type { TaskView } from "../../../../src/watch/watchdog/evaluate";

const at = (s: string) => Date.parse(`2026-11-19T${s}:00Z`);
const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const CYCLE = Date.parse("2026-11-18T06:00:00Z");
const task = (id: string, o: Partial<TaskView> = {}): TaskView => ({ id, name: id, watched: true, ...o });
const chain = (head: Partial<TaskView>, model: Partial<TaskView> = {}) => [
  task("extract", head),
  task("transform", { after: [{ upstreamIds: ["extract"], onSuccess: true }], ...model }),
  task("dashboard", { appId: APP, after: [{ upstreamIds: ["transform"], onSuccess: true }] }),
  // A clean-up after the model's failure is not the data's way.
  task("cleanup", { after: [{ upstreamIds: ["dashboard"], onSuccess: false }] }),
];

test("the chain upstream of the app's reload, by the task-event triggers; none known: today's rule", () => {
  const feed = chainFeed(APP, chain({ lastRunMs: at("01:38"), lastStatus: 7 }, { lastRunMs: at("01:58"), lastStatus: 7 }), CYCLE)!;
  expect(feed.upstream.map((u) => u.id)).toEqual(["transform", "extract"]);
  expect(feed.arrivedMs).toBe(at("01:58"));
  expect(dataThrough(feed, { lastSuccessStartMs: at("01:58"), lastSuccessMs: at("02:02") }, 60_000)).toBe(true);
  // Yesterday's 07:00 refresh came before this night's runs: the data has not come through yet.
  expect(dataThrough(feed, { lastSuccessMs: Date.parse("2026-11-18T07:04:00Z") }, 60_000)).toBe(false);
  expect(chainFeed(APP, [task("dashboard", { appId: APP })], CYCLE)).toBeUndefined();
  expect(dataThrough(undefined, { lastSuccessMs: at("07:04") }, 60_000)).toBe(true);
});

test("a failed run upstream holds the data: the 07:00 refresh after it is not fresh; started again, it runs", () => {
  const failed = chainFeed(APP, chain({ lastRunMs: at("01:38"), lastStatus: 8 }), CYCLE)!;
  expect(failed.blocked).toEqual({ task: "extract", taskId: "extract", atMs: at("01:38") });
  expect(dataThrough(failed, { lastSuccessStartMs: at("07:00"), lastSuccessMs: at("07:04") }, 60_000)).toBe(false);
  const rerun = chainFeed(APP, chain({ lastRunMs: at("01:38"), lastStatus: 8, runningSinceMs: at("09:00") }), CYCLE)!;
  expect(rerun.blocked).toBeUndefined();
  expect(rerun.running).toBe(true);
  expect(dataThrough(rerun, { lastSuccessMs: at("07:04") }, 60_000)).toBe(false);
  // A past deadline is judged by the runs before it: a run after it (the next cycle's) is not held against it.
  const later = chainFeed(APP, chain({ lastRunMs: at("01:38"), lastStatus: 8 }), CYCLE, Date.parse("2026-11-18T23:00:00Z"))!;
  expect(later.blocked).toBeUndefined();
  expect(dataThrough(later, { lastSuccessMs: Date.parse("2026-11-18T07:04:00Z") }, 60_000)).toBe(true);
});

test("one state: an open condition, else the verdict (held up is at risk, never fresh), else fresh once loaded", () => {
  const held = { promise: "p", appId: APP, deadlineMs: at("06:00"), fresh: false, heldBy: 'the run of "extract" failed' };
  expect(freshnessState(undefined, held, { lastSuccessMs: at("07:04") })).toBe("at_risk");
  expect(freshnessState("breached", held, { lastSuccessMs: at("07:04") })).toBe("late");
  expect(freshnessState("warning", undefined, {})).toBe("at_risk");
  // Not fresh yet while the chain runs as planned: its users still have the last data, up to date.
  expect(freshnessState(undefined, { ...held, heldBy: undefined }, { lastSuccessMs: at("07:04") })).toBe("fresh");
  expect(freshnessState(undefined, undefined, {})).toBe("unknown");
});

test("a failed run holds the data up only when nothing planned runs it again before the deadline", () => {
  const promise = {
    name: "sales-morning",
    text: "06:00",
    appIds: new Set([APP]),
    appNames: new Set<string>(),
    streams: new Set<string>(),
    appTags: new Set<string>(),
    deadlines: {
      warnBeforeMs: 0,
      atOrBefore: (t: number) => (t >= at("06:00") ? at("06:00") : Date.parse("2026-11-18T06:00:00Z")),
      after: (t: number) => (t < at("06:00") ? at("06:00") : Date.parse("2026-11-20T06:00:00Z")),
    },
  } as unknown as JudgedPromise;
  const app = { appId: APP, appName: "Sales dashboard", tags: [], lagsMs: [], lastSuccessMs: Date.parse("2026-11-18T07:04:00Z") };
  const verdict = (head: Partial<TaskView>, nowMs: number) =>
    judgeVerdicts({ promises: [promise], apps: [app], open: [], context: { upstreams: [], checkStates: new Map(), nowMs, tasks: chain(head) } })[0]!;
  // 01:38, the head failed and its next start is tomorrow's 01:30: held up, at risk on every page.
  const held = verdict({ lastRunMs: at("01:38"), lastStatus: 8, nextExpectedMs: Date.parse("2026-11-20T01:30:00Z") }, at("01:45"));
  expect(held).toMatchObject({ fresh: false, heldBy: 'the run of "extract" in its chain failed at 2026-11-19T01:38:00.000Z' });
  // The same failure with a planned start before the deadline (an ad hoc run that failed; tonight's is still to come).
  const planned = verdict({ lastRunMs: at("01:38"), lastStatus: 8, nextExpectedMs: at("03:00") }, at("01:45"));
  expect(planned.fresh).toBe(false);
  expect(planned.heldBy).toBeUndefined();
});
