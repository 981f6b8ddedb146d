// Who an action's outcome reached, on both stores (told-receivers.ts): each receiver a message carrying it was built
// for is kept once; an outcome a message told is looked at once for the page's receivers it left out, claimed by one
// Steward of a cluster, and a claim never marked queued (its Steward stopped) is found again by the next look.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { bothBackends } from "../../../helpers/sql-backends";

const ENDED = 1_000_000;

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
  });
}
