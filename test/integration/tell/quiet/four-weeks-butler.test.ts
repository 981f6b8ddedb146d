// Issue 76, "Done when" 2, the first half: the month site (test/helpers/month-site.ts) as a site switched from Butler
// runs it, its on-call route left at `renotify: every` (what `steward config import-butler` sets), from the evening
// before the night every retry fails (Tuesday 31 March, 20:00 UTC, day 8.8: the eight days before page the on-call
// route nothing, their failures fixed by the Scheduler's retry) to two hours into Saturday 11 April (QVD 04, failing
// five nights running, recovers in the first minutes of that day). Its noise report names the on-call route and QVD 04
// as the noisiest and proposes `renotify: once` for the route, by the edit four-weeks.test.ts applies to run the four
// weeks (test/helpers/month-butler.ts: the edit and the pages it predicts, asserted here and there). A file of its own
// so that the suite's workers run it beside the four weeks.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { line } from "../../../helpers/month-pages";
import {
  BUTLER_DAYS,
  BUTLER_FROM_DAY,
  butlerRoutes,
  failures,
  type NoiseAnswer,
  ON_CALL_OPENING,
  ON_CALL_ROUTE,
  onCallOpening,
  RENOTIFY_ONCE_EDIT,
} from "../../../helpers/month-butler";
import { type MonthPage, runMonth } from "../../../helpers/month-run";
import { createTempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";

const dir = createTempDir();
let butlerPages: MonthPage[] = [];
let butlerReport: NoiseAnswer | undefined;

beforeAll(async () => {
  const butler = await runMonth({ dir: dir.path, routes: butlerRoutes(), fromDay: BUTLER_FROM_DAY, days: BUTLER_DAYS });
  try {
    butlerReport = (await (await butler.run.t.request("/v4/noise?sinceDays=20")).json()) as NoiseAnswer;
    butlerPages = butler.pages();
  } finally {
    await butler.close();
  }
  // Bounded by the simulated clock's progress (runRichSite fails when it stands still); this is only the outer guard.
}, wallLimit(1_800_000));

afterAll(() => {
  console.log(`Days ${BUTLER_FROM_DAY.toFixed(2)} to ${BUTLER_DAYS} with renotify: every, ${butlerPages.length} pages:\n${butlerPages.map(line).join("\n")}`);
  dir.remove();
});

describe("the noise report of a site that pages every failure", () => {
  test("the report names the on-call route and QVD 04 as the noisiest, and proposes renotify: once for the route", () => {
    expect(failures(butlerPages, "QVD 04")).toEqual(["failed", "failed", "failed", "failed", "failed", "recovered"]);
    expect(butlerReport!.routes[0]).toEqual(expect.objectContaining({ name: ON_CALL_ROUTE, pages: 6, repeats: 4 }));
    expect(butlerReport!.tasks[0]).toEqual(expect.objectContaining({ name: "QVD 04", pages: 5 }));
    expect(butlerReport!.proposals.map((p) => [p.id.replace(/-[0-9a-f]{8}$/, ""), p.about, p.path, p.yaml])).toEqual([
      ["renotify-once-route-on-call", "route on-call", "routes[1].renotify", "# in routes[1]\nrenotify: once"],
    ]);
    // The edit the four weeks run with (four-weeks.test.ts) is this proposal's.
    expect(butlerReport!.proposals[0]?.edit).toEqual(RENOTIFY_ONCE_EDIT);
  });

  test("what the proposal says it saves: the route's 6 pages of these nights become 2 (the four weeks run it), every incident still paged", () => {
    expect(onCallOpening(butlerPages)).toBe(ON_CALL_OPENING.before);
    // Computed by replaying the 19 days with the change (issue 88); four-weeks.test.ts holds the nights run again to
    // the same after.
    expect(butlerReport!.proposals[0]?.replay).toEqual(
      expect.objectContaining({
        saved: ON_CALL_OPENING.before - ON_CALL_OPENING.after,
        sourceBefore: ON_CALL_OPENING.before,
        sourceAfter: ON_CALL_OPENING.after,
        incidentsUnpaged: 0,
      }),
    );
  });
});
