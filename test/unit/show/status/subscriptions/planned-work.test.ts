// Which windows hold a promise's chain (planned-work.ts): a matcher on the chain's task names, a start of the chain
// inside the window but the deadline more than 12 h after it (the next cycle's), and when the business is told.
import { expect, test } from "bun:test";
import { MaintenanceWindowSchema } from "../../../../../src/tell/maintenance/config";
import { compileWindow } from "../../../../../src/tell/maintenance/windows";
import { plannedWorkNotices, tasksToPlace, tellAt } from "../../../../../src/show/status/subscriptions/planned-work";
import type { TaskView } from "../../../../../src/watch/watchdog/evaluate";

const at = (s: string) => Date.parse(s);
const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const tasks: TaskView[] = [
  { id: "t1", name: "Extract orders", watched: true, nextExpectedMs: at("2026-11-20T04:10:00Z") },
  { id: "t2", name: "Reload Sales dashboard", appId: APP, watched: true, after: [{ upstreamIds: ["t1"], onSuccess: true }] },
];
const apps = [
  {
    appId: APP,
    appName: "Sales dashboard",
    tags: [],
    promises: [{ name: "sales-morning", deadlineAfter: (t: number) => (t < at("2026-11-20T06:00:00Z") ? at("2026-11-20T06:00:00Z") : undefined) }],
  },
];
const window = (extra: object) =>
  compileWindow(MaintenanceWindowSchema.parse({ name: "w", start: "2026-11-20T05:00:00+01:00", end: "2026-11-20T06:00:00+01:00", ...extra }));
const notices = (w: ReturnType<typeof window>, nowMs = at("2026-11-19T15:30:00Z"), ts = tasks) =>
  plannedWorkNotices({ windows: [w], apps, tasks: ts, host: "sense1", zone: "Europe/Stockholm", nowMs }).map((n) => n.title);

test("the day before at 16:00 in the site's zone", () => {
  expect(new Date(tellAt(at("2026-11-20T04:00:00Z"), "Europe/Stockholm")).toISOString()).toBe("2026-11-19T15:00:00.000Z");
  expect(notices(window({}), at("2026-11-19T14:59:00Z"))).toEqual([]);
  expect(notices(window({}))).toEqual(["Sales dashboard may be late on Friday"]);
});

test("a matcher holds the chain when it names one of its tasks, upstream ones included", () => {
  expect(notices(window({ matcher: { taskNames: ["Extract*"] } }))).toEqual(["Sales dashboard may be late on Friday"]);
  expect(notices(window({ matcher: { taskNames: ["Finance*"] } }))).toEqual([]);
  expect(notices(window({ nodes: ["sense1"] }))).toEqual(["Sales dashboard may be late on Friday"]);
  expect(notices(window({ nodes: ["qlik2"] }))).toEqual([]);
});

test("a start in the window more than 12 h before the deadline is the cycle before: nothing told", () => {
  const early = [{ ...tasks[0]!, nextExpectedMs: at("2026-11-19T17:10:00Z") }, tasks[1]!];
  const evening = compileWindow(MaintenanceWindowSchema.parse({ name: "w", start: "2026-11-19T18:00:00+01:00", end: "2026-11-19T19:00:00+01:00" }));
  expect(notices(evening, at("2026-11-19T16:30:00Z"), early)).toEqual([]);
});

test("a reload started only by its extract's trigger is expected when the extract usually ends: a window then holds it", () => {
  // Extract orders at 04:30 in Stockholm (before the window), usually 45 minutes: the reload follows at 05:15, inside it.
  const usual = { medianMs: 45 * 60_000, madMs: 0, samples: 10, p90Ms: 45 * 60_000, p95Ms: 45 * 60_000, longestMs: 45 * 60_000 } as TaskView["usual"];
  const chained = [{ ...tasks[0]!, nextExpectedMs: at("2026-11-20T03:30:00Z"), usual }, tasks[1]!];
  expect(notices(window({ matcher: { taskNames: ["Reload*"] } }), undefined, chained)).toEqual(["Sales dashboard may be late on Friday"]);
  // The extract itself is before the window: a window on its name holds nothing.
  expect(notices(window({ matcher: { taskNames: ["Extract*"] } }), undefined, chained)).toEqual([]);
  // A loop of triggers with no time of its own is expected never, not followed forever.
  const loop: TaskView[] = [
    { id: "a", name: "A", watched: true, after: [{ upstreamIds: ["b"], onSuccess: true }] },
    { id: "b", name: "B", appId: APP, watched: true, after: [{ upstreamIds: ["a"], onSuccess: true }] },
  ];
  expect(notices(window({}), undefined, loop)).toEqual([]);
});

test("a window over a reload node holds the tasks whose last run ran there, not the Qlik host's", () => {
  const onReload01 = (w: ReturnType<typeof window>, nodes?: Map<string, string>) =>
    plannedWorkNotices({
      windows: [w],
      apps,
      tasks,
      ...(nodes ? { nodes } : {}),
      host: "sense1",
      zone: "Europe/Stockholm",
      nowMs: at("2026-11-19T15:30:00Z"),
    }).map((n) => n.title);
  const ranOnReload01 = new Map([["t1", "reload01"]]);
  expect(onReload01(window({ nodes: ["reload01"] }), ranOnReload01)).toEqual(["Sales dashboard may be late on Friday"]);
  expect(onReload01(window({ nodes: ["reload01"] }))).toEqual([]);
  // Where every task of the chain ran is known: a window over the Qlik host is not over them any more.
  expect(onReload01(window({ nodes: ["sense1"] }), new Map([...ranOnReload01, ["t2", "reload01"]]))).toEqual([]);
  expect(tasksToPlace({ windows: [window({ nodes: ["reload01"] })], tasks, zone: "Europe/Stockholm", nowMs: at("2026-11-19T15:30:00Z") }).sort()).toEqual([
    "t1",
    "t2",
  ]);
  expect(tasksToPlace({ windows: [window({ nodes: ["reload01"] })], tasks, zone: "Europe/Stockholm", nowMs: at("2026-11-19T14:30:00Z") })).toEqual([]);
});
