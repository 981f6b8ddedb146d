// Issue 101 through the grouping gate, on a real store (SQLite and PostgreSQL): Extract fails and a remediation rule
// holds its page (its failure is below the rule's threshold); what the watchdog and the promises then raise of the
// chain after it (the apps it leaves stale, the promise's warning and breach) is held on every route, not sent as the
// cause's page to a route that takes it. Once the rule gave up, its failure is the cause's page, and it reaches the
// routes of the symptoms too; later symptoms fold into it. A person's retry of a failure that paged holds its cause's
// symptoms the same way, on the route its page did not reach; once the retry failed, the next symptom pages there once.
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { GroupingSchema } from "../../../../src/tell/grouping/config";
import type { DomainEvent, TaskEvent, WatchdogEvent } from "../../../../src/platform/events/types";
import { syntheticFreshnessEvent } from "../../../../src/watch/freshness/samples";
import { groupingMigrations } from "../../../../src/tell/grouping";
import { createCauseStore } from "../../../../src/tell/grouping/cause-store";
import { chainGraphSource, type PlannedChains } from "../../../../src/tell/grouping/chain-graph";
import { createGroupingGate } from "../../../../src/tell/grouping/gate";
import { createTaskNodes } from "../../../../src/tell/grouping/task-nodes";
import { createSilentNodes } from "../../../../src/tell/grouping/silent-node";
import type { DeliveryGate, GateContext } from "../../../../src/tell/notify/gate";
import type { Plan, PlannedDelivery } from "../../../../src/tell/notify/planner";
import { syntheticTaskEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { bothBackends } from "../../../helpers/sql-backends";

const SALES_APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
// Extract → Transform → Reload Sales dashboard (each waits for the one before to succeed).
const plan: PlannedChains = {
  tasks: new Map([
    ["t-extract", { id: "t-extract", name: "Extract", enabled: true, appId: "a-extract", chains: [] }],
    ["t-transform", { id: "t-transform", name: "Transform", enabled: true, appId: "a-model", chains: [{ upstreamIds: ["t-extract"], ruleStates: [1] }] }],
    [
      "t-publish",
      { id: "t-publish", name: "Reload Sales dashboard", enabled: true, appId: SALES_APP, chains: [{ upstreamIds: ["t-transform"], ruleStates: [1] }] },
    ],
  ]),
  apps: new Map([
    ["a-extract", { id: "a-extract", name: "Extract QVDs", stream: "Data" }],
    ["a-model", { id: "a-model", name: "Sales model", stream: "Data" }],
    [SALES_APP, { id: SALES_APP, name: "Sales dashboard", stream: "Sales" }],
  ]),
};

const mail = (key: string, action: PlannedDelivery["action"]): PlannedDelivery => ({
  route: "ops",
  channel: "mail",
  channelType: "email",
  recipient: "ops@corp.example",
  target: null,
  key: `${key}|mail`,
  action,
});
/** The watchdog's route (Teams), which takes the downstream kinds and no failure. */
const teams: PlannedDelivery = { route: "watch", channel: "teams", channelType: "teams", recipient: "", target: null, key: "teams", action: "send" };
/** Which routes take a kind: the watchdog's route takes every downstream kind (what the planner answers for it). */
const ctx: GateContext = { planAs: async (e: DomainEvent) => [{ ...teams, key: `${e.id}|teams` }] };

for (const backend of bothBackends()) {
  describe(`a retry's hold, a rule's or a person's, holds the symptoms of its cause (${backend.name})`, () => {
    afterAll(() => backend.shutdown());
    let gate: DeliveryGate;
    let held: Set<string>;
    let byPerson: Set<string>;
    let now = 1_000_000;
    beforeEach(async () => {
      const db = await backend.open([groupingMigrations]);
      held = new Set();
      byPerson = new Set();
      gate = createGroupingGate(createCauseStore(db), GroupingSchema.parse({}), {
        taskNodes: createTaskNodes(db),
        silentNodes: createSilentNodes(db),
        graph: chainGraphSource(() => plan),
        feedsOfCheck: () => undefined,
        promises: () => [{ name: "sales-morning", terms: "fresh by 07:00", appIds: [SALES_APP], appNames: [], streams: [] }],
        heldTasks: async () => new Map([...[...held].map((t) => [t, "rule"] as const), ...[...byPerson].map((t) => [t, "person"] as const)]),
      });
    });

    /** Extract's failure; `attempt` of a rule with two retries (3 failures page): held below that, paged at it. */
    const failure = (attempt: number, id = "t-extract", name = "Extract"): TaskEvent => {
      const e = syntheticTaskEvent({ kind: "task.failed", taskId: id, taskName: name, host: "qlik1" });
      const at = Date.parse(e.receivedAt);
      const app = plan.apps.get(plan.tasks.get(id)!.appId!)!;
      return {
        ...e,
        id: `${id}:${attempt}`,
        execution: { ...e.execution!, stopTime: new Date(at + attempt * 60_000).toISOString() },
        app: { ...e.app!, id: app.id, name: app.name },
        incident: { id: 7, status: "open", failures: attempt, openedAt: new Date(at - 60_000).toISOString() },
        history: { ...e.history!, recentFailures: Array.from({ length: attempt - 1 }, (_, k) => new Date(at + (k + 1) * 60_000).toISOString()) },
        pageAfter: { failures: 3, withinMs: 6 * 3_600_000, from: "remediation.rules[0]" },
      };
    };
    const stale = (appId: string): WatchdogEvent => {
      const e = syntheticWatchdogEvent("app.stale", { host: "qlik1" });
      const key = `stale:${appId}`;
      return {
        ...e,
        id: `watch:${key}`,
        condition: { ...e.condition, key },
        app: { id: appId, name: plan.apps.get(appId)!.name, tags: [], customProperties: [] },
      };
    };
    /** The event on the mail route (`held`: its own threshold holds it there) and, for the watchdog's kinds, Teams. */
    async function review(event: DomainEvent, own: PlannedDelivery["action"] = "send") {
      now += 1_000;
      const deliveries = [mail(event.id, own), ...(event.kind.startsWith("task.failed") ? [] : [{ ...teams, key: `${event.id}|teams` }])];
      const out = await gate.review({ event, routes: [], deliveries } satisfies Plan, now, ctx);
      return out.deliveries.filter((d) => d.action === "send").map((d) => `${d.channel}${d.key.startsWith("cause-page:") ? " (cause's page)" : ""}`);
    }

    test("while the rule retries: the failure and every symptom of the chain after it are posted nowhere", async () => {
      held.add("t-extract");
      expect(await review(failure(1), "suppress")).toEqual([]);
      expect(await review(stale("a-model"))).toEqual([]);
      expect(await review(stale(SALES_APP))).toEqual([]);
      expect(await review(syntheticFreshnessEvent("app.freshness_warning"))).toEqual([]);
      expect(await review(failure(2), "suppress")).toEqual([]);
      expect(await review(syntheticFreshnessEvent("app.freshness_breached"))).toEqual([]);
    });

    test("once the rule gave up: its failure is the cause's page on the mail route and on the watchdog's route", async () => {
      held.add("t-extract");
      await review(failure(1), "suppress");
      await review(stale("a-model"));
      held.clear();
      expect(await review(failure(3))).toEqual(["mail", "teams (cause's page)"]);
      // Later symptoms fold into it.
      expect(await review(stale(SALES_APP))).toEqual([]);
    });

    /** Extract's failure paged at once (no rule holds it), Qlik's own retries spent: its cause's page waits for a symptom on the watchdog's route. */
    const paged = (): TaskEvent => {
      const { pageAfter: _none, ...e } = failure(1);
      return { ...e, task: { ...e.task, maxRetries: 1 } };
    };

    test("a person's retry of the paged failure: its cause's symptoms are posted nowhere while it is due or running", async () => {
      expect(await review(paged())).toEqual(["mail"]);
      byPerson.add("t-extract");
      expect(await review(stale("a-model"))).toEqual([]);
      expect(await review(syntheticFreshnessEvent("app.freshness_warning"))).toEqual([]);
      expect(await review(stale(SALES_APP))).toEqual([]);
    });

    test("once the person's retry failed: the next symptom is the cause's page on the watchdog's route, once", async () => {
      await review(paged());
      byPerson.add("t-extract");
      await review(stale("a-model"));
      byPerson.clear();
      expect(await review(stale(SALES_APP))).toEqual(["teams"]);
      expect(await review(syntheticFreshnessEvent("app.freshness_breached"))).toEqual([]);
    });

    test("a held failure's cause paged nowhere, with no rule retrying now: its symptom is its page on each route (nothing lost)", async () => {
      await review(failure(1), "suppress");
      expect(await review(stale("a-model"))).toEqual(["mail", "teams"]);
    });
  });
}
