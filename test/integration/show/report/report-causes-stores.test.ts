// The report's failures by cause read from the stores the Stewards of a site share, on SQLite and PostgreSQL: the
// incidents' failed runs and the causes open during the span (issue 74). A node's queue backs up with Late 1 listed as
// waiting; Qlik cancels Wait 1 and Wait 2 (the queue's cause records their runs); the queue empties; Late 1 then fails
// for its own reason: it is a cause of its own, not the queue's.
import { afterAll, describe, expect, test } from "bun:test";
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

    test("the queue's cause holds its cancelled runs; the task it listed as waiting fails on its own and is its own cause", async () => {
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
      const failed = async (n: number, hhmm: string, errorClass?: "queue"): Promise<TaskEvent> => {
        clock.set(at(hhmm));
        const name = TASKS.find(([k]) => k === n)![1];
        const e = syntheticTaskEvent({ outcome: "failed", taskId: id(n), taskName: name, host: NODE, nowMs: at(hhmm) });
        // As heard from the Scheduler (a test event is read-only to the incidents).
        const [annotated] = await incidents.annotate({ ...e, source: "udp" });
        return { ...annotated!, ...(errorClass ? { errorClass } : {}) };
      };
      const backlog = syntheticWatchdogEvent("scheduler.queue_backlog", { host: NODE, nowMs: at("02:15") });
      await review({ ...backlog, data: { ...backlog.data, waitingTaskIds: [id(1), id(2), id(3)].join(",") } } as DomainEvent, "02:15");
      await review(await failed(1, "02:30", "queue"), "02:30");
      await review(await failed(2, "02:30", "queue"), "02:30");
      await review(syntheticWatchdogEvent("task.on_track", { host: NODE, condition: "queue_backlog", nowMs: at("02:32") }), "02:32");
      await review(await failed(3, "02:37"), "02:37");

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
      const r = await reports.summarize(at("02:00"), at("06:00"));
      expect(r.sections!.find((s) => s.title === "Failures by cause")!.lines.map((l) => l.text)).toEqual([
        "reload queue backed up on reload01 (2 failed runs, ended Tue 24 Nov 02:32): Wait 1, Wait 2; 1 more task held up",
        "Late 1 failed: script (1 failed run, still open)",
      ]);
      // A span that ends before the queue backed up holds neither.
      const before = await reports.summarize(at("01:00"), at("02:00"));
      expect(before.sections!.find((s) => s.title === "Failures by cause")!.lines).toEqual([]);
    }, 60_000);
  });
}
