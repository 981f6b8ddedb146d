// What PagerDuty and Opsgenie hold moves toward the incident's state, whatever order the events came in (issue 84,
// points 2 and 3), against local receivers that check each request against the vendors' published formats:
// - an incident acknowledged in Steward before its page was queued (it is listed the moment the run is recorded):
//   the acknowledgement goes after the trigger, in order;
// - a recovery queued before its page (the page's queueing failed while the store was away and was done again after
//   the task's success): no channel received the page, so the recovery goes nowhere (nor is recorded as delivered
//   without a request), and the page that comes late is not sent: its incident is over (recovery-follows-page.test.ts
//   has the store's side);
// - an incident whose recovery never reached a channel (a Steward died between recording the success and queueing
//   its recovery): the sweep resolves the alert there.
// On SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { failedRun } from "../../../helpers/failed-runs";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { endedBeforePage } from "../../../helpers/ended-before-page";
import { type HttpReceiver, startHttpReceiver } from "./receivers";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";

/**
 * The task's next run, a success ending a millisecond after a failure failedRun(n) made just before: both take their
 * time from the clock, and recorded quickly the two can fall in the same millisecond, while a success follows only a
 * failure that ended before it.
 */
function succeededAfter(n: string): TaskEvent {
  const ok = syntheticTaskEvent({ outcome: "succeeded", taskName: `Load ${n}`, taskId: `task-${n}` });
  const stopTime = new Date(Date.parse(ok.execution!.stopTime!) + 1).toISOString();
  return { ...ok, source: "udp", execution: { ...ok.execution!, stopTime } };
}

