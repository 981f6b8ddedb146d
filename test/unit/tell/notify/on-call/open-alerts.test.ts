// One delivery's step on an on-call product, against the channel's open marks: what is sent, what the marks say after.
import { expect, test } from "bun:test";
import type { TaskEvent } from "../../../../../src/platform/events/types";
import { memoryChannelState } from "../../../../../src/tell/notify/channel-state";
import { buildNotification } from "../../../../../src/tell/notify/notification";
import { openAlertEvent, type OnCallStep, stepAlert } from "../../../../../src/tell/notify/on-call/open-alerts";
import { syntheticTaskEvent } from "../../../../../src/tell/notify/samples";

/** A run heard from the Scheduler (not a test alert): the sample's incident 42 is its alert. */
const run = (kind: "task.failed" | "task.recovered"): TaskEvent => ({ ...syntheticTaskEvent({ kind }), source: "udp" });
const notification = (e: TaskEvent) =>
  buildNotification(
    { deliveryId: 1, key: "k", channel: "oncall", route: "r", events: [e], recipient: "", target: null, attempt: 1 },
    {
      headLines: 15,
      tailLines: 25,
      links: [],
    },
  );

test("a trigger sent again for the event that opened the alert goes nowhere; another event's trigger and the resolve go", async () => {
  const state = memoryChannelState();
  const sent: OnCallStep[] = [];
  const step = (e: TaskEvent) => stepAlert(notification(e), state, async (s) => void sent.push(s));
  const failed = run("task.failed");
  const key = "steward-incident-42";

  expect(await step(failed)).toEqual({ step: { action: "trigger", key } });
  expect(await openAlertEvent(state, key)).toBe(failed.id);
  // The same delivery again (a Steward died after the mark, before recording it delivered): the product has it.
  expect(await step(failed)).toEqual({ step: { action: "trigger", key } });
  expect(sent).toEqual([{ action: "trigger", key }]);

  const again = run("task.failed");
  await step(again);
  expect(sent).toHaveLength(2);
  expect(await openAlertEvent(state, key)).toBe(failed.id);

  await step(run("task.recovered"));
  expect(sent.at(-1)).toEqual({ action: "resolve", key });
  expect(await openAlertEvent(state, key)).toBeUndefined();
  // Once resolved, the first failure's trigger would open a new alert: it is sent.
  await step(failed);
  expect(sent).toHaveLength(4);
});

test("a resolve or acknowledge of an alert the product does not hold sends nothing and says why (never 'delivered')", async () => {
  const state = memoryChannelState();
  const sent: OnCallStep[] = [];
  const recovered = run("task.recovered");
  const done = await stepAlert(notification(recovered), state, async (s) => void sent.push(s));
  expect(done).toEqual({ nothingSent: expect.stringContaining("no alert steward-incident-42 is open in the product") });
  expect(sent).toEqual([]);
});
