// A cause's recovery reaches only the channels and recipients one of its pages reached (issue 75, F1): the grouping
// gate and the follow-up gate as setupGrouping composes them, on both stores. A queue backlog's page goes to the mail
// route; a webhook route that takes only task.on_track gets nothing when the queue empties (it got the recovery
// before). A stopped service's service.started goes only where its service.stopped went; a page a silence held on a
// channel has no recovery there; a cause's page escalated to another route counts as received there.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { DomainEvent } from "../../../../src/platform/events/types";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { chainGraphSource } from "../../../../src/tell/grouping/chain-graph";
import { GroupingSchema } from "../../../../src/tell/grouping/config";
import { createFollowUps } from "../../../../src/tell/grouping/follow-ups";
import { createGroupingGate } from "../../../../src/tell/grouping/gate";
import { createSilentNodes } from "../../../../src/tell/grouping/silent-node";
import { createTaskNodes } from "../../../../src/tell/grouping/task-nodes";
import { composeGates, type DeliveryGate } from "../../../../src/tell/notify/gate";
import { settledGate } from "../../../helpers/settled-gate";
import type { PlannedDelivery } from "../../../../src/tell/notify/planner";
import { syntheticServiceEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { bothBackends } from "../../../helpers/sql-backends";

const NODE = "reload01.corp.example";

/** Routes by name: the mail route takes the pages, the webhook routes only one recovery kind each. */
const to = (e: DomainEvent, route: string, action: PlannedDelivery["action"] = "send"): PlannedDelivery =>
  route === "ops"
    ? { route, channel: "mail", channelType: "email", recipient: "ops@corp.example", target: null, key: `${e.id}|mail`, action }
    : { route, channel: route, channelType: "webhook", recipient: "", target: null, key: `${e.id}|${route}`, action };

for (const backend of bothBackends()) {
  describe(backend.name, () => {
    afterAll(() => backend.shutdown());
    // PostgreSQL starts with the first store opened: not within a test's time.
    beforeAll(() => backend.open([groupingMigrations]), 120_000);
    let gate: DeliveryGate;
    let now = 1_000_000;
    beforeEach(async () => {
      const db = await backend.open([groupingMigrations]);
      const followUps = createFollowUps(db);
      const grouping = createGroupingGate(createCauseStore(db), GroupingSchema.parse({}), {
        alsoReceived: followUps.causeReceivers,
        taskNodes: createTaskNodes(db),
        silentNodes: createSilentNodes(db),
        graph: chainGraphSource(() => ({ tasks: new Map(), apps: new Map() })),
        feedsOfCheck: () => undefined,
      });
      gate = settledGate(composeGates([grouping, followUps.gate]), db);
    });

    /** Where the event goes: the channels sent to, each with the cause's status it carries. */
    async function review(event: DomainEvent, deliveries: PlannedDelivery[]) {
      now += 60_000;
      const out = await gate.review({ event, routes: [], deliveries }, now);
      const sent = out.deliveries.filter((d) => d.action === "send").map((d) => d.channel);
      return { sent: [...new Set(sent)].sort(), cause: out.event.cause, out };
    }

    test("a queue backlog's recovery goes to the mail its page reached, not to a webhook route taking only task.on_track", async () => {
      const backlog = syntheticWatchdogEvent("scheduler.queue_backlog", { host: NODE, nowMs: now });
      const opened = await review(backlog, [to(backlog, "ops")]);
      expect(opened).toMatchObject({ sent: ["mail"], cause: { status: "open" } });
      const emptied = syntheticWatchdogEvent("task.on_track", { host: NODE, condition: "queue_backlog", nowMs: now });
      const over = await review(emptied, [to(emptied, "ops"), to(emptied, "on-track-hook")]);
      expect(over.cause).toMatchObject({ status: "closed" });
      expect(over.sent).toEqual(["mail"]);
      expect(over.out.deliveries.find((d) => d.channel === "on-track-hook")).toMatchObject({
        action: "suppress",
        reason: expect.stringContaining("none of whose pages this channel received"),
      });
    });

    test("a stopped service's service.started goes only where its service.stopped went", async () => {
      const stopped = syntheticServiceEvent({ state: "stopped", host: NODE, service: "QlikSenseSchedulerService", nowMs: now });
      expect((await review(stopped, [to(stopped, "ops")])).sent).toEqual(["mail"]);
      const started = syntheticServiceEvent({ state: "started", host: NODE, service: "QlikSenseSchedulerService", nowMs: now });
      const back = await review(started, [to(started, "ops"), to(started, "starts-hook")]);
      expect(back.cause).toMatchObject({ status: "closed" });
      expect(back.sent).toEqual(["mail"]);
    });

    test("a page a silence held on the mail route has no recovery there; the route it reached gets it", async () => {
      const stopped = syntheticServiceEvent({ state: "stopped", host: NODE, service: "QlikSenseEngineService", nowMs: now });
      expect((await review(stopped, [to(stopped, "ops", "suppress"), to(stopped, "team-hook")])).sent).toEqual(["team-hook"]);
      const started = syntheticServiceEvent({ state: "started", host: NODE, service: "QlikSenseEngineService", nowMs: now });
      expect((await review(started, [to(started, "ops"), to(started, "team-hook")])).sent).toEqual(["team-hook"]);
    });

    test("a cause's page escalated to another route: its recovery goes there too, if that route takes it", async () => {
      const stopped = syntheticServiceEvent({ state: "stopped", host: NODE, service: "QlikSenseProxyService", nowMs: now });
      const opened = await review(stopped, [to(stopped, "ops")]);
      expect(opened.sent).toEqual(["mail"]);
      // Nobody acknowledged: the escalation sends the same event, with its cause, on the night route.
      const night = { ...to(opened.out.event, "night-hook"), key: `esc:1:night|night-hook|` };
      expect((await review(opened.out.event, [night])).sent).toEqual(["night-hook"]);
      const started = syntheticServiceEvent({ state: "started", host: NODE, service: "QlikSenseProxyService", nowMs: now });
      expect((await review(started, [to(started, "ops"), to(started, "night-hook"), to(started, "starts-hook")])).sent).toEqual(["mail", "night-hook"]);
    });
  });
}
