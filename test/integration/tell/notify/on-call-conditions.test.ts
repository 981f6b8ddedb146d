// A condition's incident (a missed start, a freshness promise late, a failed data check: issue 84) pages PagerDuty and
// Opsgenie under its condition's alert key, and what is done to it anywhere reaches them all, against local receivers
// that check each request against the vendors' published formats:
// - acknowledged through the API: both products acknowledge that alert; resolved through the API: both resolve it;
// - acknowledged in PagerDuty (its signed webhook): the incident is acknowledged in Steward, Opsgenie is told, PagerDuty
//   is not told back;
// - ended by an event no route takes to the products: the convergence sweep resolves the alert in each (SIGNL4 too);
// - acknowledged while a product has not answered the trigger yet: the acknowledgement follows it;
// - snoozed (as the dashboard, the assistant and a mail's link snooze an incident: a silence of its id): its further
//   alerts (the promise at risk, then late) are held, in both products.
// On SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { DomainEvent } from "../../../../src/platform/events/types";
import { signPagerDuty } from "../../../../src/tell/on-call";
import type { IncidentView } from "../../../../src/tell/incidents";
import { syntheticDataCheckEvent, syntheticWatchdogEvent } from "../../../../src/tell/notify/samples";
import { syntheticFreshnessEvent } from "../../../../src/watch/freshness/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { type HttpReceiver, startHttpReceiver } from "./receivers";

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const SECRET = "whsec-conditions-test-secret";

