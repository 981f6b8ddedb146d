// Proposals an administrator can trust (issue 88 point 1): only for a source whose pages were noise by the report's
// own measure, one cause page counted once whatever the routes, days of history before proposing, only changes that
// apply to the source, and times in the site's zone, written so every YAML reader takes them as written.
import { describe, expect, test } from "bun:test";
import { loadByHour } from "../../../../src/show/noise/busy-hours";
import { type MeasureInput, measureNoise } from "../../../../src/show/noise/measure";
import { noiseSections } from "../../../../src/show/noise/noise-text";
import { MIN_HISTORY_DAYS, type ProposalContext, proposeChanges } from "../../../../src/show/noise/propose";
import type { NoiseIncident, NoisePage } from "../../../../src/show/noise/types";

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 2, 0, 0); // Monday 2 Nov 2026
const TO = T0 + 28 * DAY;
const budget = { pagesPerPerson: 8, onCallPeople: 1, actedOnGoal: 0.3 };
const ctx: ProposalContext = {
  routes: [
    { name: "on-call", index: 0, on: ["task.failed", "task.chain_broken"], pageAfter: false, named: true },
    { name: "team-mail", index: 1, on: ["task.failed", "task.chain_broken"], pageAfter: false, named: true },
  ],
  pageAfterTasks: [],
  pageAfterTaskIds: [],
  maintenanceWindows: [],
  freshnessPromises: [],
};

let seq = 0;
const page = (p: Partial<NoisePage> & Pick<NoisePage, "at">): NoisePage => ({
  route: "on-call",
  kind: "task.chain_broken",
  status: "sent",
  eventId: `e${++seq}`,
  subject: "Extract ERP",
  taskId: "t-erp",
  taskName: "Extract ERP",
  ...p,
});
/** The same event told on both routes, as a route per channel does. */
const onBothRoutes = (p: NoisePage): NoisePage[] => [p, { ...p, route: "team-mail" }];
const cause = (id: number) => ({ id, title: "Extract ERP failed", tasks: 3, apps: ["Sales", "Finance"] });

function report(pages: NoisePage[], incidents: Map<number, NoiseIncident>, more: Partial<MeasureInput> = {}) {
  return measureNoise({ from: T0, to: TO, zone: "UTC", pages, incidents, retried: [], budget, top: 10, routePageAfter: new Map(), ...more });
}

describe("a fault that paged once per cause gets no proposal", () => {
  // Extract ERP fails five nights running: one incident, one cause, paged once (on two routes), fixed by a person.
  const first = page({ at: T0 + 2 * H, incidentId: 1, cause: cause(1) });
  const fault = report(onBothRoutes(first), new Map([[1, { id: 1, acknowledgedAt: null, closedAt: T0 + 5 * DAY }]]));

  test("one cause page on two routes counts once for its source", () => {
    expect(fault.tasks.map((t) => [t.name, t.pages, t.chainPages, t.routes])).toEqual([["Extract ERP", 1, 1, ["on-call", "team-mail"]]]);
    expect(proposeChanges(fault, ctx)).toEqual([]);
  });

  test("a chain that broke on two nights and was mended by people (acknowledged) is work, not noise: no promise", () => {
    const nights = [0, 7].flatMap((d, i) => onBothRoutes(page({ at: T0 + d * DAY + 2 * H, incidentId: 10 + i, cause: cause(10 + i) })));
    const incidents = new Map(
      [0, 1].map((i): [number, NoiseIncident] => [10 + i, { id: 10 + i, acknowledgedAt: T0 + i * 7 * DAY + 3 * H, closedAt: T0 + i * 7 * DAY + 4 * H }]),
    );
    expect(proposeChanges(report(nights, incidents), ctx)).toEqual([]);
  });
});

describe("enough history before proposing", () => {
  // Four nights of a flaky task, each ended by itself: a proposal with four weeks of history.
  const nights = [0, 1, 2, 3].map((d) => page({ at: TO - (4 - d) * DAY + 2 * H, kind: "task.failed", incidentId: 20 + d, cause: undefined }));
  const incidents = new Map(
    [0, 1, 2, 3].map((d): [number, NoiseIncident] => [20 + d, { id: 20 + d, acknowledgedAt: null, closedAt: TO - (4 - d) * DAY + 3 * H }]),
  );

  test(`proposes with ${MIN_HISTORY_DAYS} days or more of kept deliveries, nothing with minutes`, () => {
    const long = report(nights, incidents, { firstRecordAt: T0 });
    expect(long.historyDays).toBe(28);
    expect(proposeChanges(long, ctx).map((p) => p.kind)).toContain("page-after");
    // The demo's case: what the store holds began 3 minutes ago.
    const short = report(
      nights.map((p, i) => ({ ...p, at: TO - 3 * 60_000 + i * 1000 })),
      incidents,
      { firstRecordAt: TO - 3 * 60_000 },
    );
    expect(short.historyDays).toBe(0);
    expect(proposeChanges(short, ctx)).toEqual([]);
    // The report says why: the text `steward noise`, the weekly report and the dashboard show.
    const sections = noiseSections({ ...short, proposals: [] });
    expect(sections.at(-1)!.empty).toBe(
      "Nothing proposed yet: proposals need 2 days of kept pages to tell what recurs, and Steward has kept less than an hour.",
    );
  });
});

describe("only changes that apply to the source", () => {
  test("no trigger move for a task a chain starts (it has no trigger of its own to move)", () => {
    const hours = [0, 1, 2].flatMap((d) =>
      Array.from({ length: 24 }, (_, h) => ({ node: "reload01", hourMs: T0 + d * DAY + h * H, runningMs: h === 2 ? 50 * 60_000 : 5 * 60_000, waitingMs: 0 })),
    );
    const pagesStartedBy = (startedBy: NoisePage["startedBy"]) =>
      [0, 1, 2].map((d) => page({ at: T0 + d * DAY + 2 * H + 30 * 60_000, kind: "task.failed", node: "reload01", startedBy, cause: undefined }));
    const moves = (startedBy: NoisePage["startedBy"]) =>
      proposeChanges(report(pagesStartedBy(startedBy), new Map()), { ...ctx, nodeLoad: loadByHour(hours, "UTC") }).filter((p) => p.kind === "move-trigger");
    expect(moves("schedule")).toHaveLength(1);
    expect(moves("chain")).toEqual([]);
    expect(moves(undefined)).toEqual([]);
  });
});

describe("times in the site's zone", () => {
  test("a proposed promise is due in the site's zone, its freshBy quoted", () => {
    // 01:10 UTC is 02:10 in Stockholm: due 03:00 there, not 02:00 UTC.
    const nights = [0, 1, 2].map((d) => page({ at: T0 + d * DAY + H + 10 * 60_000, incidentId: 30 + d, cause: cause(30 + d) }));
    const incidents = new Map([0, 1, 2].map((d): [number, NoiseIncident] => [30 + d, { id: 30 + d, acknowledgedAt: null, closedAt: T0 + d * DAY + 4 * H }]));
    const [promise] = proposeChanges(report(nights, incidents, { zone: "Europe/Stockholm" }), ctx).filter((p) => p.kind === "freshness-promise");
    expect(promise!.edit!.value).toEqual({ appNames: ["Sales", "Finance"], freshBy: "03:00", timeZone: "Europe/Stockholm" });
    expect(promise!.yaml).toContain('freshBy: "03:00"');
  });
});
