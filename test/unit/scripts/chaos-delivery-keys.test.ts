// The chaos suite's webhook receiver counts a run's alerts by X-Steward-Delivery key (docs/channels.md: a receiver may
// drop a repeat by it): a send given up at the channel's timeout and sent again is one alert, two keys are two.
import { expect, test } from "bun:test";
import { createDeliveryKeys, judgeAlerts } from "../../../scripts/chaos-report";

const RUN = { executionId: "497c9338-6174-4ba6-a927-5fecb322c340", node: "Reload02", at: 1_000 };

/** The receiver's count of one run's deliveries, each given by its key. */
function countOf(keys: string[]): Map<string, number> {
  const judge = createDeliveryKeys();
  const count = new Map<string, number>();
  for (const key of keys) if (judge.accept(key)) count.set(RUN.executionId, (count.get(RUN.executionId) ?? 0) + 1);
  return count;
}

test("a delivery received again under its key is one alert; two keys for one run are a duplicate", () => {
  const judge = (keys: string[]) => judgeAlerts([RUN], new Map([[RUN.executionId, 2_000]]), countOf(keys), 45_000).duplicatedAlerts;
  expect(judge(["evt-1:hook:", "evt-1:hook:"])).toEqual([]);
  expect(judge(["evt-1:hook:", "evt-2:hook:"])).toEqual([RUN.executionId]);
  // A receiver that cannot tell (no key sent) counts every delivery.
  expect(judge(["", ""])).toEqual([RUN.executionId]);
});
