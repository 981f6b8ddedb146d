// How long a config rehearsal's replay takes on the history a large site keeps (issue 105's bound: four weeks of the
// ×50 site within a minute on two cores): the outbox's cap of pages a window may hold (MAX_PAGES, 50,000 events over
// 28 days, 400 tasks on 8 nodes), replayed through the config in force and a new one with three routes, a rate limit,
// a nightly quiet window and a retry rule with its budget. The store's read is not in it (the noise report's reads,
// measured with that report); the replay is what the rehearsal adds.
//   bun scripts/bench-rehearse.ts
import { readFileSync } from "node:fs";
import { parseConfigText } from "../src/composition/config";
import type { TaskEvent } from "../src/platform/events/types";
import type { RecordedEvent } from "../src/show/noise/replay";
import { MAX_PAGES } from "../src/show/noise/sources";
import type { NoiseIncident } from "../src/show/noise/types";
import { type RehearsedConfig, rehearse } from "../src/show/rehearse/rehearse";
import type { NotifierConfig } from "../src/tell/notify/config";
import { syntheticTaskEvent } from "../src/tell/notify/samples";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2);
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const mail = (to: string) => `{ type: email, smtp: { host: 127.0.0.1, port: 2525, security: none }, from: steward@corp.example, to: [${to}] }`;
const configOf = (yaml: string): RehearsedConfig => {
  const c = parseConfigText(`channels:\n  oncall: ${mail("oncall@corp.example")}\n  bi: ${mail("bi@corp.example")}\n${yaml}`, "bench.yaml", "/tmp").config;
  return { notifier: c as unknown as NotifierConfig, windows: c.maintenance.windows, remediation: c.remediation, recording: [] };
};
const current = configOf("routes:\n  - { name: on-call, on: [task.failed], to: [oncall] }\n  - { name: bi, on: [task.failed], to: [bi] }\n");
const next = configOf(`routes:
  - { name: on-call, on: [task.failed], to: [oncall], rateLimit: 10m }
  - { name: bi, on: [task.failed], to: [bi], renotify: every }
  - { name: nodes, on: [task.failed], to: [oncall], hosts: [node3] }
maintenance:
  windows:
    - { name: nightly, rrule: "FREQ=DAILY;BYHOUR=1", duration: 1h, timeZone: UTC }
remediation:
  rules:
    - { name: retry, errorClasses: [connection, lock], retryAfter: [5m, 15m] }
`);

const recorded: RecordedEvent[] = [];
const incidents = new Map<number, NoiseIncident>();
for (let i = 0; i < MAX_PAGES; i++) {
  const at = T0 + Math.floor((i * 28 * DAY) / MAX_PAGES);
  const task = `task-${i % 400}`;
  const id = 1 + Math.floor(i / 3);
  const e: TaskEvent = {
    ...syntheticTaskEvent({ outcome: "failed", taskName: task, taskId: `id-${task}`, nowMs: at }),
    id: `run-${i}:failed`,
    host: `node${i % 8}`,
    source: "udp",
    errorClass: i % 2 === 0 ? "connection" : "script",
    incident: { id, status: "open", failures: (i % 3) + 1, openedAt: new Date(at).toISOString(), paged: false },
  };
  recorded.push({ at, event: e });
  incidents.set(id, { id, acknowledgedAt: i % 7 === 0 ? at + 60_000 : null, closedAt: at + 20 * 60_000 });
}

console.log(`load average before: ${load()}`);
const t0 = performance.now();
const r = await rehearse({ from: T0, to: T0 + 28 * DAY, current, next, recorded, incidents });
const ms = performance.now() - t0;
console.log(
  `${recorded.length} events over 28 days: replayed twice in ${(ms / 1000).toFixed(1)} s; pages ${r.pages.current} → ${r.pages.rehearsed}, ${r.remediation.rehearsed.length} retries, ${r.unpagedFaults.length} faults unpaged`,
);
console.log(`load average after: ${load()}`);
