// What a delivery gate (silences, maintenance windows, grouping) may hold back: alerts sent now or folded into a
// digest, never a data sink's points (InfluxDB, New Relic keep every event) and never what is already suppressed.
import { expect, test } from "bun:test";
import { composeGates, wouldSend } from "../../../../src/tell/notify/gate";
import type { Plan } from "../../../../src/tell/notify/planner";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

test("alerts may be held back; data sinks and settled deliveries may not", () => {
  expect(wouldSend({ action: "send", channelType: "email" })).toBe(true);
  expect(wouldSend({ action: "group", channelType: "teams" })).toBe(true);
  expect(wouldSend({ action: "send", channelType: "mqtt" })).toBe(true);
  expect(wouldSend({ action: "send", channelType: "influxdb" })).toBe(false);
  expect(wouldSend({ action: "send", channelType: "newrelic" })).toBe(false);
  expect(wouldSend({ action: "suppress", channelType: "email" })).toBe(false);
  expect(wouldSend({ action: "duplicate", channelType: "email" })).toBe(false);
});

test("gates apply in order, each seeing what the one before left", async () => {
  const plan: Plan = { event: syntheticTaskEvent(), routes: [], deliveries: [] };
  const seen: string[] = [];
  const gate = (name: string) => ({
    async review(p: Plan) {
      seen.push(`${name}:${p.routes.length}`);
      return { ...p, routes: [...p.routes, { route: name, matched: true, channels: [], skippedRecipients: [] }] };
    },
  });
  const out = await composeGates([gate("a"), gate("b")]).review(plan, 0);
  expect(seen).toEqual(["a:0", "b:1"]);
  expect(out.routes.map((r) => r.route)).toEqual(["a", "b"]);
});
