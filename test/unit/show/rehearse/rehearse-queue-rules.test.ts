// Issue 105: a config's [queue] rules rehearsed on recorded runs the Scheduler's queue cancelled. Four weeks on which,
// every Wednesday, reload01's queue backs up at 02:00 and Qlik cancels Extract orders and Load Sales at 02:20; the
// queue drains at 03:30 (the backlog's task.on_track, recorded); their incidents close the next night. Rehearsed: a
// [queue] rule re-runs both at each drain, once per incident; with a node budget of one an hour, the second is refused.
// Before, a [queue] rule was not rehearsed at all (a note said so).
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { RecordedEvent } from "../../../../src/show/noise/replay";
import type { NoiseIncident } from "../../../../src/show/noise/types";
import { type RehearsedConfig, rehearse } from "../../../../src/show/rehearse/rehearse";
import type { NotifierConfig } from "../../../../src/tell/notify/config";
import { syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 2); // Monday 2 Nov 2026
const NODE = "reload01.corp.example";

function configOf(extra: string): RehearsedConfig {
  const c = parseConfigText(
    `channels:
  oncall-mail: { type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [oncall@corp.example] }
routes:
  - { name: on-call, on: [task.failed, task.on_track], to: [oncall-mail] }
${extra}`,
    "steward.yaml",
    "/tmp",
  ).config;
  return { notifier: c as unknown as NotifierConfig, windows: c.maintenance.windows, remediation: c.remediation, recording: [] };
}

function cancelled(task: string, at: number, incident: number): RecordedEvent {
  const e: TaskEvent = {
    ...syntheticTaskEvent({ outcome: "failed", taskName: task, taskId: `id-${task}`, nowMs: at, host: NODE }),
    id: `run-${task}-${at}:failed`,
    source: "udp",
    errorClass: "queue",
    incident: { id: incident, status: "open", failures: 1, openedAt: new Date(at).toISOString(), paged: false },
  };
  return { at, event: e };
}

const recorded: RecordedEvent[] = [];
const incidents = new Map<number, NoiseIncident>();
for (let week = 0; week < 4; week++) {
  const night = T0 + (week * 7 + 2) * DAY;
  recorded.push(cancelled("Extract orders", night + 2 * H + 20 * MIN, 300 + 2 * week));
  recorded.push(cancelled("Load Sales", night + 2 * H + 20 * MIN + 1000, 301 + 2 * week));
  recorded.push({
    at: night + 3.5 * H,
    event: { ...syntheticWatchdogEvent("task.on_track", { host: NODE, nowMs: night + 3.5 * H, condition: "queue_backlog" }), id: `drain-${week}` },
  });
  incidents.set(300 + 2 * week, { id: 300 + 2 * week, acknowledgedAt: null, closedAt: night + DAY + 2 * H });
  incidents.set(301 + 2 * week, { id: 301 + 2 * week, acknowledgedAt: null, closedAt: night + DAY + 2 * H });
}
const CURRENT = configOf("");
const input = (next: RehearsedConfig) => ({ from: T0, to: T0 + 28 * DAY, current: CURRENT, next, recorded, incidents });

test("a [queue] rule re-runs each cancelled run once, at its node's recorded drain", async () => {
  const r = await rehearse(input(configOf("remediation:\n  rules:\n    - { name: rerun-queue, errorClasses: [queue] }\n")));
  expect(r.remediation.current).toEqual([]);
  expect(r.remediation.rehearsed).toHaveLength(8);
  expect(r.remediation.rehearsed.slice(0, 2)).toEqual([
    expect.objectContaining({
      rule: "rerun-queue",
      taskName: "Extract orders",
      incidentId: 300,
      at: new Date(T0 + 2 * DAY + 3.5 * H).toISOString(),
      outcome: "unknown",
    }),
    expect.objectContaining({ rule: "rerun-queue", taskName: "Load Sales", incidentId: 301, at: new Date(T0 + 2 * DAY + 3.5 * H).toISOString() }),
  ]);
  expect(r.remediation.refused).toEqual([]);
  expect(r.notes.join(" ")).not.toContain("not rehearsed");
});

test("a node budget of one re-run an hour: the second of each drain is refused, and says why", async () => {
  const r = await rehearse(input(configOf("remediation:\n  rules:\n    - { name: rerun-queue, errorClasses: [queue] }\n  budget: { perNode: 1 }\n")));
  expect(r.remediation.rehearsed.map((s) => s.taskName)).toEqual(Array(4).fill("Extract orders"));
  expect(r.remediation.refused).toHaveLength(4);
  expect(r.remediation.refused[0]).toMatchObject({
    rule: "rerun-queue",
    taskName: "Load Sales",
    why: `node ${NODE}'s budget of 1 automatic retries an hour is used`,
  });
});
