/** @jsxImportSource hono/jsx */
// The task page's "why the last failed run failed": the run's event found by execution id (its failed one), the line
// the cause was read from when the script log kept none, and a plain statement when the event is no longer kept.
import { expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { EventTimeline, TimelineEntry } from "../../../../src/show/dashboard/event-timeline";
import { failedRunEvent, LastFailureCard } from "../../../../src/show/dashboard/pages/last-failure";
import type { RunRow } from "../../../../src/show/dashboard/run-history";

const render = async (el: unknown) => String(await (el as { toString(): Promise<string> | string }).toString());
const AT = Date.parse("2026-11-26T03:10:00Z");
const row = (executionId: string, outcome: RunRow["outcome"]): RunRow => ({
  executionId,
  outcome,
  taskId: "t1",
  taskName: "Reload Sales",
  taskType: "reload",
  appName: "Sales",
  host: "sense2",
  finishedAt: AT,
  durationMs: 60_000,
});
const taskEvent = (executionId: string, outcome: TaskEvent["outcome"], extra: Partial<TaskEvent> = {}) =>
  ({
    kind: outcome === "failed" ? "task.failed" : "task.succeeded",
    executionId,
    outcome,
    task: { id: "t1", name: "Reload Sales", tags: [] },
    ...extra,
  }) as TaskEvent;
const timelineOf = (entries: TimelineEntry[]) => ({ entries: () => entries }) as unknown as EventTimeline;

test("the run's failed event is found by its execution id", () => {
  const tl = timelineOf([
    { seq: 9, seenAt: AT, event: taskEvent("e2", "succeeded") },
    { seq: 7, seenAt: AT, event: taskEvent("e1", "failed") },
  ]);
  expect(failedRunEvent(tl, "e1")?.seq).toBe(7);
  expect(failedRunEvent(tl, "e2")).toBeUndefined();
  expect(failedRunEvent(tl, "e3")).toBeUndefined();
});

test("without script-log lines, the line the cause was read from; the class in words and its hint", async () => {
  const event = taskEvent("e1", "failed", {
    errorClass: "connection",
    errorHint: "The data source did not answer.",
    errorLine: "ErrorSource: Microsoft OLE DB Provider for SQL Server, ErrorMsg: [08001] Login timeout expired",
  });
  const html = await render(<LastFailureCard run={row("e1", "failed")} latest={row("e1", "failed")} found={{ seq: 7, event }} />);
  expect(html).toContain('data-error-class="connection"');
  expect(html).toContain('<span class="badge s-fail">data connection</span> The data source did not answer.');
  expect(html).toContain(
    '<pre class="log-errors" data-role="error-lines">ErrorSource: Microsoft OLE DB Provider for SQL Server, ErrorMsg: [08001] Login timeout expired</pre>',
  );
  expect(html).toContain('href="/ui/events/7"');
  expect(html).not.toContain("has run since");
});

test("an event no longer kept: said so, with the execution id, and no link", async () => {
  const html = await render(<LastFailureCard run={row("e1", "failed")} latest={row("e2", "succeeded")} found={undefined} />);
  expect(html).toContain("is no longer among the newest events Steward keeps");
  expect(html).toContain('<span class="mono">e1</span>');
  expect(html).toContain("The task has run since: its last run succeeded.");
  expect(html).not.toContain("/ui/events/");
});