for (const backend of ["sqlite", "postgres"] as const)
  describe(`a condition's incident and its on-call alerts are one (${backend})`, () => {
    let pd: OnCallReceiver<PagerDutyEvent>;
    let og: OnCallReceiver<OpsgenieRequest>;
    let s4: HttpReceiver;
    let pg: PostgresService | undefined;
    let t: TestApp;

    beforeAll(async () => {
      pd = startPagerDutyReceiver();
      og = startOpsgenieReceiver("og-api-key");
      s4 = startHttpReceiver();
      let store = "";
      if (backend === "postgres") {
        pg = await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("conditions")}\n    instanceName: node-a\n`;
      }
      t = createTestApp(`${store}channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue", webhookSecret: "${SECRET}" }
  og: { type: opsgenie, apiKey: og-api-key, url: "${og.url}" }
  signl4: { type: signl4, url: "${s4.url}/webhook/team-secret" }
routes:
  - { on: [task.missed, task.on_track, app.freshness_warning, app.freshness_breached, app.freshness_recovered], to: [pd, og] }
  # The check's pass goes nowhere: only the sweep can end its alert.
  - { on: [data.check_failed], to: [pd, og, signl4] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
      await t.app.start();
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await pd?.stop();
      await og?.stop();
      await s4?.stop();
      await pg?.stop();
    });

    const emit = (e: DomainEvent) => t.app.bus.emit(e.kind, e as never);
    const pdActions = (key: string): string[] => pd.accepted.filter((r) => r.body.dedup_key === key).map((r) => r.body.event_action);
    const ogOps = (key: string): string[] => og.accepted.filter((r) => r.body.key === key).map((r) => r.body.op);
    const incidentOf = async (subject: string) =>
      ((await (await t.request("/v4/incidents?limit=100")).json()) as { incidents: IncidentView[] }).incidents.find((i) => i.subject === subject)!;
    /** Both products hold exactly `actions` (PagerDuty's names; Opsgenie's in `ops`) for `key`, and nothing more comes. */
    async function both(key: string, actions: string[], ops: string[], what: string) {
      await waitFor(() => (pdActions(key).length >= actions.length && ogOps(key).length >= ops.length) || undefined, { what, timeoutMs: 20_000 });
      await Bun.sleep(300);
      expect(pdActions(key)).toEqual(actions);
      expect(ogOps(key)).toEqual(ops);
      expect(pd.rejected).toEqual([]);
      expect(og.rejected).toEqual([]);
    }

    /** A convergence sweep runs now and queues nothing more for `key` to either product (what is queued goes at once: 50 ms backoff). */
    async function sweptNothingFor(key: string) {
      const before = { pd: pdActions(key), og: ogOps(key) };
      await t.app.alertConverger.sweep();
      await Bun.sleep(300);
      expect(pdActions(key)).toEqual(before.pd);
      expect(ogOps(key)).toEqual(before.og);
    }

    /** PagerDuty's signed v3 webhook telling of `type` (incident.acknowledged, incident.resolved) on the alert `key`. */
    function fromPagerDuty(type: string, key: string): Promise<Response> {
      const body = JSON.stringify({
        event: {
          id: `01DEN${crypto.randomUUID()}`,
          event_type: type,
          resource_type: "incident",
          occurred_at: new Date().toISOString(),
          agent: { id: "PUSER01", type: "user_reference", summary: "Anna Berg" },
          data: { id: "Q1EXAMPLE", type: "incident", status: type.slice("incident.".length), incident_key: key, title: "Qlik Sense" },
        },
      });
      return t.request("/v4/integrations/pagerduty/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-PagerDuty-Signature": signPagerDuty(body, SECRET) },
        body,
      });
    }

    test("a missed start acknowledged, then resolved, through the API: both products acknowledge, then resolve its alert", async () => {
      const missed = syntheticWatchdogEvent("task.missed", { host: "sense1.corp.example" });
      await emit(missed);
      const key = `steward-watch-${missed.condition.key}`;
      await both(key, ["trigger"], ["create"], "the missed start's pages");
      const incident = await incidentOf(`watch:${missed.condition.key}`);
      expect(incident.status).toBe("open");

      const ack = await t.request(`/v4/incidents/${incident.id}/acknowledge`, { method: "POST", body: JSON.stringify({ note: "looking" }) });
      expect(ack.status).toBe(200);
      await both(key, ["trigger", "acknowledge"], ["create", "acknowledge"], "both acknowledgements");

      const res = await t.request(`/v4/incidents/${incident.id}/resolve`, { method: "POST", body: JSON.stringify({ note: "started by hand" }) });
      expect(res.status).toBe(200);
      await both(key, ["trigger", "acknowledge", "resolve"], ["create", "acknowledge", "close"], "both resolves");
      expect(pd.alerts.filter((a) => a.key === key).map((a) => a.status)).toEqual(["resolved"]);
      expect((await incidentOf(`watch:${missed.condition.key}`)).status).toBe("closed");
    }, 40_000);

    test("a freshness breach acknowledged in PagerDuty: acknowledged in Steward and in Opsgenie, not told back to PagerDuty", async () => {
      const late = syntheticFreshnessEvent("app.freshness_breached");
      await emit(late);
      const key = `steward-watch-${late.condition.key}`;
      await both(key, ["trigger"], ["create"], "the breach's pages");
      const res = await fromPagerDuty("incident.acknowledged", key);
      expect(res.status).toBe(202);
      const incident = await incidentOf(`watch:${late.condition.key}`);
      expect(await res.json()).toEqual({ status: "done", message: `incident ${incident.id} acknowledged in Steward` });
      expect(incident.acknowledgedBy).toBe("PagerDuty: Anna Berg");
      await both(key, ["trigger"], ["create", "acknowledge"], "Opsgenie's acknowledgement");
      // A sweep since knows PagerDuty holds it acknowledged: nothing more goes there (run now, not waited for: every 5 s).
      await sweptNothingFor(key);
      expect(pdActions(key)).toEqual(["trigger"]);

      // The promise kept again: its recovery resolves the alert in both, once.
      await emit(syntheticFreshnessEvent("app.freshness_recovered", { nowMs: Date.now() + 60_000 }));
      await both(key, ["trigger", "resolve"], ["create", "acknowledge", "close"], "both resolves");
    }, 40_000);

    test("a failed data check whose pass goes to no product: the sweep resolves its alert in each", async () => {
      const failed = syntheticDataCheckEvent("data.check_failed", { appId: "7d0c9a51-1111-4c0e-8f00-00000000c4ec", appName: "Orders" });
      await emit(failed);
      const key = `steward-check-${failed.app.id}-${failed.check!.name}`;
      await both(key, ["trigger"], ["create"], "the check's pages");
      await emit(syntheticDataCheckEvent("data.check_passed", { appId: failed.app.id, appName: "Orders", nowMs: Date.now() + 60_000 }));
      const subject = `check:${failed.app.id}|${failed.check!.name}`;
      expect((await incidentOf(subject)).status).toBe("closed");
      await both(key, ["trigger", "resolve"], ["create", "close"], "the sweep's resolves");
      // SIGNL4's incident for the check (its external id) is resolved too.
      const statuses = () =>
        s4.requests
          .map((r) => JSON.parse(r.body) as Record<string, unknown>)
          .filter((b) => b["X-S4-ExternalID"] === `check:${failed.app.id}:${failed.check!.name}`)
          .map((b) => b["X-S4-Status"]);
      await waitFor(() => statuses().length === 2 || undefined, { what: "SIGNL4's resolve", timeoutMs: 20_000 });
      expect(statuses()).toEqual(["new", "resolved"]);
    }, 40_000);

    test("a freshness promise at risk, snoozed: the page of it being late is held in both products", async () => {
      const atRisk = syntheticFreshnessEvent("app.freshness_warning", { nowMs: Date.now() + 120_000 });
      const key = `steward-watch-${atRisk.condition.key}`;
      const before = { pd: pdActions(key), og: ogOps(key) };
      await emit(atRisk);
      await both(key, [...before.pd, "trigger"], [...before.og, "create"], "the promise at risk's pages");
      const open = ((await (await t.request("/v4/incidents?status=open&limit=100")).json()) as { incidents: IncidentView[] }).incidents;
      const incident = open.find((i) => i.subject === `watch:${atRisk.condition.key}`)!;
      const made = await t.request("/v4/silences", {
        method: "POST",
        body: JSON.stringify({ matcher: { incidentIds: [incident.id] }, duration: "1h", reason: "snoozed from the dashboard" }),
      });
      expect(made.status).toBe(201);
      const late = syntheticFreshnessEvent("app.freshness_breached", { nowMs: Date.now() + 180_000 });
      await emit(late);
      const rows = await waitFor(
        async () => {
          const all = (
            (await (await t.request("/v4/deliveries?limit=200")).json()) as {
              deliveries: Array<{ eventId: string; channel: string; status: string; reason: string | null }>;
            }
          ).deliveries.filter((d) => d.eventId === late.id);
          return all.length === 2 ? all : undefined;
        },
        { what: "the late page's deliveries" },
      );
      for (const d of rows) {
        expect(d.status).toBe("suppressed");
        expect(d.reason).toContain("silenced by silence #");
      }
      await Bun.sleep(500);
      expect(pdActions(key)).toEqual([...before.pd, "trigger"]);
      expect(ogOps(key)).toEqual([...before.og, "create"]);
    }, 40_000);

    test("a missed start resolved in PagerDuty: resolved in Steward and closed in Opsgenie; PagerDuty is told nothing more", async () => {
      const missed = syntheticWatchdogEvent("task.missed", { host: "sense1.corp.example" });
      const key = `steward-watch-${missed.condition.key}`;
      const before = { pd: pdActions(key), og: ogOps(key) };
      await emit(missed);
      await both(key, [...before.pd, "trigger"], [...before.og, "create"], "the missed start's pages");
      const res = await fromPagerDuty("incident.resolved", key);
      expect(res.status).toBe(202);
      const open = ((await (await t.request("/v4/incidents?limit=100")).json()) as { incidents: IncidentView[] }).incidents;
      const incident = open.find((i) => i.subject === `watch:${missed.condition.key}`)!;
      expect(await res.json()).toEqual({ status: "done", message: `incident ${incident.id} resolved in Steward` });
      expect(incident.status).toBe("closed");
      await both(key, [...before.pd, "trigger"], [...before.og, "create", "close"], "Opsgenie's close");
      // A sweep since knows PagerDuty resolved it: no resolve goes back there.
      await sweptNothingFor(key);
      expect(pdActions(key)).toEqual([...before.pd, "trigger"]);
    }, 40_000);

    test("a missed start acknowledged while PagerDuty has not answered its trigger: the acknowledgement follows the trigger", async () => {
      const missed = syntheticWatchdogEvent("task.missed", { host: "sense1.corp.example" });
      const key = `steward-watch-${missed.condition.key}`;
      const before = { pd: pdActions(key), og: ogOps(key) };
      pd.hold();
      try {
        await emit(missed);
        await waitFor(() => pdActions(key).length > before.pd.length || undefined, { what: "the trigger on its way to PagerDuty" });
        const open = ((await (await t.request("/v4/incidents?status=open&limit=100")).json()) as { incidents: IncidentView[] }).incidents;
        const incident = open.find((i) => i.subject === `watch:${missed.condition.key}`)!;
        expect((await t.request(`/v4/incidents/${incident.id}/acknowledge`, { method: "POST", body: "{}" })).status).toBe(200);
      } finally {
        pd.release();
      }
      await both(key, [...before.pd, "trigger", "acknowledge"], [...before.og, "create", "acknowledge"], "the trigger, then the acknowledgement");
    }, 40_000);
  });
