// The queue rule through the grouping gate, on a real SQLite store (the scenario on the simulator is
// test/integration/watch/watchdog/queue-night.test.ts): a run Qlik cancelled in the queue with no backlog open opens
// the node's queue cause and is its page; the backlog and later cancellations join it; the queue emptying ends it,
// and a cancellation heard just after is listed in the ended cause. A node down holds its queue's backlog, and the
// queue emptying does not end the node's cause.
import { afterAll, beforeEach, expect, test } from "bun:test";
import type { DomainEvent, TaskEvent } from "../../../../src/platform/events/types";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { chainGraphSource } from "../../../../src/tell/grouping/chain-graph";
import { GroupingSchema } from "../../../../src/tell/grouping/config";
import { createGroupingGate } from "../../../../src/tell/grouping/gate";
import { createSilentNodes } from "../../../../src/tell/grouping/silent-node";
import { createTaskNodes } from "../../../../src/tell/grouping/task-nodes";
import type { DeliveryGate } from "../../../../src/tell/notify/gate";
import type { Plan } from "../../../../src/tell/notify/planner";
import { syntheticServiceEvent, syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { alertSummary } from "../../../../src/tell/notify/on-call/alert";
import { sqliteBackend } from "../../../helpers/sql-backends";

const NODE = "reload01.corp.example";
const backend = sqliteBackend();
afterAll(() => backend.shutdown());
let gate: DeliveryGate;
let now = 1_000_000;

beforeEach(async () => {
  const db = await backend.open([groupingMigrations]);
  gate = createGroupingGate(createCauseStore(db), GroupingSchema.parse({}), {
    taskNodes: createTaskNodes(db),
    silentNodes: createSilentNodes(db),
    graph: chainGraphSource(() => ({ tasks: new Map(), apps: new Map() })),
    feedsOfCheck: () => undefined,
  });
});

async function review(event: DomainEvent) {
  now += 60_000;
  const plan: Plan = {
    event,
    routes: [],
    deliveries: [{ route: "ops", channel: "mail", channelType: "email", recipient: "ops@corp.example", target: null, key: `${event.id}|mail`, action: "send" }],
  };
  const out = await gate.review(plan, now);
  return { sent: out.deliveries[0]!.action === "send", reason: out.deliveries[0]!.reason, cause: out.event.cause };
}
const cancelled = (name: string): TaskEvent => ({
  ...syntheticTaskEvent({ outcome: "failed", taskName: name, taskId: `00000000-0000-4000-8000-00000000000${name.slice(-1)}`, host: NODE }),
  errorClass: "queue",
});
const backlog = () => syntheticWatchdogEvent("scheduler.queue_backlog", { host: NODE, nowMs: now });
const emptied = () => syntheticWatchdogEvent("task.on_track", { host: NODE, condition: "queue_backlog", nowMs: now });

test("a cancellation with no backlog open is the queue cause's page; the backlog and the next cancellation join it; the queue emptying ends it", async () => {
  const first = await review(cancelled("Wait 1"));
  expect(first).toMatchObject({ sent: true, cause: { title: "reload queue backed up on reload01", status: "open" } });
  expect((await review(backlog())).sent).toBe(false);
  const second = await review(cancelled("Wait 2"));
  expect(second.sent).toBe(false);
  expect(second.reason).toContain("reload queue backed up on reload01");
  const over = await review(emptied());
  expect(over).toMatchObject({ sent: true, cause: { status: "closed" } });
  expect(over.cause!.tasks).toEqual(expect.arrayContaining(["Wait 1", "Wait 2"]));
  // A cancellation heard just after the queue emptied (the look came first) is listed there, not paged.
  const late = await review(cancelled("Wait 3"));
  expect(late.sent).toBe(false);
  expect(late.reason).toContain("which has ended");
});

test("a node down holds its queue's backlog; the queue emptying does not end the node's cause, the node back does", async () => {
  const down = await review(syntheticServiceEvent({ state: "stopped", host: NODE, service: "QlikSenseSchedulerService", nowMs: now }));
  expect(down).toMatchObject({ sent: true, cause: { title: "Qlik services down on reload01" } });
  const b = await review(backlog());
  expect(b.sent).toBe(false);
  expect(b.reason).toContain("whose cause is open");
  expect((await review(emptied())).sent).toBe(false);
  const back = await review(syntheticServiceEvent({ state: "started", host: NODE, service: "QlikSenseSchedulerService", nowMs: now }));
  expect(back).toMatchObject({ sent: true, cause: { title: "Qlik services down on reload01", status: "closed" } });
});

test("what a cause's page says it holds and what it counts as still failing agree (issue 84): a queue's backlog and a node's stopped service are named and counted", async () => {
  // The backlog opens the queue's cause; runs Qlik cancelled there join it.
  expect((await review(backlog())).sent).toBe(true);
  const joined = await review(cancelled("Wait 1"));
  expect(joined.sent).toBe(false);
  const queue = (await review(cancelled("Wait 2"))).cause!;
  // The backlog itself is named and counted, as it is an incident of its own: 1 + 2 still failing.
  expect(queue.text).toMatch(/^1 queue backed up, 2 tasks(,|\b)/);
  expect(queue.stillFailing).toBe(3);
  // A node's cause opened by a stopped service holds no task yet: it says so, never "()" in an on-call title.
  const other = "reload02.corp.example";
  const down = await review(syntheticServiceEvent({ state: "stopped", host: other, service: "QlikSenseSchedulerService", nowMs: now }));
  expect(down.cause).toMatchObject({ title: "Qlik services down on reload02", text: "1 service stopped", stillFailing: 1 });
  expect(
    alertSummary({
      ...syntheticServiceEvent({ state: "stopped", host: other, service: "QlikSenseSchedulerService", nowMs: now }),
      cause: { ...down.cause!, text: "" },
    }),
  ).toBe("Qlik Sense: Qlik services down on reload02");
});
