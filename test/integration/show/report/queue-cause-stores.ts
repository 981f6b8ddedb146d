// The stores of the report tests' queue night (issues 74 and 88), on one backend: the incidents and causes as the
// Stewards of a site share them, a manual clock on 24 November 2026, and the grouping's gate reviewing each event as
// the notifier would. Node reload01.corp.example runs Wait 1, Wait 2 and Late 1; each test tells its own night.
import { createManualClock } from "../../../../src/platform/core/clock";
import { createLifecycle } from "../../../../src/platform/core/lifecycle";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { DomainEvent, TaskEvent } from "../../../../src/platform/events/types";
import { setupReports } from "../../../../src/show/report/setup";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { chainGraphSource, type PlannedChains } from "../../../../src/tell/grouping/chain-graph";
import { GroupingSchema } from "../../../../src/tell/grouping/config";
import { createGroupingGate } from "../../../../src/tell/grouping/gate";
import { createSilentNodes } from "../../../../src/tell/grouping/silent-node";
import { createTaskNodes } from "../../../../src/tell/grouping/task-nodes";
import { createIncidentService, incidentMigrations } from "../../../../src/tell/incidents";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import type { SqlBackend } from "../../../helpers/sql-backends";

export const NODE = "reload01.corp.example";
export const at = (hhmm: string) => Date.parse(`2026-11-24T${hhmm}:00Z`);
export const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const TASKS: Array<[number, string]> = [
  [1, "Wait 1"],
  [2, "Wait 2"],
  [3, "Late 1"],
];
const plan: PlannedChains = {
  tasks: new Map(TASKS.map(([n, name]) => [id(n), { id: id(n), name, enabled: true, appId: `a-${n}`, chains: [] }])),
  apps: new Map(TASKS.map(([n, name]) => [`a-${n}`, { id: `a-${n}`, name: `${name} app`, stream: "Ops" }])),
};

export async function openQueueCauseStores(backend: SqlBackend) {
  const db = await backend.open([incidentMigrations, groupingMigrations]);
  const clock = createManualClock(at("02:00"));
  const log = createSilentLogger();
  const incidents = createIncidentService(IncidentsSchema.parse({ seedFromQrs: false }), { db, clock, log });
  const causeStore = createCauseStore(db);
  const gate = createGroupingGate(causeStore, GroupingSchema.parse({}), {
    taskNodes: createTaskNodes(db),
    silentNodes: createSilentNodes(db),
    graph: chainGraphSource(() => plan),
    feedsOfCheck: () => undefined,
  });
  /** At `hhmm`, the grouping reviews `e` as sent to one webhook. */
  const review = async (e: DomainEvent, hhmm: string) => {
    clock.set(at(hhmm));
    const delivery = {
      route: "ops",
      channel: "hook",
      channelType: "webhook" as const,
      recipient: "hook",
      target: null,
      key: `${e.id}|hook`,
      action: "send" as const,
    };
    await gate.review({ event: e, routes: [], deliveries: [delivery] }, clock.now());
  };
  /** Task `n` failed at `hhmm` on the node, its incident opened. */
  const failed = async (n: number, hhmm: string, errorClass?: "queue"): Promise<TaskEvent> => {
    clock.set(at(hhmm));
    const name = TASKS.find(([k]) => k === n)![1];
    const e = syntheticTaskEvent({ outcome: "failed", taskId: id(n), taskName: name, host: NODE, nowMs: at(hhmm) });
    // As heard from the Scheduler (a test event is read-only to the incidents).
    const [annotated] = await incidents.annotate({ ...e, source: "udp" });
    return { ...annotated!, ...(errorClass ? { errorClass } : {}) };
  };
  /** At 02:15, the node's queue backs up with tasks `waiting` listed as waiting. */
  const backlog = async (waiting: number[]) => {
    const e = syntheticWatchdogEvent("scheduler.queue_backlog", { host: NODE, nowMs: at("02:15") });
    await review({ ...e, data: { ...e.data, waitingTaskIds: waiting.map(id).join(",") } } as DomainEvent, "02:15");
  };
  /** The reports, at 06:00. */
  const reportsAtSix = () => {
    clock.set(at("06:00"));
    return setupReports(undefined, {
      clock,
      log,
      host: "sense1",
      timeZone: () => "UTC",
      lifecycle: createLifecycle(log),
      wanted: () => false,
      emit: async () => undefined,
      incidents,
      causeStore,
    });
  };
  return { db, clock, causeStore, review, failed, backlog, reportsAtSix };
}
