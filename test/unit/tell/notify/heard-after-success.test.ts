// A failure heard of after its task's next success says so where a message shows the run's history (issue 84).
import { expect, test } from "bun:test";
import { buildHistoryVars, heardAfterSuccessText } from "../../../../src/tell/notify/history-vars";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

test("the history line of a failure heard after the task's next success starts by saying what it was", () => {
  const base = syntheticTaskEvent({ outcome: "failed" });
  const e = {
    ...base,
    execution: { ...base.execution!, stopTime: "2026-11-27T02:10:00.000Z" },
    heardAfterSuccess: { succeededAt: "2026-11-27T02:12:00.000Z" },
  };
  const text =
    "Failed at 2026-11-27 02:10 UTC, ran again successfully at 2026-11-27 02:12 UTC before Steward heard of the failure: a notice, no incident, nobody paged";
  expect(heardAfterSuccessText(e, "UTC")).toBe(text);
  const vars = buildHistoryVars(e, "UTC");
  expect(vars.heardAfterSuccessText).toBe(text);
  expect(String(vars.historyLine).startsWith(`${text}. `)).toBe(true);
  // Any other run: nothing.
  expect(heardAfterSuccessText(base, "UTC")).toBe("");
  expect(String(buildHistoryVars(base, "UTC").historyLine)).not.toContain("before Steward heard");
});

test("a failure recorded in an incident that its task's success ended before the page could be queued names the incident", () => {
  const base = syntheticTaskEvent({ outcome: "failed" });
  const e = {
    ...base,
    execution: { ...base.execution!, stopTime: "2026-11-27T02:10:00.000Z" },
    heardAfterSuccess: { succeededAt: "2026-11-27T02:12:00.000Z", incidentId: 17 },
  };
  expect(heardAfterSuccessText(e, "UTC")).toBe(
    "Failed at 2026-11-27 02:10 UTC; incident 17 ended when it ran again successfully at 2026-11-27 02:12 UTC, before its page could go out: a notice, nobody paged",
  );
});
