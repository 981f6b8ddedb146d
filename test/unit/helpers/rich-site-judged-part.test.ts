// The split bench's peer keeps only what judging reads of each watchdog event (issue 78): kept whole, 12,000 events
// by the ×50 site's day 17 were the harness's memory counted as Steward's. The part must judge as the whole does.
import { expect, test } from "bun:test";
import type { WatchdogEvent } from "../../../src/platform/events/types";
import { watchdogEvent } from "../../../src/watch/watchdog/watchdog-event";
import { richCloudTasks, richSiteTasks } from "../../helpers/rich-site";
import { judgedPart, judgeRichSite, richSiteFaults, type TimedEvent } from "../../helpers/rich-site-faults";
import { RICH_SITE_START } from "../../helpers/rich-site-run";

const tasks = richSiteTasks();
const site = [...tasks, ...richCloudTasks()];
const faults = richSiteFaults(tasks, RICH_SITE_START, 8);
const owner = { name: "Ada", userId: "ada", userDirectory: "CORP", emails: ["ada@example.test"] };

/** A page for `taskName` at `at`, built as the watchdog builds it (facts, data, task, app and its owner). */
function eventFor(taskName: string, at: number, type: "missed" | "running_long" | "disabled"): WatchdogEvent {
  const t = site.find((x) => x.name === taskName)!;
  return watchdogEvent({
    kind: type === "missed" ? "task.missed" : type === "running_long" ? "task.running_long" : "task.disabled",
    condition: { type, key: `${type}:${taskName}`, openedAtMs: at },
    nowMs: at,
    host: "reload01.example.test",
    task: { id: `id-${taskName}`, name: taskName, tags: ["nightly"], customProperties: [{ name: "Team", value: "Finance" }] },
    app: { id: `app-${t.app}`, name: t.app, stream: "Finance", tags: [], customProperties: [], owner },
    details: { expectedAtMs: at - 600_000, trigger: "Nightly", graceMs: 300_000, ...(type === "disabled" ? { turnedOff: "task-disabled" as const } : {}) },
  });
}

test("judging the kept parts gives the same rows, misses and precision as judging the whole events", () => {
  // Every fault's first explained task at the fault's time, one event for a task no fault explains, and one too late.
  const whole: TimedEvent[] = faults.flatMap((f, i) => [
    { at: f.at + 60_000, e: eventFor(f.explainsTasks[0]!, f.at + 60_000, i % 3 === 0 ? "running_long" : i % 3 === 1 ? "missed" : "disabled") },
  ]);
  whole.push({ at: faults[0]!.at, e: eventFor("QVD 01", faults[0]!.at, "missed") });
  whole.push({ at: faults[0]!.explainsUntil + 1, e: eventFor(faults[0]!.explainsTasks[0]!, faults[0]!.explainsUntil + 1, "missed") });
  const parts = whole.map((x) => ({ at: x.at, e: judgedPart(x.e) }));
  const a = judgeRichSite(whole, faults, site);
  const b = judgeRichSite(parts, faults, site);
  expect(b.rows).toEqual(a.rows);
  expect(b.precision).toBe(a.precision);
  expect(b.unexplained.map((x) => [x.at, x.e.kind, x.e.task?.name])).toEqual(a.unexplained.map((x) => [x.at, x.e.kind, x.e.task?.name]));
  expect(a.unexplained.length).toBeGreaterThan(0);
  expect(a.rows.some((r) => r.caught)).toBe(true);
});

test("the kept part holds no facts, summary, owner or ids: a small fraction of the event", () => {
  const e = eventFor("QVD 03", RICH_SITE_START, "disabled");
  const part = judgedPart(e);
  expect(part).toEqual({
    kind: "task.disabled",
    condition: { type: "disabled" },
    task: { name: "QVD 03" },
    app: { name: e.app!.name },
    data: { turnedOff: "task-disabled" },
  });
  expect(JSON.stringify(part).length * 8).toBeLessThan(JSON.stringify(e).length);
});
