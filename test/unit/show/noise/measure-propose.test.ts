import { describe, expect, test } from "bun:test";
import { measureNoise } from "../../../../src/show/noise/measure";
import { pageAfterFor, proposeChanges, type ProposalContext } from "../../../../src/show/noise/propose";
import type { NoiseIncident, NoisePage } from "../../../../src/show/noise/types";
import { loadByHour } from "../../../../src/show/noise/busy-hours";

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 16, 0, 0); // Monday 16 Nov 2026, 00:00 UTC

let seq = 0;
function page(p: Partial<NoisePage> & Pick<NoisePage, "at">): NoisePage {
  seq++;
  return {
    route: "on-call",
    kind: "task.failed",
    status: "sent",
    eventId: `e${seq}`,
    subject: "Reload Sales",
    taskId: "t-sales",
    taskName: "Reload Sales",
    ...p,
  };
}
/** A proposal's id without the hash that makes it unique (propose.ts proposalId). */
const base = (id: string) => id.replace(/-[0-9a-f]{8}$/, "");
const budget = { pagesPerPerson: 8, onCallPeople: 1, actedOnGoal: 0.3 };
const ctx: ProposalContext = {
  routes: [{ name: "on-call", index: 0, on: ["task.failed", "task.aborted"], pageAfter: false }],
  pageAfterTasks: [],
  pageAfterTaskIds: [],
  maintenanceWindows: [],
  freshnessPromises: [],
};

