// The administrator's freshness rows: one per promise and app it names, late first, with the next deadline of a
// "fresh by" promise and of a "never older than" one, the reason of an open condition, and "unknown" only while no
// successful reload has been seen.
import { expect, test } from "bun:test";
import { adminFreshnessView } from "../../../../src/watch/freshness/admin-view";
import { compilePromise } from "../../../../src/watch/freshness/compile-promise";
import { FreshnessSchema } from "../../../../src/watch/freshness/config";
import type { AppFreshness, FreshnessConditionRow } from "../../../../src/watch/freshness/freshness-store";
import type { WatchdogEvent } from "../../../../src/platform/events/types";

const NOW = Date.parse("2026-11-24T10:00:00Z"); // a Tuesday
const cfg = FreshnessSchema.parse({
  promises: {
    "sales-morning": { appNames: ["Sales"], freshBy: "07:00", days: ["mon", "tue", "wed", "thu", "fri"], timeZone: "Europe/Stockholm" },
    "hr-live": { appNames: ["HR"], maxAge: "2h" },
  },
});
const promises = Object.entries(cfg!.promises).map(([n, p]) => compilePromise(n, p));
const app = (name: string, lastSuccessMs?: number, lastFailMs?: number): AppFreshness => ({
  appId: `id-${name.toLowerCase()}`,
  appName: name,
  tags: [],
  lagsMs: [],
  ...(lastSuccessMs !== undefined ? { lastSuccessMs, lastSuccessTask: `Reload ${name}` } : {}),
  ...(lastFailMs !== undefined ? { lastFailMs } : {}),
});

test("states, next deadlines and the reason of a breach", () => {
  const breach = { data: { why: 'job "erp-extract" has not checked in', expectedAt: "2026-11-24T10:30:00.000Z", failed: false } } as unknown as WatchdogEvent;
  const open: FreshnessConditionRow[] = [
    {
      key: "k",
      promise: "sales-morning",
      appId: "id-sales",
      deadlineMs: Date.parse("2026-11-24T06:00:00Z"),
      level: "breached",
      openedMs: Date.parse("2026-11-24T05:30:00Z"),
      breachEvent: breach,
      warnAnnounced: true,
      breachAnnounced: true,
      closeAnnounced: false,
    },
  ];
  const rows = adminFreshnessView(promises, [app("HR", NOW - 30 * 60_000), app("Sales", NOW - 26 * 3_600_000, NOW - 4 * 3_600_000), app("Other")], open, NOW);
  expect(rows.map((r) => [r.promise, r.app.name, r.state])).toEqual([
    ["sales-morning", "Sales", "late"],
    ["hr-live", "HR", "fresh"],
  ]);
  const [sales, hr] = rows;
  // The next weekday 07:00 in Stockholm (06:00 UTC), and the moment HR's data becomes two hours old.
  expect(sales!.nextDeadline).toBe("2026-11-25T06:00:00.000Z");
  expect(hr!.nextDeadline).toBe(new Date(NOW + 90 * 60_000).toISOString());
  expect(sales!.failedAt).toBe(new Date(NOW - 4 * 3_600_000).toISOString());
  expect(sales!.open).toEqual({
    deadline: "2026-11-24T06:00:00.000Z",
    since: "2026-11-24T05:30:00.000Z",
    why: 'job "erp-extract" has not checked in',
    expectedAt: "2026-11-24T10:30:00.000Z",
    failed: false,
  });
  // No projection given: nothing is said of when it will be fresh beyond what the alert said.
  expect(sales!.expected).toBeNull();
});

test("the judge's projection: when the app is expected, overdue once that time has passed, and why a deadline will be missed", () => {
  const deadlineMs = Date.parse("2026-11-25T06:00:00Z");
  const projections = new Map([
    ["sales-morning id-sales", { promise: "sales-morning", appId: "id-sales", deadlineMs, expectedMs: NOW - 60_000, missed: "x", missedForUsers: "y" }],
  ]);
  const [sales] = adminFreshnessView(promises, [app("Sales", NOW - 26 * 3_600_000)], [], NOW, projections);
  expect(sales!.expected).toEqual({
    deadline: "2026-11-25T06:00:00.000Z",
    at: new Date(NOW - 60_000).toISOString(),
    overdue: true,
    willMiss: "x",
    willMissForUsers: "y",
    cause: null,
  });
  // The cause that holds the chain up, as the API gives it: open (ended null) or ended.
  const held = new Map([
    [
      "sales-morning id-sales",
      {
        promise: "sales-morning",
        appId: "id-sales",
        deadlineMs,
        missed: "x",
        cause: { id: 3, title: "Qlik services down on reload01", sinceMs: NOW - 600_000 },
      },
    ],
  ]);
  expect(adminFreshnessView(promises, [app("Sales", NOW - 26 * 3_600_000)], [], NOW, held)[0]!.expected!.cause).toEqual({
    id: 3,
    title: "Qlik services down on reload01",
    since: new Date(NOW - 600_000).toISOString(),
    ended: null,
  });
});

test("an app never seen reloaded is unknown, not fresh", () => {
  const rows = adminFreshnessView(promises, [app("HR")], [], NOW);
  expect(rows.map((r) => [r.app.name, r.state, r.dataAsOf, r.nextDeadline])).toEqual([["HR", "unknown", null, null]]);
});
