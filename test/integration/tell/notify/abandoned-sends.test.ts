// The worker's look for sends a dead Steward left (issue 75, F2), on both stores: a member missing from the live list
// keeps its sends in flight for memberGraceMs (after a store outage every heartbeat is late until the next beat), and
// they go back to pending as soon as that has passed; a member alive again in time keeps them; a member never seen
// alive (dead before this Steward started) is not waited for.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { notifyMigrations } from "../../../../src/tell/notify/migrations";
import { createOutboxStore, type NewDelivery } from "../../../../src/tell/notify/outbox-store";
import { abandonedSends } from "../../../../src/tell/notify/abandoned-sends";
import { bothBackends } from "../../../helpers/sql-backends";
import { pendingDelivery } from "../../../helpers/pending-delivery";

const delivery = (i: number, now: number): NewDelivery => pendingDelivery(`ev${i}`, now, { channel: "hook" });

for (const backend of bothBackends()) {
  describe(`a dead Steward's sends on ${backend.name}`, () => {
    afterAll(() => backend.shutdown());
    beforeAll(() => backend.open([notifyMigrations]), 120_000);

    test("a member missing from the live list keeps its sends for the grace, then they go again; one never seen alive, at once", {
      timeout: 120_000,
    }, async () => {
      const db = await backend.open([notifyMigrations]);
      const me = createOutboxStore(db, { instanceId: "me" });
      const ghost = createOutboxStore(db, { instanceId: "ghost" });
      const b = createOutboxStore(db, { instanceId: "b" });
      for (const i of [1, 2]) await me.insert(delivery(i, 0));
      expect((await ghost.claimDue(0, 1)).map((r) => r.eventId)).toEqual(["ev1"]);
      expect((await b.claimDue(0, 1)).map((r) => r.eventId)).toEqual(["ev2"]);
      const sending = async () => (await me.list({ status: ["sending"], limit: 10 })).map((r) => r.eventId);

      let live = ["me", "b"];
      const look = abandonedSends({ outbox: me, log: createSilentLogger(), liveInstances: async () => live, peerPollMs: () => 1_000, memberGraceMs: 2_000 });
      await look.start(1_000);
      expect(await sending()).toEqual(["ev2"]);

      // b's heartbeat is late (the store was away): its send stays its own for the grace, and it shows up again.
      live = ["me"];
      await look.due(2_000);
      await look.due(3_000);
      expect(await sending()).toEqual(["ev2"]);
      live = ["me", "b"];
      await look.due(4_500);
      // Missing again, now for good: its send goes back to pending once the grace has passed since it went.
      live = ["me"];
      await look.due(6_000);
      await look.due(7_000);
      expect(await sending()).toEqual(["ev2"]);
      await look.due(8_000);
      expect(await sending()).toEqual([]);
      expect((await me.list({ status: ["pending"], limit: 10 })).map((r) => r.eventId).sort()).toEqual(["ev1", "ev2"]);
    });
  });
}
