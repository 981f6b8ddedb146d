// What four-weeks.test.ts (the four weeks, run with the noise report's proposal applied) and four-weeks-butler.test.ts
// (the site switched from Butler, whose report makes that proposal) share: the Butler-style run's span and routes, the
// proposal's edit that both files hold to, and the pages it predicts. Two files, so that the suite's workers run the
// two runs side by side: the four weeks apply the edit the other file asserts the report proposes, and each file
// asserts its side of the prediction (6 on-call pages become 2).
import type { ConfigEdit } from "../../src/show/noise/types";
import { isRecovery } from "./month-pages";
import { documentedRoutes, type MonthPage } from "./month-run";

export const DAY = 86_400_000;
/** The Butler-style run's days: from before QVD 03's failing night to QVD 04's five failing nights and its recovery. */
export const BUTLER_FROM_DAY = 8 + 20 / 24;
export const BUTLER_DAYS = 19.1;
/** The documented routes with on-call at `renotify: every`, as `steward config import-butler` sets it. */
export const butlerRoutes = () => documentedRoutes().map((r) => (r.name === "on-call" ? { ...r, renotify: "every" } : r));
export const ON_CALL_ROUTE = "on-call";
/** docs/noise.md's on-call route's channel (task.failed, task.aborted, task.recovered). */
export const ON_CALL = "ops-teams";

/** The edit of the report's one proposal, `renotify: once` for the on-call route (routes[1]), as the apply path writes it. */
export const RENOTIFY_ONCE_EDIT: ConfigEdit = {
  op: "set",
  path: ["routes", 1, "renotify"],
  value: "once",
  guard: { path: ["routes", 1, "name"], value: ON_CALL_ROUTE },
};
/** The on-call route's opening pages over the Butler-style run's nights: at `renotify: every`, and with the proposal. */
export const ON_CALL_OPENING = { before: 6, after: 2 };

export interface NoiseAnswer {
  pages: number;
  rows: Array<{ route: string; kind: string; pages: number }>;
  routes: Array<{ name: string; pages: number; repeats: number }>;
  tasks: Array<{ name: string; pages: number }>;
  budget: { pagesPerWeek: number; over: boolean };
  proposals: Array<{ id: string; about: string; path: string; yaml: string; edit?: ConfigEdit; replay?: Record<string, number> }>;
}

/** The on-call channel's pages about `task`: each a failure's page or its recovery. */
export const failures = (ps: MonthPage[], task: string) =>
  ps.filter((p) => p.channel === ON_CALL && p.task === task).map((p) => (isRecovery(p) ? "recovered" : "failed"));
/** The on-call channel's pages that open or update something. */
export const onCallOpening = (ps: MonthPage[]) => ps.filter((p) => p.channel === ON_CALL && !isRecovery(p)).length;
