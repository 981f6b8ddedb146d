// A proposal never widens (issue 86 point 6): a task whose name is a glob ("*", "Reload *") gets a rule that holds its
// own failures and no other task's, and two tasks whose names slug alike get two ids, each naming its own change.
import { describe, expect, test } from "bun:test";
import { parse } from "yaml";
import { measureNoise } from "../../../../src/show/noise/measure";
import { type ProposalContext, proposeChanges } from "../../../../src/show/noise/propose";
import type { NoiseIncident, NoisePage, Proposal } from "../../../../src/show/noise/types";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { withPageAfter } from "../../../../src/tell/incidents/page-after-rules";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { matchesSilence } from "../../../../src/tell/silences/matcher";

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 16, 0, 0);
const budget = { pagesPerPerson: 8, onCallPeople: 1, actedOnGoal: 0.3 };
const ctx: ProposalContext = { routes: [], pageAfterTasks: [], pageAfterTaskIds: [], maintenanceWindows: [], freshnessPromises: [] };

/** Each task fails at 02:10 on four nights; every incident closes by itself. */
function reportOf(tasks: Array<{ id: string; name: string }>) {
  const pages: NoisePage[] = [];
  const incidents = new Map<number, NoiseIncident>();
  let n = 0;
  for (const t of tasks)
    for (const d of [0, 1, 2, 3]) {
      n++;
      pages.push({
        route: "on-call",
        kind: "task.failed",
        status: "sent",
        eventId: `e${n}`,
        at: T0 + d * DAY + 2 * H + 10 * 60_000,
        subject: t.name,
        taskId: t.id,
        taskName: t.name,
        incidentId: n,
      });
      incidents.set(n, { id: n, acknowledgedAt: null, closedAt: T0 + d * DAY + 3 * H });
    }
  const r = measureNoise({ from: T0, to: T0 + 7 * DAY, zone: "UTC", pages, incidents, retried: [], budget, top: 10, routePageAfter: new Map() });
  return proposeChanges(r, ctx);
}

const failureOf = (id: string, name: string) => {
  const e = syntheticTaskEvent({ outcome: "failed" });
  return { ...e, task: { ...e.task, id, name } };
};

/** The incidents.pageAfter rule the proposal writes, read as the config loader reads it. */
const ruleOf = (p: Proposal) => IncidentsSchema.parse({ pageAfter: [p.edit!.value] }).pageAfter;

describe("a proposal holds only the noisy task", () => {
  for (const name of ["*", "Reload *", "Reload ?[x]*"]) {
    test(`a task named ${JSON.stringify(name)}: its pageAfter and quiet window name it by id, and other tasks still page`, () => {
      const proposals = reportOf([{ id: "t-star", name }]);
      const task = proposals.find((p) => p.kind === "page-after")!;
      expect(task.edit!.value).toEqual({ taskIds: ["t-star"], failures: 2, within: "12h" });
      expect(parse(task.yaml).incidents.pageAfter[0].taskNames).toBeUndefined();
      const rules = ruleOf(task);
      expect(withPageAfter(failureOf("t-star", name), rules).pageAfter?.from).toBe("incidents.pageAfter[0]");
      expect(withPageAfter(failureOf("t-other", "Reload Finance"), rules).pageAfter).toBeUndefined();
      expect(withPageAfter(failureOf("t-other2", name), rules).pageAfter).toBeUndefined();

      const quiet = proposals.find((p) => p.kind === "quiet-window")!;
      const matcher = (quiet.edit!.value as { matcher: Record<string, string[]> }).matcher;
      expect(matcher).toEqual({ taskIds: ["t-star"] });
      expect(matchesSilence(matcher, failureOf("t-star", name))).toBe(true);
      expect(matchesSilence(matcher, failureOf("t-other", "Reload Finance"))).toBe(false);
    });
  }
});

describe("proposal ids", () => {
  test("two tasks whose names slug alike get two ids, each naming its own task; the same numbers give the same ids", () => {
    const tasks = [
      { id: "t-a", name: "Reload Sales!" },
      { id: "t-b", name: "Reload Sales?" },
    ];
    const proposals = reportOf(tasks);
    const pageAfter = proposals.filter((p) => p.kind === "page-after");
    expect(pageAfter).toHaveLength(2);
    expect(new Set(proposals.map((p) => p.id)).size).toBe(proposals.length);
    expect(pageAfter.map((p) => (p.edit!.value as { taskIds: string[] }).taskIds[0])).toEqual(["t-a", "t-b"]);
    for (const p of pageAfter) expect(p.id).toMatch(/^page-after-task-reload-sales-[0-9a-f]{8}$/);
    // Their quiet windows have two names: one applied never stands for the other's.
    const windows = proposals.filter((p) => p.kind === "quiet-window").map((p) => (p.edit!.value as { name: string }).name);
    expect(windows).toHaveLength(2);
    expect(new Set(windows).size).toBe(2);
    expect(reportOf(tasks).map((p) => p.id)).toEqual(proposals.map((p) => p.id));
  });

  test("an id names one change: when the change proposed for the task becomes another, so does its id", () => {
    const [a] = reportOf([{ id: "t-a", name: "Reload Sales" }]).filter((p) => p.kind === "page-after");
    const b = proposeChanges(
      {
        ...measureNoise({ from: T0, to: T0 + 7 * DAY, zone: "UTC", pages: [], incidents: new Map(), retried: [], budget, top: 10, routePageAfter: new Map() }),
        tasks: [
          {
            name: "Reload Sales",
            taskId: "t-a",
            pages: 4,
            acknowledged: 0,
            actedOn: 0,
            recoveredAlone: 4,
            recoveredByRetry: 0,
            routes: ["on-call"],
            kinds: ["task.failed"],
            hours: [2, 2, 2, 2],
            days: 4,
            apps: [],
            chainPages: 0,
            scheduled: 0,
            minGapMs: 3 * H,
            repeats: 0,
          },
        ],
      },
      ctx,
    ).find((p) => p.kind === "page-after")!;
    expect(b.edit!.value).toMatchObject({ within: "1h" });
    expect(b.id).not.toBe(a!.id);
  });
});
