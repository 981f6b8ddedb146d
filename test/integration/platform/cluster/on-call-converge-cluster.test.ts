// Two Stewards on one PostgreSQL, strict local PagerDuty and Opsgenie receivers (issue 84): whatever order the members
// hear a task's failure and success in, and whichever member acknowledges, each product ends with what the incident
// says: no alert left open after the incident ended, no acknowledgement lost, no resolve before its trigger, and no page
// at all for an incident whose recovery was queued before its page.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { TestApp } from "../../../helpers/app";
import { failedRun } from "../../../helpers/failed-runs";
import { startTwoStewards, type TwoStewards } from "../../../helpers/two-stewards";
import { waitFor } from "../../../helpers/wait-for";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";

describe("on-call alerts converge across two Stewards", () => {
  let pd: OnCallReceiver<PagerDutyEvent>;
  let og: OnCallReceiver<OpsgenieRequest>;
  let two: TwoStewards;

  beforeAll(async () => {
    pd = startPagerDutyReceiver();
    og = startOpsgenieReceiver("og-api-key");
    two = await startTwoStewards(
      "converge_cluster",
      `channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue" }
  og: { type: opsgenie, apiKey: og-api-key, url: "${og.url}" }
routes:
  - { on: [task.failed, task.recovered], to: [pd, og] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`,
    );
  }, 60_000);
  afterAll(async () => {
    await two?.close();
    await pd?.stop();
    await og?.stop();
  });

  const emit = async (t: TestApp, events: TaskEvent[]) => {
    for (const x of events) await t.app.bus.emit(x.kind, x);
  };
  const success = (name: string, stopTime: string): TaskEvent => {
    const e = { ...syntheticTaskEvent({ outcome: "succeeded", taskName: `Load ${name}`, taskId: `task-${name}` }), source: "udp" as const };
    return { ...e, execution: { ...e.execution!, stopTime } };
  };

  test("failure and success heard on two members, the recovery queued first: neither is sent, nothing is open", async () => {
    const failure = failedRun("pair-1");
    const [failed] = await two.a.app.incidents!.annotate(failure);
    const key = `steward-incident-${failed!.incident!.id}`;
    const stop = new Date(Date.parse(failure.execution!.stopTime!) + 120_000).toISOString();
    const closing = await two.b.app.incidents!.annotate(success("pair-1", stop));
    expect(closing.map((e) => e.kind)).toEqual(["task.succeeded", "task.recovered"]);
    await emit(two.b, closing);
    await Bun.sleep(100);
    await emit(two.a, [failed!]);
    // No product received the page before the recovery was queued: the recovery goes nowhere, and the page queued
    // after it is not sent (its incident is over). Both members' rows say so.
    const rows = async (eventId: string) =>
      (
        (await (await two.a.request("/v4/deliveries?limit=200")).json()) as {
          deliveries: Array<{ eventId: string; channel: string; status: string; reason: string | null }>;
        }
      ).deliveries.filter((d) => d.eventId === eventId);
    const recovered = closing.find((e) => e.kind === "task.recovered")!;
    await waitFor(async () => ((await rows(failed!.id)).length === 2 && (await rows(recovered.id)).length === 2) || undefined, {
      what: "the page's and the recovery's rows",
    });
    for (const d of await rows(recovered.id)) expect(`${d.status}: ${d.reason}`).toContain("suppressed: follows up a page no channel received");
    for (const d of await rows(failed!.id)) expect(`${d.status}: ${d.reason}`).toContain("suppressed: the incident's recovery was queued before this page");
    await Bun.sleep(500);
    expect(pd.accepted.filter((r) => r.body.dedup_key === key)).toEqual([]);
    expect(og.accepted.filter((r) => r.body.key === key)).toEqual([]);
    expect(pd.droppedActions).toEqual([]);
    expect(og.droppedActions).toEqual([]);
  }, 30_000);

  test("the success recorded first on one member, the failure heard after it on the other: no page at all", async () => {
    const failure = failedRun("pair-2");
    const stop = new Date(Date.parse(failure.execution!.stopTime!) + 120_000).toISOString();
    await emit(two.b, await two.b.app.incidents!.annotate(success("pair-2", stop)));
    const [late] = await two.a.app.incidents!.annotate(failure);
    expect(late!.incident).toBeUndefined();
    expect(late!.heardAfterSuccess?.succeededAt).toBe(stop);
    await emit(two.a, [late!]);
    await Bun.sleep(1_000);
    expect(pd.accepted.filter((r) => r.body.event_action === "trigger" && (r.body.payload.summary ?? "").includes("pair-2"))).toEqual([]);
    expect(og.accepted.filter((r) => r.body.op === "create" && r.body.body.message.includes("pair-2"))).toEqual([]);
  });

  test("acknowledged on one member before the other queued the page: trigger, then acknowledge, in both products", async () => {
    const [failed] = await two.a.app.incidents!.annotate(failedRun("pair-3"));
    const id = failed!.incident!.id;
    const key = `steward-incident-${id}`;
    expect((await two.b.request(`/v4/incidents/${id}/acknowledge`, { method: "POST", body: "{}" })).status).toBe(200);
    await emit(two.a, [failed!]);
    const pdActions = () => pd.accepted.filter((r) => r.body.dedup_key === key).map((r) => r.body.event_action);
    const ogOps = () => og.accepted.filter((r) => r.body.key === key).map((r) => r.body.op);
    await waitFor(() => (pdActions().length === 2 && ogOps().length === 2) || undefined, { what: "trigger and acknowledge", timeoutMs: 20_000 });
    await Bun.sleep(300);
    expect(pdActions()).toEqual(["trigger", "acknowledge"]);
    expect(ogOps()).toEqual(["create", "acknowledge"]);
    expect(pd.rejected).toEqual([]);
    expect(og.rejected).toEqual([]);
  }, 30_000);
});
