// The follow-up of a cause resolved by hand while it held no incident: what it says, and that the grouping gate takes
// only Steward's own such event for a cause's resolve, never a test alert or a preview of the kind.
import { expect, test } from "bun:test";
import { causeResolvedEvent, resolvedCauseOf } from "../../../../src/platform/events/cause-resolved";
import { syntheticSiteEvent } from "../../../../src/tell/notify/samples";

test("it names the cause, who resolved it, from where, and the note; its id is the cause's", () => {
  const e = causeResolvedEvent(
    { id: 7, title: "Qlik services down on sense2" },
    { by: "anna", via: "dashboard", note: "node rebuilt" },
    Date.UTC(2026, 10, 26, 22),
    "sense1",
  );
  expect(e).toMatchObject({
    id: "cause-7:resolved",
    kind: "cause.resolved",
    receivedAt: "2026-11-26T22:00:00.000Z",
    host: "sense1",
    title: "Qlik services down on sense2: resolved by anna",
  });
  expect(e.summary).toStartWith("anna resolved cause #7 (Qlik services down on sense2) by hand from the dashboard: node rebuilt.");
  expect(e.facts).toEqual([
    { name: "Cause", value: "#7 Qlik services down on sense2" },
    { name: "Resolved by", value: "anna (the dashboard)" },
    { name: "Note", value: "node rebuilt" },
  ]);
  expect(resolvedCauseOf(e)).toEqual({ causeId: 7, by: "anna" });
  const viaPagerDuty = causeResolvedEvent({ id: 8, title: "t" }, { by: "PagerDuty: Anna Berg", via: "pagerduty", channel: "oncall" }, 0, "h");
  expect(resolvedCauseOf(viaPagerDuty)).toEqual({ causeId: 8, by: "PagerDuty: Anna Berg", channel: "oncall" });
});

test("a sample of the kind (a test alert, a preview) and other events are no cause's resolve", () => {
  const sample = syntheticSiteEvent("cause.resolved");
  expect(sample.data.causeId).toBe(7);
  expect(resolvedCauseOf(sample)).toBeUndefined();
  expect(resolvedCauseOf({ ...syntheticSiteEvent("maintenance.summary"), id: "cause-7:resolved" })).toBeUndefined();
  const real = causeResolvedEvent({ id: 9, title: "t" }, { by: "anna", via: "api" }, 0, "h");
  expect(resolvedCauseOf({ ...real, data: { ...real.data, causeId: "9" } })).toBeUndefined();
});
