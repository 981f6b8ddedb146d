// Issue 105: a [queue] rule's rehearsal skips a re-run as the live worker does (rerun-needed.ts). The queue of reload01
// cancels Extract orders and Load Sales (after Extract orders) at 02:20 and drains at 03:30. Live, both re-runs are
// asked for at the drain in chain order; Extract orders starts, its success triggers Load Sales, and Load Sales's own
// re-run is skipped at its turn (not needed: the task ran since). Rehearsed with the site's chains: one start, Load
// Sales not needed, both counted in the budgets; when the recorded runs say Extract orders would fail again, its chain
// runs nothing and Load Sales is re-run; without the chains, both are listed as before. Before, every re-run asked for
// was listed as a start.
import { expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import type { TaskEvent } from "../../../../src/platform/events/types";
import type { RecordedEvent } from "../../../../src/show/noise/replay";
import { rehearsalText } from "../../../../src/show/cli/rehearse-command";
import type { NoiseIncident } from "../../../../src/show/noise/types";
import { type RehearsedConfig, rehearse } from "../../../../src/show/rehearse/rehearse";
import { buildChainGraph } from "../../../../src/tell/grouping/chain-graph";
import type { NotifierConfig } from "../../../../src/tell/notify/config";
import { syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";

const MIN = 60_000;
const NIGHT = Date.UTC(2026, 10, 3);
const NODE = "reload01.corp.example";
const EXTRACT = "id-extract";
const SALES = "id-sales";

const RULE = "remediation:\n  rules:\n    - { name: rerun-queue, errorClasses: [queue] }\n";

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

function failed(taskName: string, taskId: string, at: number, incident: number, errorClass: "queue" | "connection"): RecordedEvent {
  const e: TaskEvent = {
    ...syntheticTaskEvent({ outcome: "failed", taskName, taskId, nowMs: at, host: NODE }),
    id: `run-${taskId}-${at}:failed`,
    executionId: `run-${taskId}-${at}`,
    source: "udp",
    errorClass,
    incident: { id: incident, status: "open", failures: 1, openedAt: new Date(at).toISOString(), paged: false },
  };
  return { at, event: e };
}

const CANCELLED = NIGHT + 2 * 60 * MIN + 20 * MIN;
const DRAIN = NIGHT + 3.5 * 60 * MIN;
const night: RecordedEvent[] = [
  failed("Extract orders", EXTRACT, CANCELLED, 1, "queue"),
  failed("Load Sales", SALES, CANCELLED + 1000, 2, "queue"),
  { at: DRAIN, event: { ...syntheticWatchdogEvent("task.on_track", { host: NODE, nowMs: DRAIN, condition: "queue_backlog" }), id: "drain" } },
];
const incidents = new Map<number, NoiseIncident>([
  [1, { id: 1, acknowledgedAt: null, closedAt: null }],
  [2, { id: 2, acknowledgedAt: null, closedAt: null }],
]);
const chains = buildChainGraph({
  tasks: new Map([
    [EXTRACT, { id: EXTRACT, name: "Extract orders", enabled: true, chains: [] }],
    [SALES, { id: SALES, name: "Load Sales", enabled: true, chains: [{ upstreamIds: [EXTRACT], ruleStates: [1] }] }],
  ]),
  apps: new Map(),
});
const input = (next: RehearsedConfig, recorded = night, withChains = true) => ({
  from: NIGHT,
  to: NIGHT + 24 * 60 * MIN,
  current: configOf(""),
  next,
  recorded,
  incidents,
  ...(withChains ? { chains } : {}),
});

test("the chain's head is re-run at the drain; Load Sales, which its success triggers, is asked for and not needed", async () => {
  const r = await rehearse(input(configOf(RULE)));
  expect(r.remediation.rehearsed.map((s) => [s.taskName, s.at, s.outcome])).toEqual([["Extract orders", new Date(DRAIN).toISOString(), "unknown"]]);
  expect(r.remediation.notNeeded).toEqual([
    {
      rule: "rerun-queue",
      taskName: "Load Sales",
      at: new Date(DRAIN).toISOString(),
      why: "the task ran since the re-run was asked for (run after the rehearsed re-run of Extract orders: its trigger or its chain started it): not started again",
    },
  ]);
  expect(r.remediation.refused).toEqual([]);
});

test("asked for, the skipped re-run counts against the budget of the hour as live: a node budget of one refuses Load Sales", async () => {
  const r = await rehearse(input(configOf(`${RULE}  budget: { perNode: 1 }\n`)));
  expect(r.remediation.rehearsed.map((s) => s.taskName)).toEqual(["Extract orders"]);
  expect(r.remediation.notNeeded).toEqual([]);
  expect(r.remediation.refused.map((s) => s.taskName)).toEqual(["Load Sales"]);
});

test("when the recorded runs say Extract orders would fail again, no trigger runs Load Sales: both are re-run", async () => {
  const later = [...night, failed("Extract orders", EXTRACT, DRAIN + 60 * MIN, 1, "connection")];
  const r = await rehearse(input(configOf(RULE), later));
  expect(r.remediation.rehearsed.map((s) => [s.taskName, s.outcome])).toEqual([
    ["Extract orders", "failing"],
    ["Load Sales", "unknown"],
  ]);
  expect(r.remediation.notNeeded).toEqual([]);
});

test("the downstream task cancelled first still waits for its chain's head: the live chain order, not the order of the cancellations", async () => {
  const swapped = [failed("Load Sales", SALES, CANCELLED - 1000, 2, "queue"), ...night.slice(0, 1), night[2]!];
  const r = await rehearse(input(configOf(RULE), swapped));
  expect(r.remediation.rehearsed.map((s) => s.taskName)).toEqual(["Extract orders"]);
  expect(r.remediation.notNeeded.map((s) => s.taskName)).toEqual(["Load Sales"]);
});

test("without the site's chains (no watchdog plan kept), every re-run asked for is listed, as before", async () => {
  const r = await rehearse(input(configOf(RULE), night, false));
  expect(r.remediation.rehearsed.map((s) => s.taskName)).toEqual(["Extract orders", "Load Sales"]);
  expect(r.remediation.notNeeded).toEqual([]);
});

test("Load Sales ran again on its own before the drain and failed for another reason: no longer the queue's, not asked for, as live", async () => {
  const ranAgain = [...night, failed("Load Sales", SALES, CANCELLED + 20 * MIN, 2, "connection")];
  const r = await rehearse(input(configOf(RULE), ranAgain, false));
  expect(r.remediation.rehearsed.map((s) => s.taskName)).toEqual(["Extract orders"]);
  expect(r.remediation.notNeeded).toEqual([]);
  expect(r.remediation.refused).toEqual([]);
});

test("the CLI's text names the re-run asked for and not needed, with why", async () => {
  const text = rehearsalText(await rehearse(input(configOf(RULE))), "steward.new.yaml");
  expect(text).toContain("Automatic retries: 0 with the config in force, 1 with steward.new.yaml");
  expect(text).toContain(
    "2026-11-03 03:30 Load Sales asked for and not needed (rule rerun-queue): the task ran since the re-run was asked for (run after the rehearsed re-run of Extract orders: its trigger or its chain started it): not started again",
  );
});
