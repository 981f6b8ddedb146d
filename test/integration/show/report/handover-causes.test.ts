// The morning report's handover read from the stores the Stewards of a site share, on SQLite and PostgreSQL (issue 88):
// a node's queue backs up and stays backed up; Qlik cancels Wait 1 and Wait 2 (the queue's cause holds their
// incidents). The handover names the cause once, with the task incidents it holds and nobody holding it; once
// someone acknowledges the cause, it says who, and since when.
import { afterAll, describe, expect, test } from "bun:test";
import { createManualClock } from "../../../../src/platform/core/clock";
import { createLifecycle } from "../../../../src/platform/core/lifecycle";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import type { DomainEvent, TaskEvent } from "../../../../src/platform/events/types";
import { setupReports } from "../../../../src/show/report/setup";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { createCauseAcknowledger } from "../../../../src/tell/grouping/cause-acknowledge";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { chainGraphSource, type PlannedChains } from "../../../../src/tell/grouping/chain-graph";
import { GroupingSchema } from "../../../../src/tell/grouping/config";
import { createGroupingGate } from "../../../../src/tell/grouping/gate";
import { createSilentNodes } from "../../../../src/tell/grouping/silent-node";
import { createTaskNodes } from "../../../../src/tell/grouping/task-nodes";
import { createIncidentService, incidentMigrations } from "../../../../src/tell/incidents";
import { IncidentsSchema } from "../../../../src/tell/incidents/config";
import { syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { bothBackends } from "../../../helpers/sql-backends";

const NODE = "reload01.corp.example";
const at = (hhmm: string) => Date.parse(`2026-11-24T${hhmm}:00Z`);
const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const TASKS: Array<[number, string]> = [
  [1, "Wait 1"],
  [2, "Wait 2"],
  [3, "Late 1"],
];
const plan: PlannedChains = {
  tasks: new Map(TASKS.map(([n, name]) => [id(n), { id: id(n), name, enabled: true, appId: `a-${n}`, chains: [] }])),
  apps: new Map(TASKS.map(([n, name]) => [`a-${n}`, { id: `a-${n}`, name: `${name} app`, stream: "Ops" }])),
};

for (const backend of bothBackends()) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());

    test("an open cause is one line with the incidents it holds, and who holds it once acknowledged", async () => {
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
      const failed = async (n: number, hhmm: string): Promise<TaskEvent> => {
        clock.set(at(hhmm));
        const name = TASKS.find(([k]) => k === n)![1];
        const e = syntheticTaskEvent({ outcome: "failed", taskId: id(n), taskName: name, host: NODE, nowMs: at(hhmm) });
        const [annotated] = await incidents.annotate({ ...e, source: "udp" });
        return { ...annotated!, errorClass: "queue" };
      };
      const backlog = syntheticWatchdogEvent("scheduler.queue_backlog", { host: NODE, nowMs: at("02:15") });
      await review({ ...backlog, data: { ...backlog.data, waitingTaskIds: [id(1), id(2)].join(",") } } as DomainEvent, "02:15");
      await review(await failed(1, "02:30"), "02:30");
      await review(await failed(2, "02:30"), "02:30");

      clock.set(at("06:00"));
      const reports = setupReports(undefined, {
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
      const handover = async () => (await reports.summarize(at("02:00"), at("06:00"))).sections!.find((s) => s.title === "Handover")!.lines.map((l) => l.text);
      const [cause] = await causeStore.list({ status: "open", limit: 5 });
      expect(await handover()).toEqual([
        "1 open incident (1 that nobody holds); 0 snoozes ending in the next 24 hours",
        `Cause #${cause!.id}: reload queue backed up on reload01 (open since Tue 24 Nov 02:15, holds 2 task incidents): nobody holds it`,
      ]);
      clock.set(at("06:10"));
      expect(await createCauseAcknowledger(db).acknowledge(cause!.id, "Anna Svensson (channel:ops-chat)", "on it", clock.now())).toBeDefined();
      expect(await handover()).toEqual([
        "1 open incident (0 that nobody holds); 0 snoozes ending in the next 24 hours",
        `Cause #${cause!.id}: reload queue backed up on reload01 (open since Tue 24 Nov 02:15, holds 2 task incidents): held by Anna Svensson (channel:ops-chat) since Tue 24 Nov 06:10`,
      ]);
    }, 60_000);
  });
}
