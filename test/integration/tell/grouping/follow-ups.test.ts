// Follow-ups only for what was sent (issue 64): a task.on_track reaches a channel and recipient only if they received
// the page of the condition it closes on its own. A page held (a cause's symptom, a silence), or sent only to another
// channel, is not followed up there; a cause's recovered page riding on a task.on_track always goes.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import type { WatchdogEvent } from "../../../../src/platform/events/types";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { createFollowUpGate } from "../../../../src/tell/grouping/follow-ups";
import type { DeliveryGate } from "../../../../src/tell/notify/gate";
import type { Plan, PlannedDelivery } from "../../../../src/tell/notify/planner";
import { syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { bothBackends } from "../../../helpers/sql-backends";

const delivery = (e: WatchdogEvent, channel: string, action: PlannedDelivery["action"] = "send"): PlannedDelivery => ({
  route: `${channel}-route`,
  channel,
  channelType: "webhook",
  recipient: "",
  target: null,
  key: `${e.id}|${channel}`,
  action,
});
const event = (kind: "task.missed" | "task.on_track", key: string): WatchdogEvent => {
  const e = syntheticWatchdogEvent(kind, {});
  return { ...e, id: `watch:${key}:${kind}`, condition: { ...e.condition, key } };
};
const sent = (p: Plan) =>
  p.deliveries
    .filter((d) => d.action === "send")
    .map((d) => d.channel)
    .sort();

for (const backend of bothBackends()) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());
    let gate: DeliveryGate;
    beforeEach(async () => {
      gate = createFollowUpGate(await backend.open([groupingMigrations]));
    });

    test("a start back on track goes where its missed start was sent on its own, nowhere else", async () => {
      const missed = event("task.missed", "missed:t1:tr");
      // Sent to the team, held on the duty channel (a silence, say): recorded for the team only.
      await gate.review({ event: missed, routes: [], deliveries: [delivery(missed, "team"), delivery(missed, "duty", "suppress")] }, 1_000);
      const back = event("task.on_track", "missed:t1:tr");
      const out = await gate.review({ event: back, routes: [], deliveries: [delivery(back, "team"), delivery(back, "duty"), delivery(back, "watch")] }, 2_000);
      expect(sent(out)).toEqual(["team"]);
      expect(out.deliveries.find((d) => d.channel === "watch")!.reason).toContain("did not receive");
    });

    test("a missed start held as a cause's symptom (it carries the cause) is not followed up; the cause's recovered page is", async () => {
      const missed = { ...event("task.missed", "missed:t2:tr"), cause: { id: 1, status: "open" } } as WatchdogEvent;
      await gate.review({ event: missed, routes: [], deliveries: [delivery(missed, "team")] }, 1_000);
      const back = event("task.on_track", "missed:t2:tr");
      expect(sent(await gate.review({ event: back, routes: [], deliveries: [delivery(back, "team")] }, 2_000))).toEqual([]);
      const closing = { ...back, id: `${back.id}:2`, cause: { id: 1, status: "closed" } } as WatchdogEvent;
      expect(sent(await gate.review({ event: closing, routes: [], deliveries: [delivery(closing, "team")] }, 3_000))).toEqual(["team"]);
    });
  });
}
