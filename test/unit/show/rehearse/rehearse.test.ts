// Issue 105: a config rehearsed on recorded events, beside the config in force. Four weeks of a nightly ERP extract
// that fails at 01:00 and mends itself by 01:30 (noise), and every seventh night Reload Sales failing on a locked
// file, acknowledged by the person on duty (a fault). Rehearsed: a route moved to another channel, a quiet window
// over the extract's hour, a retry rule with its budget, and a quiet window that would hide the faults too.
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { RecordedEvent } from "../../../../src/show/noise/replay";
import type { NoiseIncident } from "../../../../src/show/noise/types";
import { type RehearsedConfig, rehearse } from "../../../../src/show/rehearse/rehearse";
import type { NotifierConfig } from "../../../../src/tell/notify/config";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 2); // Monday 2 Nov 2026
const mail = (to: string) => `{ type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [${to}] }`;

function configOf(extra: string): RehearsedConfig {
  const c = parseConfigText(
    `channels:
  oncall-mail: ${mail("oncall@corp.example")}
  bi-mail: ${mail("bi@corp.example")}
${extra}`,
    "steward.yaml",
    "/tmp",
  ).config;
  return { notifier: c as unknown as NotifierConfig, windows: c.maintenance.windows, remediation: c.remediation, recording: [] };
}

const CURRENT = configOf(`routes:
  - { name: on-call, on: [task.failed], to: [oncall-mail] }
`);

function failure(task: string, at: number, incident: number, n: number, errorClass: TaskEvent["errorClass"]): RecordedEvent {
  const e: TaskEvent = {
    ...syntheticTaskEvent({ outcome: "failed", taskName: task, taskId: `id-${task}`, nowMs: at }),
    id: `run-${task}-${at}:failed`,
    source: "udp",
    errorClass,
    incident: { id: incident, status: "open", failures: n, openedAt: new Date(at).toISOString(), paged: false },
  };
  return { at, event: e };
}

const recorded: RecordedEvent[] = [];
const incidents = new Map<number, NoiseIncident>();
for (let d = 0; d < 28; d++) {
  recorded.push(failure("Run ERP extract", T0 + d * DAY + H, 100 + d, 1, "connection"));
  incidents.set(100 + d, { id: 100 + d, acknowledgedAt: null, closedAt: T0 + d * DAY + 1.5 * H });
  if (d % 7 === 3) {
    recorded.push(failure("Reload Sales", T0 + d * DAY + 2 * H, 200 + d, 1, "lock"));
    incidents.set(200 + d, { id: 200 + d, acknowledgedAt: T0 + d * DAY + 2.2 * H, closedAt: T0 + d * DAY + 4 * H });
  }
}
const input = (next: RehearsedConfig) => ({ from: T0, to: T0 + 28 * DAY, current: CURRENT, next, recorded, incidents });

describe("a config rehearsed on four weeks of recorded failures", () => {
  test("the config in force rehearsed against itself changes nothing", async () => {
    const r = await rehearse(input(CURRENT));
    expect(r.pages).toEqual({ current: 32, rehearsed: 32 });
    expect(r.channels).toEqual([{ route: "on-call", channel: "oncall-mail", current: 32, rehearsed: 32 }]);
    expect(r.unpagedFaults).toEqual([]);
  });

  test("a route moved to another channel: per route and channel, the pages that go and those that do not", async () => {
    const r = await rehearse(input(configOf("routes:\n  - { name: on-call, on: [task.failed], to: [bi-mail] }\n")));
    expect(r.channels).toEqual([
      { route: "on-call", channel: "bi-mail", current: 0, rehearsed: 32 },
      { route: "on-call", channel: "oncall-mail", current: 32, rehearsed: 0 },
    ]);
    // The route still pages every fault (on another channel): judged per route.
    expect(r.unpagedFaults).toEqual([]);
  });

  test("a quiet window over the extract's hour holds its 28 pages and no fault", async () => {
    const r = await rehearse(
      input(
        configOf(`routes:
  - { name: on-call, on: [task.failed], to: [oncall-mail] }
maintenance:
  windows:
    - { name: erp-hour, rrule: "FREQ=DAILY;BYHOUR=0;BYMINUTE=55", duration: 1h, timeZone: UTC, matcher: { taskNames: ["Run ERP extract"] } }
`),
      ),
    );
    expect(r.pages).toEqual({ current: 32, rehearsed: 4 });
    expect(r.held).toEqual([{ why: "maintenance window erp-hour", events: 28 }]);
    expect(r.unpagedFaults).toEqual([]);
  });

  test("a quiet window over the whole night hides the four acknowledged Sales faults: each named", async () => {
    const r = await rehearse(
      input(
        configOf(`routes:
  - { name: on-call, on: [task.failed], to: [oncall-mail] }
maintenance:
  windows:
    - { name: night, rrule: "FREQ=DAILY;BYHOUR=0;BYMINUTE=30", duration: 3h, timeZone: UTC }
`),
      ),
    );
    expect(r.pages.rehearsed).toBe(0);
    expect(r.unpagedFaults.map((f) => [f.incidentId, f.taskName, f.route, f.why])).toEqual(
      [3, 10, 17, 24].map((d) => [200 + d, "Reload Sales", "on-call", "acknowledged"]),
    );
    expect(r.unpagedFaults[0]?.firstPagedAt).toBe(new Date(T0 + 3 * DAY + 2 * H).toISOString());
  });

  test("a retry rule with a budget of one an hour: each night its first retry starts, its second is refused, no page is held", async () => {
    const r = await rehearse(
      input(
        configOf(`routes:
  - { name: on-call, on: [task.failed], to: [oncall-mail] }
remediation:
  rules:
    - { name: erp-retry, errorClasses: [connection], retryAfter: [10m, 15m] }
    - { name: lock-retry, errorClasses: [lock], retryAfter: [5m] }
  budget: { perTask: 1 }
`),
      ),
    );
    const erp = r.remediation.rehearsed.filter((s) => s.rule === "erp-retry");
    // 01:10 (unknown: nothing ran between), and 01:25, before the extract recovered, is past its budget of one an hour.
    expect(erp).toHaveLength(28);
    expect(erp[0]).toMatchObject({ taskName: "Run ERP extract", at: new Date(T0 + H + 10 * 60_000).toISOString(), outcome: "unknown" });
    expect(r.remediation.refused.filter((s) => s.rule === "erp-retry")).toHaveLength(28);
    expect(r.remediation.refused[0]).toMatchObject({
      at: new Date(T0 + H + 25 * 60_000).toISOString(),
      why: "the task's budget of 1 automatic retries an hour is used",
    });
    expect(r.pages.rehearsed).toBe(32);
  });

  test("with budget for both retries, the extract recovers before the second is due: no second start, and its 28 pages held", async () => {
    const r = await rehearse(
      input(
        configOf(`routes:
  - { name: on-call, on: [task.failed], to: [oncall-mail] }
remediation:
  rules:
    - { name: erp-retry, errorClasses: [connection], retryAfter: [10m, 30m] }
`),
      ),
    );
    // 01:10: nothing ran between (the 01:30 run found the source back); 01:40: recovered already, nothing started.
    expect(r.remediation.rehearsed).toHaveLength(28);
    expect(r.remediation.rehearsed[0]).toMatchObject({ outcome: "unknown", sourceBackAt: new Date(T0 + 1.5 * H).toISOString() });
    expect(r.held).toEqual([{ why: "a retry rule (recovered before the retry was due)", events: 28 }]);
    expect(r.pages).toEqual({ current: 32, rehearsed: 4 });
    expect(r.unpagedFaults).toEqual([]);
  });
});