for (const backend of ["sqlite", "postgres"] as const)
  describe(`on-call alerts converge to the incident (${backend})`, () => {
    let pd: OnCallReceiver<PagerDutyEvent>;
    let pagesOnly: OnCallReceiver<PagerDutyEvent>;
    let s4: HttpReceiver;
    let og: OnCallReceiver<OpsgenieRequest>;
    let pg: PostgresService | undefined;
    let t: TestApp;

    beforeAll(async () => {
      pd = startPagerDutyReceiver();
      pagesOnly = startPagerDutyReceiver();
      s4 = startHttpReceiver();
      og = startOpsgenieReceiver("og-api-key");
      let store = "";
      if (backend === "postgres") {
        pg = await startPostgres();
        store = `store:\n  postgres:\n    url: ${await pg.createDatabase("converge")}\n    instanceName: node-a\n`;
      }
      t = createTestApp(`${store}channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
  og: { type: opsgenie, apiKey: og-api-key, url: "${og.url}" }
  pages-only: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pagesOnly.url}/v2/enqueue" }
  signl4: { type: signl4, url: "${s4.url}/webhook/team-secret" }
routes:
  - { on: [task.failed, task.recovered], to: [pd, og, signl4] }
  - { on: [task.failed], to: [pages-only] }
  - { on: [task.recovered], to: [pages-only], taskNames: ["Load late-page", "Load ack-early"] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
      await t.app.start();
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await pd?.stop();
      await pagesOnly?.stop();
      await s4?.stop();
      await og?.stop();
      await pg?.stop();
    });

    const emit = async (events: TaskEvent[]) => {
      for (const x of events) await t.app.bus.emit(x.kind, x);
    };
    const pdActions = (key: string) => pd.accepted.filter((r) => r.body.dedup_key === key).map((r) => r.body.event_action);
    const ogOps = (key: string) => og.accepted.filter((r) => r.body.key === key).map((r) => r.body.op);
    const deliveriesOf = async (eventId: string) =>
      (
        (await (await t.request("/v4/deliveries?limit=100")).json()) as {
          deliveries: Array<{ eventId: string; channel: string; kind: string; status: string; reason: string | null }>;
        }
      ).deliveries.filter((d) => d.eventId === eventId);

    test("acknowledged before its page was queued: the acknowledgement follows the trigger", async () => {
      // The run is recorded and its incident listed; its deliveries are not queued yet.
      const [failed] = await t.app.incidents!.annotate(failedRun("ack-early"));
      const id = failed!.incident!.id;
      const key = `steward-incident-${id}`;
      const res = await t.request(`/v4/incidents/${id}/acknowledge`, { method: "POST", body: JSON.stringify({ note: "on it" }) });
      expect(res.status).toBe(200);
      await emit([failed!]);
      await waitFor(() => (pdActions(key).length === 2 && ogOps(key).length === 2) || undefined, { what: "trigger and acknowledge in both products" });
      await Bun.sleep(300);
      expect(pdActions(key)).toEqual(["trigger", "acknowledge"]);
      expect(ogOps(key)).toEqual(["create", "acknowledge"]);
      expect(pd.rejected).toEqual([]);
      expect(og.rejected).toEqual([]);
      // Paged: the chaos scenario's reading of Steward's record does not take it for one that ended first.
      expect(await endedBeforePage((p) => t.request(p), id, "pd")).toBe(false);
    });

    test("a recovery queued before its page: no resolve before the trigger, none recorded without a request, nothing left open", async () => {
      const [failed] = await t.app.incidents!.annotate(failedRun("late-page"));
      const key = `steward-incident-${failed!.incident!.id}`;
      // The task succeeds and closes the incident before the failure's deliveries are queued.
      const closing = await t.app.incidents!.annotate(succeededAfter("late-page"));
      const recovered = closing.find((e) => e.kind === "task.recovered")!;
      expect(recovered.incident?.id).toBe(failed!.incident!.id);
      await emit(closing);
      const settledRows = (eventId: string, count: number) =>
        waitFor(
          async () => {
            const d = await deliveriesOf(eventId);
            return d.length === count && d.every((x) => x.status !== "pending" && x.status !== "sending") ? d : undefined;
          },
          { what: `the ${count} deliveries of ${eventId} settled` },
        );
      // No channel received a page of the incident: its recovery goes nowhere (pages-only, whose route takes only
      // recoveries, included), and the rows say so.
      for (const d of await settledRows(recovered.id, 4)) {
        expect(d.status).toBe("suppressed");
        expect(d.reason).toContain("no channel received");
      }
      // The page's queueing is done again now (the event as first annotated): its incident is over, so it is not
      // sent either: nothing would end it.
      await emit([failed!]);
      for (const d of await settledRows(failed!.id, 4)) {
        expect(d.status).toBe("suppressed");
        expect(d.reason).toContain("recovery was queued before this page");
      }
      await Bun.sleep(300);
      expect(pdActions(key)).toEqual([]);
      expect(ogOps(key)).toEqual([]);
      expect(pagesOnly.accepted.filter((r) => r.body.dedup_key === key)).toEqual([]);
      expect(pd.alerts.filter((a) => a.key === key)).toEqual([]);
      expect(pd.rejected).toEqual([]);
      expect(og.rejected).toEqual([]);
      // Steward's record says why nobody was paged, as the chaos scenario reads it (on-call-chaos.test.ts).
      expect(await endedBeforePage((p) => t.request(p), failed!.incident!.id, "pd")).toBe(true);
      expect(await endedBeforePage((p) => t.request(p), failed!.incident!.id, "og")).toBe(true);
    }, 30_000);

    test("killed between recording a failure and queueing its page, the success recorded before the run is handled again: nobody paged, the reason names the incident", async () => {
      const run = failedRun("killed-before-page");
      const [first] = await t.app.incidents!.annotate(structuredClone(run));
      const id = first!.incident!.id;
      const key = `steward-incident-${id}`;
      // The Steward that recorded the failure dies here: its page is never queued. The task's success closes the
      // incident and its recovery finds no page.
      const closing = await t.app.incidents!.annotate(succeededAfter("killed-before-page"));
      expect(closing.find((e) => e.kind === "task.recovered")?.incident?.id).toBe(id);
      await emit(closing);
      // The run is handled again (another Steward once the claim's lease ran out, or this one restarted).
      const [again] = await t.app.incidents!.annotate(structuredClone(run));
      expect(again!.heardAfterSuccess?.incidentId).toBe(id);
      await emit([again!]);
      const rows = await waitFor(
        async () => {
          const d = (await deliveriesOf(again!.id)).filter((x) => x.channel === "pd" || x.channel === "og");
          return d.length === 2 && d.every((x) => x.status !== "pending" && x.status !== "sending") ? d : undefined;
        },
        { what: "the failure's on-call rows settled" },
      );
      for (const d of rows) {
        expect(d.status).toBe("suppressed");
        expect(d.reason).toContain(`incident ${id} ended when the task ran again successfully`);
      }
      await Bun.sleep(300);
      expect(pdActions(key)).toEqual([]);
      expect(ogOps(key)).toEqual([]);
      expect(await endedBeforePage((p) => t.request(p), id, "pd")).toBe(true);
    }, 30_000);

    test("an incident whose recovery never reached a channel: the sweep resolves its alert there", async () => {
      const [failed] = await t.app.incidents!.annotate(failedRun("no-recovery-route"));
      const key = `steward-incident-${failed!.incident!.id}`;
      await emit([failed!]);
      const sent = () => pagesOnly.accepted.filter((r) => r.body.dedup_key === key).map((r) => r.body.event_action);
      await waitFor(() => sent().length === 1 || undefined, { what: "the trigger" });
      // The success closes the incident; none of its deliveries is queued (the Steward that recorded it died first).
      const closing = await t.app.incidents!.annotate(succeededAfter("no-recovery-route"));
      expect(closing.map((e) => e.kind)).toContain("task.recovered");
      await waitFor(() => sent().length === 2 || undefined, { what: "the sweep's resolve (a sweep after CLOSE_GRACE_MS)", timeoutMs: 25_000 });
      expect(sent()).toEqual(["trigger", "resolve"]);
      // SIGNL4's incident for the task (its external id, Butler's) is resolved too.
      const statuses = () =>
        s4.requests
          .map((r) => JSON.parse(r.body) as Record<string, unknown>)
          .filter((b) => b["X-S4-ExternalID"] === "task-no-recovery-route")
          .map((b) => b["X-S4-Status"]);
      await waitFor(() => statuses().length === 2 || undefined, { what: "SIGNL4's resolve", timeoutMs: 25_000 });
      expect(statuses()).toEqual(["new", "resolved"]);
      expect(pagesOnly.alerts.filter((a) => a.key === key).map((a) => a.status)).toEqual(["resolved"]);
      expect(pagesOnly.rejected).toEqual([]);
    }, 45_000);

    test("a recovery still on its way when the sweep looks: the sweep leaves the alert to it, no second resolve", async () => {
      const [failed] = await t.app.incidents!.annotate(failedRun("slow-recovery"));
      const key = `steward-incident-${failed!.incident!.id}`;
      await emit([failed!]);
      await waitFor(() => pdActions(key).length === 1 || undefined, { what: "the trigger" });
      // PagerDuty answers slowly: the recovery's resolve is in flight while a sweep (every 5 s) finds the incident closed.
      pd.hold();
      const closing = await t.app.incidents!.annotate(succeededAfter("slow-recovery"));
      await emit(closing);
      const recovered = closing.find((e) => e.kind === "task.recovered")!;
      await waitFor(async () => (await deliveriesOf(recovered.id)).some((d) => d.channel === "pd" && d.status === "sending") || undefined, {
        what: "the recovery's resolve on its way to PagerDuty",
      }).catch(async (err: Error) => {
        // Failed once in a full run on PostgreSQL (not again alone or beside busy loops): say where each row stood.
        const rows = async (id: string) => JSON.stringify(await deliveriesOf(id));
        throw new Error(`${err.message}; the recovery's deliveries: ${await rows(recovered.id)}; the failure's: ${await rows(failed!.id)}`);
      });
      // A sweep runs now, with the resolve still held (its timer runs one every 5 s; waiting for it held a test worker).
      await t.app.alertConverger.sweep();
      pd.release();
      await waitFor(() => pdActions(key).length === 2 || undefined, { what: "the resolve" });
      const pdRows = async () => (await deliveriesOf(failed!.id)).filter((d) => d.channel === "pd");
      await waitFor(async () => (await pdRows()).every((d) => d.status !== "pending" && d.status !== "sending") || undefined, {
        what: "PagerDuty's rows settled",
      });
      expect(pdActions(key)).toEqual(["trigger", "resolve"]);
      // Only the page itself is in the failure's thread: the sweep queued no resolve behind the recovery.
      expect((await pdRows()).map((d) => d.kind)).toEqual(["task.failed"]);
      expect(pd.rejected).toEqual([]);
    }, 40_000);

    test("a sweep between the incident's close and its recovery's queueing leaves the alerts to the recovery: one resolve each, the recovery's", async () => {
      const [failed] = await t.app.incidents!.annotate(failedRun("close-then-sweep"));
      const key = `steward-incident-${failed!.incident!.id}`;
      await emit([failed!]);
      await waitFor(() => (pdActions(key).length === 1 && ogOps(key).length === 1) || undefined, { what: "the triggers" });
      const closing = await t.app.incidents!.annotate(succeededAfter("close-then-sweep"));
      // A sweep looks now, the incident closed in the store and its recovery not queued yet (its timer may fire there).
      expect(await t.app.alertConverger.sweep()).toBe(0);
      await emit(closing);
      const recovered = closing.find((e) => e.kind === "task.recovered")!;
      await waitFor(
        async () => {
          const d = (await deliveriesOf(recovered.id)).filter((x) => x.channel === "pd" || x.channel === "og");
          return (d.length === 2 && d.every((x) => x.status === "delivered")) || undefined;
        },
        { what: "the recovery delivered to PagerDuty and Opsgenie" },
      );
      expect(pdActions(key)).toEqual(["trigger", "resolve"]);
      expect(ogOps(key)).toEqual(["create", "close"]);
      // Nothing of the sweep's in the failure's thread to either product: only the pages themselves.
      const failureRows = (await deliveriesOf(failed!.id)).filter((d) => d.channel === "pd" || d.channel === "og");
      expect(failureRows.map((d) => d.kind)).toEqual(["task.failed", "task.failed"]);
    }, 30_000);

    test("failures of one source heard after their tasks' next successes open no cause and page nobody", async () => {
      const before = { pd: pd.accepted.length, og: og.accepted.length };
      const causesBefore = ((await (await t.request("/v4/causes?status=open")).json()) as { causes: unknown[] }).causes.length;
      for (const n of ["dwh-1", "dwh-2", "dwh-3"]) {
        const failure = failedRun(n, { source: "DWH" });
        const stop = new Date(Date.parse(failure.execution!.stopTime!) + 60_000).toISOString();
        const ok = { ...syntheticTaskEvent({ outcome: "succeeded", taskName: `Load ${n}`, taskId: `task-${n}` }), source: "udp" as const };
        await emit(await t.app.incidents!.annotate({ ...ok, execution: { ...ok.execution!, stopTime: stop } }));
        const late = await t.app.incidents!.annotate(failure);
        expect(late[0]!.heardAfterSuccess).toBeDefined();
        await emit(late);
      }
      await Bun.sleep(1_000);
      expect(((await (await t.request("/v4/causes?status=open")).json()) as { causes: unknown[] }).causes.length).toBe(causesBefore);
      expect(pd.accepted.slice(before.pd).filter((r) => r.body.event_action === "trigger")).toEqual([]);
      expect(og.accepted.slice(before.og).filter((r) => r.body.op === "create")).toEqual([]);
    });
  });
