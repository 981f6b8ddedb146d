// Issue 103: an acknowledgement or resolve made in PagerDuty or Opsgenie whose webhook arrives while PostgreSQL is
// down. Before, it was answered 503 and nothing kept it: Opsgenie / JSM never send an outgoing webhook again, and
// PagerDuty's few retries within minutes may all fall in the outage. Now each verified delivery is kept in the
// Steward's spool on disk (answered 202, "queued") and applied once the store answers: the incident ends up
// acknowledged (PagerDuty) and resolved (Opsgenie) as the product's user did, audited as them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { signPagerDuty } from "../../../../src/tell/on-call";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { failedRun } from "../../../helpers/failed-runs";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { wallLimit } from "../../../helpers/time-limit";
import { waitFor } from "../../../helpers/wait-for";

const ROUTING_KEY = "R0123456789abcdef0123456789abcde";
const SECRET = "whsec-pagerduty-outage-secret";
const TOKEN = "og-webhook-token-outage-0000001";

let pg: PostgresService;
let pd: OnCallReceiver<PagerDutyEvent>;
let og: OnCallReceiver<OpsgenieRequest>;
let t: TestApp;
beforeAll(async () => {
  pg = await startPostgres({ own: true });
  const url = await pg.createDatabase("webhook_outage");
  pd = startPagerDutyReceiver();
  og = startOpsgenieReceiver("og-api-key");
  t = createTestApp(`store:
  postgres: { url: ${url}, instanceName: node-a }
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue", webhookSecret: "${SECRET}" }
  og: { type: opsgenie, apiKey: og-api-key, url: "${og.url}", webhookToken: "${TOKEN}" }
routes:
  - { on: [task.failed, task.recovered], to: [pd, og] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
`);
  await t.app.start();
}, wallLimit(120_000));
afterAll(async () => {
  await t?.close();
  await pd?.stop();
  await og?.stop();
  await pg?.stop();
});

async function failed(name: string): Promise<{ id: number; key: string }> {
  const out = await t.app.incidents!.annotate(failedRun(name) as TaskEvent);
  for (const x of out) await t.app.bus.emit(x.kind, x);
  const id = out[0]!.incident!.id;
  const key = `steward-incident-${id}`;
  await waitFor(() => pd.accepted.some((r) => r.body.dedup_key === key) || undefined, { what: `${name}'s trigger` });
  return { id, key };
}

const pdAck = (key: string) =>
  JSON.stringify({
    event: {
      id: `01DEN${crypto.randomUUID()}`,
      event_type: "incident.acknowledged",
      resource_type: "incident",
      occurred_at: new Date().toISOString(),
      agent: { id: "PUSER01", type: "user_reference", summary: "Anna Berg" },
      data: { id: "Q1EXAMPLE", type: "incident", status: "acknowledged", incident_key: key },
    },
  });
const ogClose = (alias: string) =>
  JSON.stringify({ action: "Close", alert: { alertId: crypto.randomUUID(), alias, username: "erik@corp.example" }, source: { type: "web" } });

const incident = async (id: number) =>
  (await (await t.request(`/v4/incidents/${id}`)).json()) as { status: string; acknowledgedBy: string | null; resolvedBy?: string | null };

test(
  "a PagerDuty acknowledgement and an Opsgenie close sent while PostgreSQL is down are kept and applied once it is back",
  async () => {
    const orders = await failed("orders");
    const sales = await failed("sales");
    await pg.halt();
    try {
      const body = pdAck(orders.key);
      const acked = await t.request("/v4/integrations/pagerduty/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-PagerDuty-Signature": signPagerDuty(body, SECRET) },
        body,
      });
      expect(acked.status).toBe(202);
      expect(await acked.json()).toMatchObject({ status: "queued" });
      const closed = await t.request("/v4/integrations/opsgenie/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Steward-Webhook-Token": TOKEN },
        body: ogClose(sales.key),
      });
      expect(closed.status).toBe(202);
      expect(await closed.json()).toMatchObject({ status: "queued" });
    } finally {
      await pg.resume();
    }
    await waitFor(
      async () => {
        const [o, s] = await Promise.all([incident(orders.id), incident(sales.id)]);
        return (o.acknowledgedBy === "PagerDuty: Anna Berg" && s.status === "closed") || undefined;
      },
      { timeoutMs: wallLimit(60_000), what: "the kept acknowledgement and close applied after the outage" },
    );
    // Audited as the products' users, once each.
    const rows = await waitFor(
      async () => {
        const r = (await (await t.request("/v4/audit?limit=50")).json()) as {
          entries: Array<{ actor: { kind: string; name: string }; action: string; target: string }>;
        };
        const mine = r.entries.filter((e) => e.target === orders.key || e.target === sales.key);
        return mine.length >= 2 ? mine : undefined;
      },
      { what: "the audit rows of the kept deliveries" },
    );
    expect(rows.map((e) => `${e.actor.kind} ${e.actor.name} ${e.action} ${e.target}`).sort()).toEqual([
      `opsgenie erik@corp.example incident.resolve ${sales.key}`,
      `pagerduty Anna Berg incident.acknowledge ${orders.key}`,
    ]);
  },
  wallLimit(180_000),
);
