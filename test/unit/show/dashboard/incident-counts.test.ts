// The overview's counts: each task incident once; an open cause holding none (a failed hub reload, a missed check-in)
// once, as the Incidents page lists it; an ended cause whose tasks still fail by its incidents; those the answer left
// out counted as open.
import { expect, test } from "bun:test";
import { incidentCounts } from "../../../../src/show/dashboard/pages/incident-counts";

const inc = (acked: boolean) => ({ acknowledgedAt: acked ? "2026-11-26T07:00:00.000Z" : null });

test("task incidents and open causes that hold none, acknowledged or not", () => {
  const groups = [
    { cause: null, incidents: [inc(false)] },
    { cause: { status: "open" as const, acknowledgedAt: null }, incidents: [inc(true), inc(false), inc(false)] },
    { cause: { status: "open" as const, acknowledgedAt: null }, incidents: [] },
    { cause: { status: "open" as const, acknowledgedAt: "2026-11-26T07:01:00.000Z" }, incidents: [] },
    { cause: { status: "closed" as const, acknowledgedAt: null }, incidents: [inc(false)] },
    { cause: { status: "closed" as const, acknowledgedAt: null }, incidents: [] },
  ];
  expect(incidentCounts(groups)).toEqual({ open: 7, unacknowledged: 5 });
  expect(incidentCounts(groups, 3)).toEqual({ open: 10, unacknowledged: 5 });
  expect(incidentCounts([])).toEqual({ open: 0, unacknowledged: 0 });
});
