// Issue 101, the grouped update's claim on both stores: a re-run of five cancelled runs whose wait for a free engine
// gave up ends all five at once (waited-out.ts), and its one update is claimed for the five in one statement. Two
// Stewards claiming at the same moment (two connections of PostgreSQL's pool) get it once between them; an action a
// message told already is left out, and another person's re-run that ended at the same look is an update of its own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { actionUpdateEventId } from "../../../../src/platform/events/action-update";
import { createActionStore } from "../../../../src/start/remediation/action-store";
import { remediationMigrations } from "../../../../src/start/remediation/migrations";
import { bothBackends } from "../../../helpers/sql-backends";

const GAVE_UP = "every engine of reload01 stayed busy for 60 minutes";
const T0 = Date.parse("2026-03-03T02:25:00Z");
const ENDED = T0 + 60 * 60_000;

for (const backend of bothBackends()) {
  describe(`a re-run that gave up waiting is claimed as one update (${backend.name})`, () => {
    afterAll(() => backend.shutdown());
    beforeAll(() => backend.open([remediationMigrations]), 120_000);

    /** A re-run of `names` on cause `causeId` asked by `by`, ended as an engine wait that gave up ends it. */
    async function gaveUp(store: ReturnType<typeof createActionStore>, causeId: number, by: string, names: string[]) {
      let afterId = 0;
      const ids: number[] = [];
      for (const [i, name] of names.entries()) {
        const { action } = await store.add({
          incidentId: causeId * 10 + i,
          taskId: `task-${causeId}-${i}`,
          taskName: name,
          node: "reload01",
          kind: "rerun",
          causeId,
          afterId,
          seenExecution: "none",
          requestedBy: by,
          requestedFrom: "rest",
          requestedAt: T0,
          dueAt: T0,
        });
        afterId = action.id;
        ids.push(action.id);
      }
      const first = await store.waitedOut(ids[0]!, ENDED, GAVE_UP, "1 of 1 busy at the last look");
      await store.waitedOutAfter(causeId, ids[0]!, ENDED, GAVE_UP, `the re-run of ${names[0]} before it gave up`);
      return { first: first!, ids };
    }

    test("two Stewards claiming at once: one claims the five, the other none; each Steward reads the same five", async () => {
      const db = await backend.open([remediationMigrations]);
      const [a, b] = [createActionStore(db), createActionStore(db)];
      const { first, ids } = await gaveUp(a, 1, "anna@corp.example", ["Extract orders", "Load sales", "Load stock", "Load budget", "Load HR"]);
      const group = await b.endedWith(first);
      expect(group.map((x) => x.id)).toEqual(ids);
      const eventId = actionUpdateEventId(ids[0]!);
      const claims = await Promise.all([a.claimUpdates(ids, eventId), b.claimUpdates(ids, eventId)]);
      expect(claims.map((c) => c.length).sort()).toEqual([0, 5]);
      expect(claims.find((c) => c.length > 0)).toEqual(ids);
      await a.updateQueued(eventId);
      const told = await db.all<{ told_event_id: string }>("SELECT told_event_id FROM remediation_actions WHERE cause_id = 1");
      expect(told.map((r) => r.told_event_id)).toEqual(ids.map(() => eventId));
      expect(await a.untoldOutcomes(T0, ENDED + 60_000)).toEqual([]);
    });

    test("an action a message told is left out; another person's re-run ended at the same look is a group of its own", async () => {
      const db = await backend.open([remediationMigrations]);
      const store = createActionStore(db);
      const anna = await gaveUp(store, 2, "anna@corp.example", ["Extract orders", "Load sales", "Load stock"]);
      await db.run("UPDATE remediation_actions SET told_event_id = 'queue-backlog-7' WHERE id = ?", [anna.ids[1]!]);
      const per = await gaveUp(store, 3, "per@corp.example", ["Load HR", "Load budget"]);
      expect((await store.endedWith(anna.first)).map((x) => x.id)).toEqual(anna.ids);
      expect((await store.endedWith(per.first)).map((x) => x.id)).toEqual(per.ids);
      expect(await store.claimUpdates(anna.ids, actionUpdateEventId(anna.ids[0]!))).toEqual([anna.ids[0]!, anna.ids[2]!]);
      expect(await store.claimUpdates(per.ids, actionUpdateEventId(per.ids[0]!))).toEqual(per.ids);
    });
  });
}