describe("measureNoise", () => {
  // Sales fails at 02:10 on four nights, each incident closes by itself; HR fails once and is acknowledged after 20 min.
  const pages = [
    ...[0, 1, 2, 3].map((d) => page({ at: T0 + d * DAY + 2 * H + 10 * 60_000, incidentId: 10 + d })),
    page({ at: T0 + 4 * DAY + 9 * H, subject: "HR headcount", taskId: "t-hr", taskName: "HR headcount", incidentId: 20 }),
    page({ at: T0 + 4 * DAY + 9 * H, status: "held", subject: "HR headcount", taskId: "t-hr", taskName: "HR headcount" }),
  ];
  const incidents = new Map<number, NoiseIncident>([
    ...[0, 1, 2, 3].map((d): [number, NoiseIncident] => [10 + d, { id: 10 + d, acknowledgedAt: null, closedAt: T0 + d * DAY + 3 * H }]),
    [20, { id: 20, acknowledgedAt: T0 + 4 * DAY + 9 * H + 20 * 60_000, closedAt: null }],
  ]);
  const report = measureNoise({
    from: T0,
    to: T0 + 7 * DAY,
    zone: "UTC",
    pages,
    incidents,
    retried: [{ taskId: "t-sales", taskName: "Reload Sales" }],
    budget,
    top: 5,
    routePageAfter: new Map(),
  });

  test("counts pages per route and kind, the shares and the median time to acknowledge", () => {
    expect(report.pages).toBe(5);
    expect(report.held).toBe(1);
    expect(report.rows).toEqual([
      { route: "on-call", kind: "task.failed", pages: 5, held: 1, acknowledged: 0.2, medianAckMs: 20 * 60_000, recoveredAlone: 0.8 },
    ]);
  });

  test("names the noisiest task first, with its hours, days and the runs its retry recovered", () => {
    expect(report.tasks.map((t) => [t.name, t.pages, t.recoveredAlone, t.recoveredByRetry, t.days])).toEqual([
      ["Reload Sales", 4, 4, 1, 4],
      ["HR headcount", 1, 0, 0, 1],
    ]);
    expect(report.tasks[0]!.hours).toEqual([2, 2, 2, 2]);
  });

  test("the budget line: pages per week against 8 per on-call person, and the share acted on", () => {
    expect(report.budget).toEqual({ pagesPerWeek: 5, budget: 8, over: false, actedOn: 0.2, actedOnGoal: 0.3 });
    const two = measureNoise({
      from: T0 + 5 * DAY,
      to: T0 + 7 * DAY,
      zone: "UTC",
      pages: pages.slice(4),
      incidents,
      retried: [],
      budget: { ...budget, onCallPeople: 2 },
      top: 5,
      routePageAfter: new Map(),
    });
    // One page in two days is 3.5 a week.
    expect(two.budget.pagesPerWeek).toBe(3.5);
    expect(two.budget.budget).toBe(16);
  });

  test("proposes page-after for the task, and a quiet window for pages clustered at night", () => {
    // One task's noise is that task's: no route-wide pageAfter (issue 102; acting-is-acting.test.ts has the route's).
    const proposals = proposeChanges(report, ctx);
    expect(proposals.map((p) => base(p.id))).toEqual(["page-after-task-reload-sales", "quiet-window-reload-sales"]);
    const [task, quiet] = proposals;
    expect(task!.yaml).toBe("incidents:\n  pageAfter:\n    - taskIds:\n        - t-sales\n      failures: 2\n      within: 12h");
    expect(quiet!.edit!.value).toMatchObject({ rrule: "FREQ=DAILY;BYHOUR=2;BYMINUTE=0", duration: "2h", matcher: { taskIds: ["t-sales"] } });
  });

  test("makes no proposal a config already has, nor for a source people act on", () => {
    const has: ProposalContext = {
      ...ctx,
      routes: [{ ...ctx.routes[0]!, pageAfter: true }],
      pageAfterTasks: ["reload sales"],
      // The window proposed before, applied (its name carries 4 hex digits of the task's id).
      maintenanceWindows: proposeChanges(report, ctx).flatMap((p) => (p.kind === "quiet-window" ? [(p.edit!.value as { name: string }).name] : [])),
    };
    expect(proposeChanges(report, has)).toEqual([]);
    const acted = measureNoise({
      from: T0,
      to: T0 + 7 * DAY,
      zone: "UTC",
      pages: pages.slice(0, 4),
      incidents: new Map([...incidents].map(([k, v]) => [k, { ...v, acknowledgedAt: v.closedAt! - H }])),
      retried: [],
      budget,
      top: 5,
      routePageAfter: new Map(),
    });
    expect(proposeChanges(acted, ctx)).toEqual([]);
  });

  test("proposes a freshness promise for a task paged as part of a chain's cause", () => {
    const cause = { id: 1, title: "Extract – ERP failed", tasks: 4, apps: ["Sales", "Finance"] };
    const chain = measureNoise({
      from: T0,
      to: T0 + 7 * DAY,
      zone: "UTC",
      pages: [0, 1].map((d) =>
        page({
          at: T0 + d * DAY + 5 * H,
          kind: "task.chain_broken",
          cause: { ...cause, id: 1 + d },
          taskName: "Extract – ERP",
          subject: "Extract – ERP",
          taskId: "t-erp",
          incidentId: 40 + d,
        }),
      ),
      incidents: new Map([0, 1].map((d): [number, NoiseIncident] => [40 + d, { id: 40 + d, acknowledgedAt: null, closedAt: T0 + d * DAY + 6 * H }])),
      retried: [],
      budget,
      top: 5,
      routePageAfter: new Map(),
    });
    const [p] = proposeChanges(chain, ctx);
    expect(base(p!.id)).toBe("freshness-promise-extract-erp");
    expect(p!.path).toMatch(/^freshness\.promises\.noise-extract-erp-[0-9a-f]{4}$/);
    expect(p!.edit!.value).toEqual({ appNames: ["Sales", "Finance"], freshBy: "06:00", timeZone: "UTC" });
  });

  test("the window of a proposed pageAfter is at most half the time between two pages, so incidents that ended by themselves do not add up", () => {
    expect(pageAfterFor(DAY)).toEqual({ failures: 2, within: "12h" });
    expect(pageAfterFor(3 * H)).toEqual({ failures: 2, within: "1h" });
    expect(pageAfterFor(null)).toEqual({ failures: 2, within: "1d" });
    expect(pageAfterFor(15 * 60_000)).toBeUndefined();
  });
});

