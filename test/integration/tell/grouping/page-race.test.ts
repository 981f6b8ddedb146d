// Two Stewards review the same upstream failure at once. One opens the cause's parent and pages; the other joins it
// and must hold its copy. The opener used to record where its page went only after its decision, so a second Steward
// joining in between saw a parent with no page yet and sent its copy as the page of a route "not yet reached": two
// pages for one failure (seen once in the full suite on PostgreSQL under load). Here the opener's record of its page is
// held back until the second Steward has decided, which makes that moment certain instead of rare.
import { afterAll, describe, expect, test } from "bun:test";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { chainGraphSource, type PlannedChains } from "../../../../src/tell/grouping/chain-graph";
import { GroupingSchema } from "../../../../src/tell/grouping/config";
import { createGroupingGate } from "../../../../src/tell/grouping/gate";
import { createTaskNodes } from "../../../../src/tell/grouping/task-nodes";
import { createSilentNodes } from "../../../../src/tell/grouping/silent-node";
import type { Plan } from "../../../../src/tell/notify/planner";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { bothBackends } from "../../../helpers/sql-backends";

const plan: PlannedChains = {
  tasks: new Map([
    ["t-extract", { id: "t-extract", name: "Extract", enabled: true, appId: "a-extract", chains: [] }],
    ["t-model", { id: "t-model", name: "Model", enabled: true, appId: "a-model", chains: [{ upstreamIds: ["t-extract"], ruleStates: [1] }] }],
  ]),
  apps: new Map([
    ["a-extract", { id: "a-extract", name: "Extract QVDs" }],
    ["a-model", { id: "a-model", name: "Sales model" }],
  ]),
};

/** The same database, with statements that record a parent's page held until `release` is called. */
function holdingPageRecords(db: SqlDb) {
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  let reached!: () => void;
  const reachedPromise = new Promise<void>((r) => {
    reached = r;
  });
  const held: SqlDb = Object.create(db, {
    run: {
      value: async (sql: string, params?: readonly unknown[]) => {
        if (/SET page_to/.test(sql)) {
          reached();
          await released;
        }
        return db.run(sql, params as never);
      },
    },
  });
  return { db: held, release, reached: reachedPromise };
}

for (const backend of bothBackends()) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());

    test("the Steward that joins a parent as it is being opened holds its copy: one page for one failure", async () => {
      const db = await backend.open([groupingMigrations]);
      const cfg = GroupingSchema.parse({});
      const gateOn = (d: SqlDb) =>
        createGroupingGate(createCauseStore(d), cfg, {
          taskNodes: createTaskNodes(d),
          silentNodes: createSilentNodes(d),
          graph: chainGraphSource(() => plan),
          feedsOfCheck: () => undefined,
        });
      const slow = holdingPageRecords(db);
      const first = gateOn(slow.db);
      const second = gateOn(db);
      const event = syntheticTaskEvent({ kind: "task.failed", taskId: "t-extract", taskName: "Extract", host: "qlik1" });
      const planOf = (): Plan => ({
        event,
        routes: [],
        deliveries: [
          { route: "ops", channel: "mail", channelType: "email", recipient: "ops@corp.example", target: null, key: `${event.id}|mail`, action: "send" },
        ],
      });
      const sent = (p: Plan) => p.deliveries.filter((d) => d.action === "send").length;

      const opening = first.review(planOf(), 1_000);
      // The first Steward has opened the parent and is about to record its page; the second decides now.
      const stillToRecord = await Promise.race([slow.reached.then(() => true), opening.then(() => false)]);
      const joined = await second.review(planOf(), 1_001);
      slow.release();
      const opened = await opening;

      expect(sent(opened)).toBe(1);
      expect(sent(joined)).toBe(0);
      expect(joined.deliveries[0]!.reason).toContain(`a symptom of cause #${opened.event.cause!.id}`);
      // The moment was the one intended: the parent open, the opener's own record of its page not yet made.
      expect(stillToRecord).toBe(true);
    });
  });
}
