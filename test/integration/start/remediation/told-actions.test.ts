// The actions an incident's message tells of (action-store.ts `tell`), on both stores: each started or ended action
// not yet told is told by the next event's messages, by every message of that event and by no later event's; an
// Engine reload still running waits for the message after its end. On PostgreSQL marking and reading are one
// statement, so the rows marked now must come back once, with the event that told them. A cause's message tells its
// symptoms' actions (tellOfCause), as their own messages are folded under it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { bothBackends } from "../../../helpers/sql-backends";

for (const backend of bothBackends()) {
  describe(`actions told by an incident's messages (${backend.name})`, () => {
    afterAll(() => backend.shutdown());
    // PostgreSQL starts with the first store opened: not within a test's time.
    beforeAll(() => backend.open([remediationMigrations]), 120_000);

    test("each action told once, by every message of the event that first tells it", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const add = async (n: number, kind: "rerun" | "reload", incidentId = 7) =>
        (
          await store.add({
            incidentId,
            taskId: `task-${n}`,
            taskName: `Task ${n}`,
            kind,
            requestedBy: "ops",
            requestedFrom: "api",
            requestedAt: 1_000,
            dueAt: 1_000,
          })
        ).action.id;
      const ended = await add(1, "rerun");
      const started = await add(2, "rerun");
      const reloading = await add(3, "reload");
      const pending = await add(4, "rerun");
      const otherIncident = await add(5, "rerun", 8);
      const status = (id: number, s: string) => db.run("UPDATE remediation_actions SET status = ? WHERE id = ?", [s, id]);
      await status(ended, "ended");
      await status(started, "started");
      await status(reloading, "started");
      await status(otherIncident, "ended");

      const first = await store.tell(7, "event-a");
      expect(first.map((a) => a.id)).toEqual([ended, started]);
      expect(first.map((a) => a.toldEventId)).toEqual(["event-a", "event-a"]);
      // Another message of the same event says the same.
      expect((await store.tell(7, "event-a")).map((a) => [a.id, a.toldEventId])).toEqual([
        [ended, "event-a"],
        [started, "event-a"],
      ]);
      // The reload ends and the pending action is still pending: the next event tells of the reload only.
      await status(reloading, "ended");
      expect((await store.tell(7, "event-b")).map((a) => [a.id, a.toldEventId])).toEqual([[reloading, "event-b"]]);
      expect((await store.tell(7, "event-c")).map((a) => a.id)).toEqual([]);
      expect((await store.get(pending))?.toldEventId).toBeNull();
      expect((await store.tell(8, "event-d")).map((a) => a.id)).toEqual([otherIncident]);
    });

    test("an action told while its run had not ended is told again once it has, once; one its run's own end told is not", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const add = async (taskId: string) =>
        (await store.add({ incidentId: 21, taskId, taskName: taskId, kind: "retry", requestedBy: "ops", requestedFrom: "link", requestedAt: 1, dueAt: 1 }))
          .action.id;
      const running = await add("task-r");
      const ownEnd = await add("task-o");
      await db.run("UPDATE remediation_actions SET status = 'started' WHERE incident_id = 21");
      expect((await store.tell(21, "event-a")).map((a) => [a.id, a.toldEventId, a.toldWhileRunning])).toEqual([
        [running, "event-a", true],
        [ownEnd, "event-a", true],
      ]);
      // Task-o's run ended with event-a itself: its message told the outcome.
      await store.toldEnd([ownEnd], "event-a");
      expect((await store.tell(21, "event-a")).map((a) => [a.id, a.toldWhileRunning])).toEqual([
        [running, true],
        [ownEnd, false],
      ]);
      expect(await store.tell(21, "event-b")).toEqual([]);
      await db.run("UPDATE remediation_actions SET status = 'ended', outcome = 'failed' WHERE incident_id = 21");
      expect((await store.tell(21, "event-c")).map((a) => [a.id, a.toldEventId, a.toldWhileRunning])).toEqual([[running, "event-c", false]]);
      expect(await store.tell(21, "event-d")).toEqual([]);
    });

    test("a cause's message tells its symptoms' tasks' actions asked since it opened, and its re-run's, each once", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const add = async (taskId: string, incidentId: number, requestedAt: number, causeId = 0) => {
        const { action } = await store.add({
          incidentId,
          taskId,
          taskName: taskId,
          kind: "retry",
          causeId,
          requestedBy: "ops",
          requestedFrom: "link",
          requestedAt,
          dueAt: requestedAt,
        });
        await db.run("UPDATE remediation_actions SET status = 'ended', outcome = 'succeeded' WHERE id = ?", [action.id]);
        return action.id;
      };
      const before = await add("Task-A", 11, 500);
      const healed = await add("Task-A", 12, 2_000);
      const failed = await add("task-b", 13, 2_500);
      const rerun = await add("task-c", 14, 2_600, 9);
      const elsewhere = await add("task-d", 15, 2_700);
      const cause = { id: 9, taskIds: ["task-a", "TASK-B"], since: 1_000 };
      // The first message of the cause tells them; a message of another event of it later, none again.
      const first = await store.tellOfCause(cause, "closing-event");
      expect(first.map((a) => [a.id, a.toldEventId])).toEqual([
        [healed, "closing-event"],
        [failed, "closing-event"],
        [rerun, "closing-event"],
      ]);
      expect((await store.tellOfCause(cause, "closing-event")).map((a) => a.id)).toEqual([healed, failed, rerun]);
      expect(await store.tellOfCause(cause, "later-event")).toEqual([]);
      // Told on the cause's page, an incident's own next message does not tell them again.
      expect(await store.tell(12, "recovery-event")).toEqual([]);
      expect((await store.get(before))?.toldEventId).toBeNull();
      expect((await store.get(elsewhere))?.toldEventId).toBeNull();
    });
  });
}
