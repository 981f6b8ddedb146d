// Who an action's outcome reached, on both stores (told-receivers.ts): each receiver a message carrying it was built
// for is kept once; an outcome a message told is looked at once for the page's receivers it left out, claimed by one
// Steward of a cluster, and a claim never marked queued (its Steward stopped) is found again by the next look.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { messageLines } from "../../../../src/start/remediation/lines";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { bothBackends } from "../../../helpers/sql-backends";

const ENDED = 1_000_000;
const TASK = "5a1e0000-0000-4000-8000-00000000000b";

/** A failure of the scheduler's path (not a preview) of the task, on incident 7. */
function failureOf(executionId: string): TaskEvent {
  const e = syntheticTaskEvent({ kind: "task.failed", taskId: TASK, taskName: "Reload Stock" });
  return { ...e, id: `${executionId}:failed`, executionId, source: "udp", incident: { id: 7, status: "open" } as TaskEvent["incident"] };
}

for (const backend of bothBackends()) {
  describe(`who an action's outcome reached (${backend.name})`, () => {
    afterAll(() => backend.shutdown());
    beforeAll(() => backend.open([remediationMigrations]), 120_000);

    test("an outcome a message told is looked at once; the claim is one Steward's and survives its stop", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const add = async (n: number, from: string, told: string | null) => {
        const { action } = await store.add({
          incidentId: n,
          taskId: `task-${n}`,
          taskName: `Task ${n}`,
          kind: "retry",
          requestedBy: from === "rule" ? "rule:transient" : "anna@corp.example",
          requestedFrom: from,
          requestedAt: ENDED - 60_000,
          dueAt: ENDED - 60_000,
        });
        await db.run("UPDATE remediation_actions SET status = 'ended', outcome = 'failed', ended_at = ?, told_event_id = ? WHERE id = ?", [
          ENDED,
          told,
          action.id,
        ]);
        return action.id;
      };
      const told = await add(1, "link", "event-1:failed");
      await add(2, "rule", "event-2:failed"); // a rule's attempts are told on its page
      await add(3, "link", "started:event-3:failed"); // told while running: its outcome is not told yet
      await add(4, "link", "action-4:update"); // its own update went to every receiver of the page
      await add(5, "link", null); // untold: its update goes to the whole page (action-updates.ts)
      expect((await store.toldByMessages(0)).map((a) => a.id)).toEqual([told]);
      expect((await store.nextLook(ENDED + 1_000)).unfinished).toBe(true);

      // Two Stewards look at once: one claims.
      expect(await store.claimRest(told)).toBe(true);
      expect(await store.claimRest(told)).toBe(false);
      expect(await store.toldByMessages(0)).toEqual([]);
      // Its Steward stopped before the update was queued: any Steward's next look finds the claim.
      expect((await store.claimedRest(0)).map((a) => a.id)).toEqual([told]);
      await store.restQueued(told);
      expect(await store.claimedRest(0)).toEqual([]);
      expect(await store.claimRest(told)).toBe(false);
    });

    test("each receiver a message carrying the outcome was built for is kept once, whatever its case", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const { action } = await store.add({
        incidentId: 9,
        taskId: "task-9",
        taskName: "Task 9",
        kind: "retry",
        requestedBy: "anna@corp.example",
        requestedFrom: "link",
        requestedAt: 1,
        dueAt: 1,
      });
      await store.toldTo([action.id], { channel: "teams", recipient: "" }, "event-9:recovered", 2);
      await store.toldTo([action.id], { channel: "mail", recipient: "Anna@Corp.example" }, "action-9:update", 3);
      await store.toldTo([action.id], { channel: "mail", recipient: "anna@corp.example" }, "event-10:failed", 4);
      expect([...(await store.toldReceivers(action.id))].sort()).toEqual(["mail|anna@corp.example", "teams|"]);
      expect(await store.toldReceivers(action.id + 1)).toEqual(new Set());
    });

    test("an outcome whose message reached the whole page is looked at no more", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const { action } = await store.add({
        incidentId: 11,
        taskId: "task-11",
        taskName: "Task 11",
        kind: "retry",
        requestedBy: "anna@corp.example",
        requestedFrom: "link",
        requestedAt: 1,
        dueAt: 1,
      });
      await db.run("UPDATE remediation_actions SET status = 'ended', outcome = 'succeeded', ended_at = ?, told_event_id = 'event-11:recovered' WHERE id = ?", [
        ENDED,
        action.id,
      ]);
      expect((await store.nextLook(ENDED + 1_000)).unfinished).toBe(true);
      await store.restNone(action.id);
      expect(await store.toldByMessages(0)).toEqual([]);
      expect(await store.claimRest(action.id)).toBe(false);
      expect((await store.nextLook(ENDED + 1_000)).unfinished).toBe(false);
    });

    test("a message built while the run goes keeps no receiver; each built for its end keeps the one it was built for", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      // A cause (a lock on the stock folder) names the task among its symptoms.
      const causes = {
        get: async (id: number) => (id === 2 ? ({ id: 2, openedAt: 0 } as never) : undefined),
        symptoms: async () => [{ taskId: TASK }] as never,
      };
      const { action } = await store.add({
        incidentId: 7,
        taskId: TASK,
        taskName: "Reload Stock",
        kind: "retry",
        requestedBy: "Per Olsson",
        requestedFrom: "link",
        requestedAt: 1_000,
        dueAt: 1_000,
      });
      await db.run("UPDATE remediation_actions SET status = 'started', started_at = 2000 WHERE id = ?", [action.id]);
      const lines = (e: TaskEvent, channel: string, recipient: string) =>
        messageLines({ store, causes, formatTime: (ms) => new Date(ms).toISOString() }, e, { channel, recipient, at: 5_000 });
      // The cause's update (another of its tasks failed), to the on-call mail while the retry runs: it says it is running.
      const other = failureOf("other-run");
      const ofCause: TaskEvent = { ...other, task: { ...other.task, id: "another-task" }, incident: undefined, cause: { id: 2 } as TaskEvent["cause"] };
      expect((await lines(ofCause, "mail", "bo@corp.example")).join("\n")).toContain("its run has not ended yet");
      expect(await store.toldReceivers(action.id)).toEqual(new Set());
      // The retry's own failure, to Teams before the bus closed the action and to the mail after: both carry the outcome.
      const failed = failureOf("retry-run");
      expect((await lines(failed, "teams", "")).join("\n")).toContain("the retry failed.");
      await store.ended(TASK, 3_000, "failed", "Error: the file is locked", failed.executionId);
      expect((await lines(failed, "mail", "Qlik-Ops@corp.example")).join("\n")).toContain("the retry failed.");
      expect([...(await store.toldReceivers(action.id))].sort()).toEqual(["mail|qlik-ops@corp.example", "teams|"]);
      // bo@corp.example got only the running line: the page's receiver the update is for.
      expect((await store.toldByMessages(0)).map((a) => a.id)).toEqual([action.id]);
    });
  });
}
