// Follow-ups only for what was sent (issue 64): a task.on_track reaches a channel and recipient only if they received
// the page of the condition it closes on its own. A page held (a cause's symptom, a silence), or sent only to another
// channel, is not followed up there; a cause's recovered page riding on a task.on_track always goes. Every other
// follow-up alike (issue 75, F1): task.recovered, service.started, data.check_passed, checkin.recovered,
// app.freshness_recovered. A follow-up of a page from before these records goes where its routes take it.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import type { DomainEvent, TaskEvent, WatchdogEvent } from "../../../../src/platform/events/types";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { notifyMigrations } from "../../../../src/tell/notify";
import type { SqlDb } from "../../../../src/platform/store/sql";
import { createFollowUpGate } from "../../../../src/tell/grouping/follow-ups";
import type { DeliveryGate } from "../../../../src/tell/notify/gate";
import type { Plan, PlannedDelivery } from "../../../../src/tell/notify/planner";
import { syntheticDataCheckEvent, syntheticServiceEvent, syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { syntheticFreshnessEvent } from "../../../../src/watch/freshness/samples";
import { bothBackends } from "../../../helpers/sql-backends";
import { settledGate } from "../../../helpers/settled-gate";

const delivery = (e: DomainEvent, channel: string, action: PlannedDelivery["action"] = "send"): PlannedDelivery => ({
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
    // PostgreSQL starts with the first store opened: not within a test's time.
    beforeAll(() => backend.open([groupingMigrations, notifyMigrations]), 120_000);
    let gate: DeliveryGate;
    let db: SqlDb;
    beforeEach(async () => {
      db = await backend.open([groupingMigrations, notifyMigrations]);
      gate = settledGate(createFollowUpGate(db), db);
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

    /** The channels a page sent to `pageTo` (the rest held) leaves its follow-up, planned to `followUpTo`. */
    async function followedUp(page: DomainEvent, end: DomainEvent, pageTo: string[], held: string[], followUpTo: string[]) {
      await gate.review(
        { event: page, routes: [], deliveries: [...pageTo.map((c) => delivery(page, c)), ...held.map((c) => delivery(page, c, "suppress"))] },
        1_000,
      );
      return sent(await gate.review({ event: end, routes: [], deliveries: followUpTo.map((c) => delivery(end, c)) }, 2_000));
    }

    test("a service's start goes where its stop went; a task's recovery where its incident's failure went", async () => {
      const stop = syntheticServiceEvent({ state: "stopped", host: "node1", service: "QlikSenseEngineService" });
      const start = syntheticServiceEvent({ state: "started", host: "node1", service: "QlikSenseEngineService" });
      expect(await followedUp(stop, start, ["team"], ["duty"], ["team", "duty", "starts-only"])).toEqual(["team"]);
      const incident = { id: 41, status: "open", failures: 1, openedAt: new Date(1_000).toISOString() };
      const failed = { ...syntheticTaskEvent({ outcome: "failed" }), incident, source: "udp" } as TaskEvent;
      const recovered = { ...syntheticTaskEvent({ kind: "task.recovered" }), incident: { ...incident, status: "closed" }, source: "udp" } as TaskEvent;
      expect(await followedUp(failed, recovered, ["team"], [], ["team", "recoveries-only"])).toEqual(["team"]);
    });

    test("a data check passing again goes where its failure went; a check-in's recovery where its failure went", async () => {
      const failed = syntheticDataCheckEvent("data.check_failed", { appId: "app-1" });
      const passed = syntheticDataCheckEvent("data.check_passed", { appId: "app-1" });
      expect(await followedUp(failed, passed, [], ["team"], ["team", "passes-only"])).toEqual([]);
      const late = {
        ...syntheticWatchdogEvent("task.missed", {}),
        kind: "checkin.failed",
        condition: { type: "checkin_failed", key: "checkin_failed:erp", openedAt: "" },
      } as WatchdogEvent;
      const back = { ...late, id: "checkin-back", kind: "checkin.recovered" } as WatchdogEvent;
      expect(await followedUp(late, back, ["team"], [], ["team", "recoveries-only"])).toEqual(["team"]);
    });

    test("an app fresh again goes where its warning or its breach went on its own, nowhere else", async () => {
      const warning = syntheticFreshnessEvent("app.freshness_warning", { nowMs: 1_000 });
      const breached = syntheticFreshnessEvent("app.freshness_breached", { nowMs: 2_000 });
      const fresh = syntheticFreshnessEvent("app.freshness_recovered", { nowMs: 3_000 });
      // One promise, one condition: the warning and the breach are pages of the condition the recovery closes.
      expect(new Set([warning, breached, fresh].map((e) => e.condition.key)).size).toBe(1);
      await gate.review({ event: warning, routes: [], deliveries: [delivery(warning, "team"), delivery(warning, "duty", "suppress")] }, 1_000);
      await gate.review({ event: breached, routes: [], deliveries: [delivery(breached, "duty"), delivery(breached, "team", "suppress")] }, 2_000);
      const out = await gate.review({ event: fresh, routes: [], deliveries: ["team", "duty", "fresh-only"].map((c) => delivery(fresh, c)) }, 3_000);
      expect(sent(out)).toEqual(["duty", "team"]);
      expect(out.deliveries.find((d) => d.channel === "fresh-only")!.reason).toContain("did not receive");
    });

    test("an app fresh again after a warning held everywhere (a silence) is not followed up", async () => {
      const other = (e: WatchdogEvent) => ({ ...e, id: `${e.id}:other`, condition: { ...e.condition, key: `${e.condition.key}:other` } });
      const warning = other(syntheticFreshnessEvent("app.freshness_warning", { nowMs: 1_000 }));
      const fresh = other(syntheticFreshnessEvent("app.freshness_recovered", { nowMs: 3_000 }));
      expect(await followedUp(warning, fresh, [], ["team"], ["team", "fresh-only"])).toEqual([]);
    });

    /** Task `n`'s failure opening incident `id`, and its recovery, heard by UDP. */
    const incidentEvents = (id: number, n: string) => {
      const incident = { id, status: "open", failures: 1, openedAt: new Date(1_000).toISOString() };
      const failed = { ...syntheticTaskEvent({ outcome: "failed", taskId: `task-${n}` }), id: `fail-${n}`, incident, source: "udp" } as TaskEvent;
      const closed = { ...incident, status: "closed" };
      const recovered = {
        ...syntheticTaskEvent({ kind: "task.recovered", taskId: `task-${n}` }),
        id: `rec-${n}`,
        incident: closed,
        source: "udp",
      } as TaskEvent;
      return { failed, recovered };
    };

    test("a task incident's recovery with no page queued before it goes nowhere; its page queued after it is not sent", async () => {
      const { failed, recovered } = incidentEvents(51, "late");
      const out = await gate.review({ event: recovered, routes: [], deliveries: [delivery(recovered, "team"), delivery(recovered, "recoveries-only")] }, 2_000);
      expect(sent(out)).toEqual([]);
      expect(out.deliveries[0]!.reason).toContain("no channel received");
      const page = await gate.review({ event: failed, routes: [], deliveries: [delivery(failed, "team")] }, 3_000);
      expect(sent(page)).toEqual([]);
      expect(page.deliveries[0]!.reason).toContain("recovery was queued before this page");
    });

    test("a test alert is never held back for a follow-up, and records nothing about its made-up incident", async () => {
      const test = (e: TaskEvent) => ({ ...e, source: "test" }) as TaskEvent;
      const { failed, recovered } = incidentEvents(52, "sample");
      expect(sent(await gate.review({ event: test(recovered), routes: [], deliveries: [delivery(recovered, "team")] }, 2_000))).toEqual(["team"]);
      // The real incident of that number still pages, and its recovery follows where its page went.
      expect(await followedUp(failed, recovered, ["team"], [], ["team", "recoveries-only"])).toEqual(["team"]);
    });

    /** A page the outbox queued, as it does: its event saved beside its deliveries, none of it recorded here. */
    async function queuedBeforeRecords(e: TaskEvent, at: number, deliveries: ReadonlyArray<readonly [channel: string, status: string]>) {
      await db.run("INSERT INTO notify_events (id, kind, payload, received_at, stored_at) VALUES (?, ?, ?, ?, ?)", [
        e.id,
        e.kind,
        JSON.stringify(e),
        e.receivedAt,
        at,
      ]);
      for (const [channel, status] of deliveries)
        await db.run(
          `INSERT INTO notify_deliveries (key, event_id, event_ids, kind, route, channel, recipient, status, next_attempt_at, expires_at, created_at, updated_at, thread)
           VALUES (?, ?, '[]', 'task.failed', 'r', ?, '', ?, ?, ?, ?, ?, ?)`,
          [`${e.id}|${channel}`, e.id, channel, status, at, at + 1, at, at, `task:${e.task.id}`],
        );
    }

    test("a task incident paged before the records (an upgrade): its recovery goes where the outbox says its page went", async () => {
      const { failed, recovered } = incidentEvents(53, "old");
      await queuedBeforeRecords(failed, 1_500, [
        ["team", "delivered"],
        ["duty", "suppressed"],
      ]);
      const out = await gate.review(
        { event: recovered, routes: [], deliveries: ["team", "duty", "recoveries-only"].map((c) => delivery(recovered, c)) },
        2_000,
      );
      expect(sent(out)).toEqual(["team"]);
    });

    test("an incident with no page queued yet is not taken as paged where the task's previous incident was, its page queued since", async () => {
      // Incident 54 opened at its failure's run time (1 s); incident 55 of the same task, before it, was paged late
      // (1.5 s: its Steward behind, or the store away), to a channel of its own. 54's page is not queued yet.
      const { recovered } = incidentEvents(54, "twice");
      const earlier = { ...incidentEvents(55, "twice").failed, id: "fail-twice-before" } as TaskEvent;
      await queuedBeforeRecords(earlier, 1_500, [["central-pages", "delivered"]]);
      const out = await gate.review(
        { event: recovered, routes: [], deliveries: ["central-pages", "recoveries-only"].map((c) => delivery(recovered, c)) },
        2_000,
      );
      expect(sent(out)).toEqual([]);
      expect(out.deliveries.map((d) => d.reason)).toEqual([expect.stringContaining("no channel received"), expect.stringContaining("no channel received")]);
    });

    test("a follow-up of a page Steward has no record of (sent before the records) goes where its routes take it", async () => {
      const start = syntheticServiceEvent({ state: "started", host: "node2", service: "QlikSenseProxyService" });
      expect(sent(await gate.review({ event: start, routes: [], deliveries: [delivery(start, "team"), delivery(start, "starts-only")] }, 2_000))).toEqual([
        "starts-only",
        "team",
      ]);
    });
  });
}
