// Issue 76, "Done when" 2: the four-week site as a site switched from Butler runs it, its on-call route left at
// `renotify: every` (what `steward config import-butler` sets): QVD 04, failing five nights running, pages each
// night. The noise report names the route and the task, and proposes `renotify: once` for the route; the proposal
// is written into the scenario's config by the edit the apply path writes (POST /v4/noise/proposals/{id}/apply),
// and the same nights run again page the task once and its recovery once, every cause at most twice, none without
// a cause. The first 19 days and two hours are enough: QVD 04 recovers in the first minutes of Saturday 11 April.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { applyEdit } from "../../../../src/show/noise/config-edit";
import type { ConfigEdit } from "../../../../src/show/noise/types";
import { faultOf, isRecovery, line } from "../../../helpers/month-pages";
import { documentedRoutes, type MonthPage, type MonthRun, runMonth } from "../../../helpers/month-run";
import { createTempDir } from "../../../helpers/temp-dir";

const DAYS = 19.1;
const ON_CALL = "ops-teams";
const butler = documentedRoutes().map((r) => (r.name === "on-call" ? { ...r, renotify: "every" } : r));

interface NoiseAnswer {
  routes: Array<{ name: string; pages: number; repeats: number }>;
  tasks: Array<{ name: string; pages: number }>;
  proposals: Array<{ id: string; about: string; path: string; yaml: string; edit?: ConfigEdit }>;
}

const dirs = [createTempDir(), createTempDir()];
let before: MonthRun | undefined;
let after: MonthRun | undefined;
let report: NoiseAnswer | undefined;

beforeAll(async () => {
  before = await runMonth({ dir: dirs[0]!.path, routes: butler, days: DAYS });
  report = (await (await before.run.t.request("/v4/noise?sinceDays=20")).json()) as NoiseAnswer;
  const edit = report.proposals[0]?.edit;
  if (edit) after = await runMonth({ dir: dirs[1]!.path, routes: butler, days: DAYS, transformYaml: (yaml) => applyEdit(yaml, edit) });
}, 1_800_000);

afterAll(async () => {
  console.log(`Before:\n${before?.pages().map(line).join("\n")}\nAfter:\n${after?.pages().map(line).join("\n")}`);
  await before?.close();
  await after?.close();
  for (const d of dirs) d.remove();
});

const failures = (run: MonthRun | undefined, task: string) =>
  (run?.pages() ?? []).filter((p) => p.channel === ON_CALL && p.task === task).map((p) => (isRecovery(p) ? "recovered" : "failed"));

describe("the noise report of a site that pages every failure, its proposal applied and the nights run again", () => {
  test("the report names the on-call route and QVD 04 as the noisiest, and proposes renotify: once for the route", () => {
    expect(failures(before, "QVD 04")).toEqual(["failed", "failed", "failed", "failed", "failed", "recovered"]);
    expect(report!.routes[0]).toEqual(expect.objectContaining({ name: "on-call", pages: 6, repeats: 4 }));
    expect(report!.tasks[0]).toEqual(expect.objectContaining({ name: "QVD 04", pages: 5 }));
    expect(report!.proposals.map((p) => [p.id, p.about, p.path, p.yaml])).toEqual([
      ["renotify-once-route-on-call", "route on-call", "routes[1].renotify", "# in routes[1]\nrenotify: once"],
    ]);
  });

  test("applied, the same nights page QVD 04 once and its recovery once", () => {
    // The routes are a JSON flow list in the scenario's file: the edit writes the key as the list does.
    expect(after?.yaml).toMatch(/"renotify": once/);
    expect(failures(after, "QVD 04")).toEqual(["failed", "recovered"]);
    const opening = (run: MonthRun | undefined) => (run?.pages() ?? []).filter((p) => p.channel === ON_CALL && !isRecovery(p)).length;
    expect({ before: opening(before), after: opening(after) }).toEqual({ before: 6, after: 2 });
  });

  test("and nothing else broke: every page has a cause an injected fault explains, at most two per cause", () => {
    const pages: MonthPage[] = after?.pages() ?? [];
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((p) => p.about === "none" || !faultOf(p, after!.faults)).map(line)).toEqual([]);
    const per = new Map<string, MonthPage[]>();
    for (const p of pages) per.set(`${p.channel} ${p.about}`, [...(per.get(`${p.channel} ${p.about}`) ?? []), p]);
    expect([...per].filter(([, ps]) => ps.length > 2).map(([k, ps]) => `${k}: ${ps.map(line).join(" | ")}`)).toEqual([]);
  });
});
