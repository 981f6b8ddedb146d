// The message of a retry's run's own end tells its outcome on every channel, also when another message told the
// retry while its run was going (a cause's page, the task's app fresh again) and the channels' messages are built
// before the bus has closed the action (issue 101's closing scenario on a loaded PostgreSQL: Reload Stock's retry that
// healed reached two of the page's three receivers). Each delivery of an event is built on its own (outbox worker), so
// one built in that gap read the action as "told by another event, still running", left its line out, and the
// deliveries built after the close told it. On both stores, through the store and the lines a message carries.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { messageLines } from "../../../../src/start/remediation/lines";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { bothBackends } from "../../../helpers/sql-backends";

const TASK = "5a1e0000-0000-4000-8000-00000000000a";
const INCIDENT = 5;
const at = (ms: number) => new Date(ms).toISOString();

/** An event of the scheduler's path (not a preview), of the incident's task, carrying its incident. */
function eventOf(kind: "task.succeeded" | "task.recovered" | "task.failed", executionId: string, cause?: number): TaskEvent {
  const e = syntheticTaskEvent({ kind, taskId: TASK, taskName: "Reload Stock" });
  const outcome = kind === "task.failed" ? "failed" : kind === "task.recovered" ? "recovered" : "succeeded";
  return {
    ...e,
    id: `${executionId}:${outcome}`,
    executionId,
    source: "udp",
    incident: { id: INCIDENT, status: kind === "task.recovered" ? "closed" : "open" } as TaskEvent["incident"],
    ...(cause ? { cause: { id: cause } as TaskEvent["cause"] } : {}),
  };
}

for (const backend of bothBackends()) {
  describe(`a run's own end tells its action's outcome on every channel (${backend.name})`, () => {
    afterAll(() => backend.shutdown());
    beforeAll(() => backend.open([remediationMigrations]), 120_000);

    test("told while running by another message, then each delivery of its run's recovery, built before and after the close", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      // The cause that held the task's app's staleness: its message names the task among its symptoms.
      const causes = {
        get: async (id: number) => (id === 2 ? ({ id: 2, openedAt: 0 } as never) : undefined),
        symptoms: async () => [{ taskId: TASK }] as never,
      };
      const lines = (e: TaskEvent) => messageLines({ store, causes, formatTime: at }, e);
      const { action } = await store.add({
        incidentId: INCIDENT,
        taskId: TASK,
        taskName: "Reload Stock",
        kind: "retry",
        requestedBy: "anna@corp.example",
        requestedFrom: "link",
        requestedAt: 1_000,
        dueAt: 1_000,
      });
      await db.run("UPDATE remediation_actions SET status = 'started', started_at = 2000, qlik_answer = 'Qlik started the task' WHERE id = ?", [action.id]);

      // A message of the cause (another symptom's end) is built while the retry's run is still going.
      const symptom = eventOf("task.succeeded", "other-run", 2);
      const ofCause: TaskEvent = { ...symptom, task: { ...symptom.task, id: "another-task" }, incident: undefined };
      expect((await lines(ofCause)).join("\n")).toContain("Reload Stock: Retried by anna@corp.example");
      expect((await lines(ofCause)).join("\n")).toContain("its run has not ended yet");

      // The run ends: its recovery's three deliveries, the first built before the run's end closed the action.
      const recovered = eventOf("task.recovered", "retry-run");
      const teams = await lines(recovered);
      await store.ended(TASK, 3_000, "succeeded", null, "retry-run");
      const mail = await lines(recovered);
      const mailOnDuty = await lines(recovered);
      for (const [to, said] of Object.entries({ teams, mail, mailOnDuty }))
        expect({ to, told: said.some((l) => l.includes("the retry succeeded.")) }).toEqual({ to, told: true });
      // Told once: the next event of the incident does not tell it again.
      expect(await lines(eventOf("task.failed", "next-run"))).toEqual([]);
      expect((await store.get(action.id))?.toldEventId).toBe(recovered.id);
    });

    test("a failed retry's own failure, built before the close, tells it failed; another task's end on the incident does not take it", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const causes = {
        get: async (id: number) => (id === 2 ? ({ id: 2, openedAt: 0 } as never) : undefined),
        symptoms: async () => [{ taskId: TASK }] as never,
      };
      const lines = (e: TaskEvent) => messageLines({ store, causes, formatTime: at }, e);
      const { action } = await store.add({
        incidentId: INCIDENT,
        taskId: TASK,
        taskName: "Reload Stock",
        kind: "retry",
        requestedBy: "Per Olsson",
        requestedFrom: "link",
        requestedAt: 1_000,
        dueAt: 1_000,
      });
      await db.run("UPDATE remediation_actions SET status = 'started', started_at = 2000 WHERE id = ?", [action.id]);
      const symptom = eventOf("task.failed", "other-run", 2);
      expect((await lines({ ...symptom, task: { ...symptom.task, id: "another-task" }, incident: undefined })).join("\n")).toContain(
        "its run has not ended yet",
      );
      // Another task's end on the same incident (a chain's task) is not this run's end: it leaves the action as it is.
      const other = eventOf("task.succeeded", "another-task-run");
      expect(await lines({ ...other, task: { ...other.task, id: "another-task" } })).toEqual([]);
      const failed = eventOf("task.failed", "retry-run");
      expect((await lines(failed)).join("\n")).toContain("the retry failed.");
      await store.ended(TASK, 3_000, "failed", "Error: the file is locked", "retry-run");
      expect((await lines(failed)).join("\n")).toContain("the retry failed.");
      expect((await store.get(action.id))?.toldEventId).toBe(failed.id);
    });

    test("a late word of the run before the retry (its failure heard after the retry started) neither ends nor tells the retry", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const lines = (e: TaskEvent) => messageLines({ store, causes: { get: async () => undefined, symptoms: async () => [] }, formatTime: at }, e);
      const { action } = await store.add({
        incidentId: INCIDENT,
        taskId: TASK,
        taskName: "Reload Stock",
        kind: "retry",
        requestedBy: "anna@corp.example",
        requestedFrom: "link",
        requestedAt: 1_000,
        dueAt: 1_000,
      });
      const got = await store.claim(action.id, "s", 1_500, 60_000);
      await store.started(got!.claim, 2_000, "RETRY-RUN", "Qlik started the task");
      // The first run's failure, a datagram lost and found by the look at QRS after the retry started.
      const late = eventOf("task.failed", "first-run");
      expect((await lines(late)).join("\n")).not.toContain("the retry failed.");
      expect(await store.ended(TASK, 2_500, "failed", "Error: the file is locked", late.executionId)).toEqual([]);
      expect((await store.get(action.id))?.status).toBe("started");
      // The retry's own run ends: it, and only it, ends the action and tells its outcome.
      const recovered = eventOf("task.recovered", "retry-run");
      expect((await lines(recovered)).join("\n")).toContain("the retry succeeded.");
      expect((await store.ended(TASK, 3_000, "succeeded", null, recovered.executionId)).map((a) => a.id)).toEqual([action.id]);
    });
  });
}
