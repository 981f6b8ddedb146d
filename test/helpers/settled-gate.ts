// A delivery gate as the outbox applies it (src/tell/notify/enqueue.ts): reviewed, then settled inside one store
// transaction, for the tests that drive a gate without a notifier.
import type { DeliveryGate } from "../../src/tell/notify/gate";
import type { SqlDb } from "../../src/platform/store/sql";

export function settledGate(gate: DeliveryGate, db: SqlDb): DeliveryGate {
  return {
    async review(plan, now, ctx) {
      const reviewed = await gate.review(plan, now, ctx);
      return gate.settle ? db.transaction((tx) => gate.settle!(reviewed, tx, now)) : reviewed;
    },
  };
}
