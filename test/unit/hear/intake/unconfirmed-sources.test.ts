import { expect, test } from "bun:test";
import type { RunReport } from "../../../../src/hear/events/run-report";
import { createUnconfirmedSources } from "../../../../src/hear/intake/unconfirmed-sources";

let now = 0;
const run = (i: number, outcome: RunReport["outcome"] = "failed"): RunReport => ({
  source: "udp",
  outcome,
  executionId: `e${i}`,
  taskId: `t${i}`,
  taskName: i === 3 ? "Reload <!channel> at https://evil.example" : `Task ${i}`,
});
const verdicts = (s: ReturnType<typeof createUnconfirmedSources>, from: number, to: number, address = "10.0.0.5", outcome?: RunReport["outcome"]) =>
  Array.from({ length: to - from }, (_, k) => s.take(run(from + k, outcome), address).verdict);

test("past perSource, one summary naming the address and a few tasks as unverified text, then held", () => {
  now = 0;
  const s = createUnconfirmedSources({ perSource: 3, windowMinutes: 10 }, { now: () => now });
  expect(verdicts(s, 0, 3)).toEqual(["page", "page", "page"]);
  const summary = s.take(run(3), "10.0.0.5");
  expect(summary.verdict).toBe("summary");
  const text = summary.verdict === "summary" ? summary.text : "";
  expect(text).toContain("4 failed task runs from 10.0.0.5 that QRS could not confirm");
  expect(text).toContain("‹!channel› at hxxps[:]//evil[.]example (unverified)");
  expect(text).not.toContain("<!channel>");
  expect(verdicts(s, 4, 100)).toEqual(Array(96).fill("held"));
  expect(s.open()).toEqual([{ address: "10.0.0.5", outcome: "failed", runs: 100 }]);
  // Another address, and another outcome of the same one, have budgets of their own.
  expect(verdicts(s, 0, 1, "10.0.0.6")).toEqual(["page"]);
  expect(verdicts(s, 0, 1, "10.0.0.5", "succeeded")).toEqual(["page"]);
});

test("the summary ends when the source is quiet for the window, or when QRS confirms one of its runs", () => {
  now = 0;
  const s = createUnconfirmedSources({ perSource: 1, windowMinutes: 10 }, { now: () => now });
  expect(verdicts(s, 0, 3)).toEqual(["page", "summary", "held"]);
  // Still flooding 9 minutes apart: the summary stays open.
  now += 9 * 60_000;
  expect(verdicts(s, 3, 4)).toEqual(["held"]);
  now += 10 * 60_000 + 1;
  expect(s.open()).toEqual([]);
  expect(verdicts(s, 4, 6)).toEqual(["page", "summary"]);
  s.confirmed("10.0.0.5");
  expect(verdicts(s, 6, 8)).toEqual(["page", "summary"]);
});
