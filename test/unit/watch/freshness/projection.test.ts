// The projection /status shows: nothing for an app fresh already, before its chain begins, or for a "never older
// than" promise; while its chain runs, when it is expected and whether 07:00 will be missed, with the reason for the
// administrator and another for users that names no job or task; for a deadline already missed, when it will be fresh.
import { expect, test } from "bun:test";
import { compilePromise } from "../../../../src/watch/freshness/compile-promise";
import { FreshnessSchema } from "../../../../src/watch/freshness/config";
import type { AppFreshness } from "../../../../src/watch/freshness/freshness-store";
import type { Upstream } from "../../../../src/watch/freshness/judge";
import { projectFreshness } from "../../../../src/watch/freshness/projection";
import type { CheckState } from "../../../../src/watch/checkins/checkin-store";

const at = (s: string) => Date.parse(s);
const cfg = FreshnessSchema.parse({
  promises: {
    "sales-morning": { appNames: ["Sales"], freshBy: "07:00", timeZone: "UTC" },
    "hr-live": { appNames: ["HR"], maxAge: "2h" },
  },
});
const promises = Object.entries(cfg!.promises).map(([n, p]) => compilePromise(n, p));
const app = (name: string, lastSuccessMs?: number): AppFreshness => ({
  appId: `id-${name.toLowerCase()}`,
  appName: name,
  tags: [],
  lagsMs: [60 * 60_000],
  ...(lastSuccessMs !== undefined ? { lastSuccessMs } : {}),
});
// The ERP job feeds Sales, due at 05:00 every day.
const erp: Upstream = {
  check: "erp",
  dueAtOrBefore: (t) => {
    const d = new Date(t);
    const due = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 5);
    return due <= t ? due : due - 86_400_000;
  },
  appIds: new Set(),
  appNames: new Set(["sales"]),
};
const project = (
  nowIso: string,
  apps: AppFreshness[],
  erpState?: Omit<CheckState, "name">,
  open: Array<{ key: string; deadlineMs: number; level: "warning" | "breached" }> = [],
) =>
  projectFreshness({
    promises,
    apps,
    open,
    context: { upstreams: [erp], checkStates: new Map(erpState ? [["erp", { name: "erp", ...erpState }]] : []), nowMs: at(nowIso) },
  });

test("before the chain begins, fresh already, or a never-older-than promise: nothing to project", () => {
  const yesterday = at("2026-11-24T06:10:00Z");
  expect(project("2026-11-25T04:00:00Z", [app("Sales", yesterday), app("HR", yesterday)])).toEqual([]);
  expect(project("2026-11-25T06:30:00Z", [app("Sales", at("2026-11-25T06:20:00Z"))], { lastSuccessMs: at("2026-11-25T05:10:00Z") })).toEqual([]);
});

test("the job checked in: expected an hour later (its usual lag), on time; checked in late: 07:00 will be missed", () => {
  const yesterday = app("Sales", at("2026-11-24T06:10:00Z"));
  expect(project("2026-11-25T05:20:00Z", [yesterday], { lastSuccessMs: at("2026-11-25T05:10:00Z") })).toEqual([
    { promise: "sales-morning", appId: "id-sales", deadlineMs: at("2026-11-25T07:00:00Z"), expectedMs: at("2026-11-25T06:10:00Z") },
  ]);
  const [late] = project("2026-11-25T06:30:00Z", [yesterday]);
  expect(late).toEqual({
    promise: "sales-morning",
    appId: "id-sales",
    deadlineMs: at("2026-11-25T07:00:00Z"),
    missed: '"erp" has not checked in, and the app is usually fresh 60 min after it does',
    missedForUsers: "the data it is loaded from has not arrived yet",
  });
  const [failed] = project("2026-11-25T05:30:00Z", [yesterday], { lastFailMs: at("2026-11-25T05:20:00Z") });
  expect(failed).toMatchObject({
    missed: 'the job "erp" failed',
    missedForUsers: "the data it is loaded from did not arrive: the job that delivers it failed",
  });
});

test("a deadline missed (an open breach): when the app will now be fresh", () => {
  const open = [{ key: "freshness:sales-morning:id-sales", deadlineMs: at("2026-11-25T07:00:00Z"), level: "breached" as const }];
  const [p] = project("2026-11-25T07:30:00Z", [app("Sales", at("2026-11-24T06:10:00Z"))], { lastSuccessMs: at("2026-11-25T07:05:00Z") }, open);
  expect(p).toEqual({
    promise: "sales-morning",
    appId: "id-sales",
    deadlineMs: at("2026-11-25T07:00:00Z"),
    expectedMs: at("2026-11-25T08:05:00Z"),
    missed: "the deadline has passed",
    missedForUsers: "the loads before it are running late",
  });
});
