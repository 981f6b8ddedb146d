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

test("a success QRS did not confirm sends nothing: not its own run's resolve, not a flood's cause trigger (issue 103)", async () => {
  const state = memoryChannelState();
  const sent: OnCallStep[] = [];
  const step = (e: TaskEvent) => stepAlert(notification(e), state, async (s) => void sent.push(s));
  const base = { ...syntheticTaskEvent({ kind: "task.failed" }), source: "udp" as const, incident: undefined };
  const unconfirmed = { qrs: "unavailable" as const, reason: "QRS did not answer" };
  // A real failure paged unconfirmed: its own run's alert opens.
  const failure: TaskEvent = { ...base, unconfirmed };
  expect(await step(failure)).toEqual({ step: { action: "trigger", key: `steward-unconfirmed-${failure.executionId}` } });
  // A forged success naming the same run: nothing is sent, the page stays open.
  const success: TaskEvent = { ...base, id: "forged-success", kind: "task.succeeded", outcome: "succeeded", unconfirmed };
  expect(await step(success)).toEqual({ nothingSent: expect.stringContaining("did not confirm") });
  // The summary of a flood of forged successes, which opened the address's cause: no trigger either.
  const flood: TaskEvent = {
    ...success,
    id: "flood-summary",
    unconfirmed: { ...unconfirmed, flood: { address: "10.0.0.5", outcome: "succeeded" } },
    cause: {
      id: 7,
      title: "unconfirmed succeeded task runs from 10.0.0.5",
      text: "",
      status: "open",
      tasks: [],
      apps: [],
      streams: [],
      stillFailing: 0,
    } as unknown as TaskEvent["cause"],
  };
  expect(await step(flood)).toEqual({ nothingSent: expect.stringContaining("did not confirm") });
  expect(sent).toEqual([{ action: "trigger", key: `steward-unconfirmed-${failure.executionId}` }]);
  expect(await openAlertEvent(state, `steward-unconfirmed-${failure.executionId}`)).toBe(failure.id);
});