describe("moving a trigger out of the node's busiest hour", () => {
  test("a task paged in the hour its node is busiest gets a move to the node's quietest hour, made in the QMC", () => {
    const nights = [0, 1, 2].map((d) =>
      page({ at: T0 + d * DAY + 2 * H + 40 * 60_000, kind: "task.failed", node: "reload01.corp.example", startedBy: "schedule" }),
    );
    const r = measureNoise({
      from: T0,
      to: T0 + 7 * DAY,
      zone: "UTC",
      pages: nights,
      incidents: new Map(),
      retried: [],
      budget,
      top: 5,
      routePageAfter: new Map(),
    });
    const hours = [0, 1, 2].flatMap((d) =>
      Array.from({ length: 24 }, (_, h) => ({
        node: "RELOAD01",
        hourMs: T0 + d * DAY + h * H,
        runningMs: h === 2 ? 50 * 60_000 : h === 4 ? 0 : 10 * 60_000,
        waitingMs: h === 2 ? 30 * 60_000 : 0,
      })),
    );
    const proposals = proposeChanges(r, { ...ctx, nodeLoad: loadByHour(hours, "UTC") });
    const move = proposals.find((p) => p.kind === "move-trigger")!;
    expect(base(move.id)).toBe("move-trigger-reload-sales");
    expect(move.title).toBe("Reload Sales: move its trigger from 02:00 to 04:00, out of reload01.corp.example's busiest hour");
    expect(move.edit).toBeUndefined();
    expect(move.path).toBe("QMC › Tasks › Reload Sales › Triggers");
    // Paged outside the busiest hour: nothing to move.
    const day = measureNoise({
      from: T0,
      to: T0 + 7 * DAY,
      zone: "UTC",
      pages: nights.map((p) => ({ ...p, at: p.at + 10 * H })),
      incidents: new Map(),
      retried: [],
      budget,
      top: 5,
      routePageAfter: new Map(),
    });
    expect(proposeChanges(day, { ...ctx, nodeLoad: loadByHour(hours, "UTC") }).filter((p) => p.kind === "move-trigger")).toEqual([]);
  });
});

describe("a route that pages every failure of an open incident (renotify: every)", () => {
  // Reload Sales fails five nights running: one incident, closed on the sixth day with nobody acknowledging it.
  const five = [0, 1, 2, 3, 4].map((d) => page({ at: T0 + d * DAY + 2 * H, incidentId: 30 }));
  const r = measureNoise({
    from: T0,
    to: T0 + 7 * DAY,
    zone: "UTC",
    pages: five,
    incidents: new Map([[30, { id: 30, acknowledgedAt: null, closedAt: T0 + 5 * DAY }]]),
    retried: [],
    budget,
    top: 5,
    routePageAfter: new Map(),
  });
  const every: ProposalContext = { ...ctx, routes: [{ ...ctx.routes[0]!, renotifyEvery: true }] };

  test("counts the pages about an incident the route had already paged", () => {
    expect(r.routes.map((x) => [x.name, x.pages, x.repeats])).toEqual([["on-call", 5, 4]]);
    expect(r.tasks.map((x) => [x.name, x.pages, x.repeats])).toEqual([["Reload Sales", 5, 4]]);
  });

  test("proposes renotify: once for the route, and no pageAfter or quiet window, which would hold a failure that lasts", () => {
    const proposals = proposeChanges(r, every);
    expect(proposals.map((p) => [base(p.id), p.path, p.yaml, p.live])).toEqual([
      ["renotify-once-route-on-call", "routes[0].renotify", "# in routes[0]\nrenotify: once", true],
    ]);
    expect(proposals[0]!.why).toBe(
      "5 pages, 4 of them about an incident the route had already paged. With renotify: once its further failures update the incident (dashboard, digest, assistant), and it pages again after it recovered or at its escalation.",
    );
    // A route that pages each incident once has no repeats to drop.
    expect(proposeChanges(r, ctx).map((p) => base(p.id))).not.toContain("renotify-once-route-on-call");
  });
});
