// A cause a remediation rule retries through one of its tasks says so on its pages: which task, when, which rule and
// how many tasks wait for it; a closed cause says nothing of it.
import { expect, test } from "bun:test";
import type { CauseSummary } from "../../../../src/platform/events/cause-summary";
import { causeLines } from "../../../../src/tell/notify/cause-render";

const cause: CauseSummary = {
  id: 4,
  title: "connection errors from DWH",
  status: "open",
  text: "12 tasks, 12 apps, 1 stream affected",
  tasks: [],
  apps: [],
  streams: [],
  counts: { tasks: 12, apps: 12, streams: 1 },
  stillFailing: 12,
  openedAt: "2026-03-10T02:01:00.000Z",
  trying: { task: "Load 01", at: "2026-03-10T02:21:30.000Z", rule: "connection-retries", waiting: 11 },
};

test("an open cause names the probe's next retry and the tasks waiting for it", () => {
  expect(causeLines(cause, "UTC")).toContain(
    "Retrying Load 01 at 2026-03-10 02:21 UTC to see whether the source is back (remediation rule connection-retries); 11 other tasks will be retried once it succeeds",
  );
  expect(causeLines({ ...cause, trying: { ...cause.trying!, waiting: 0 } }, "UTC")).toContain(
    "Retrying Load 01 at 2026-03-10 02:21 UTC to see whether the source is back (remediation rule connection-retries)",
  );
});

test("a closed cause, or one no rule retries, has no such line", () => {
  expect(causeLines({ ...cause, status: "closed" }, "UTC").some((l) => l.startsWith("Retrying"))).toBe(false);
  expect(causeLines({ ...cause, trying: undefined }, "UTC").some((l) => l.startsWith("Retrying"))).toBe(false);
});
