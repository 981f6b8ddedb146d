// Issue 104, a spool that outlives its Steward: two Stewards of one PostgreSQL share notify.webhookSpool.dir. While
// PostgreSQL is down, node-a keeps a PagerDuty acknowledgement and an Opsgenie close (202, "queued") and then stops
// for good before the store comes back. node-b, started in its place once PostgreSQL answers, finds them in the shared
// folder and applies them: the incidents end up as the products' users left them, audited once each. Before, node-a's
// spool was in its own data folder, which no other Steward reads: both were lost with node-a.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { signPagerDuty } from "../../../../src/tell/on-call";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { failedRun } from "../../../helpers/failed-runs";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "../../../helpers/pagerduty-receiver";
import { type PostgresService, startPostgres } from "../../../helpers/services";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";
import { waitFor } from "../../../helpers/wait-for";

const ROUTING_KEY = "R0123456789abcdef0123456789abcdf";
const SECRET = "whsec-pagerduty-shared-spool";
const TOKEN = "og-webhook-token-shared-spool-01";

let pg: PostgresService;
let pd: OnCallReceiver<PagerDutyEvent>;
let og: OnCallReceiver<OpsgenieRequest>;
let spoolDir: TempDir;
let url: string;
let a: TestApp | undefined;
let b: TestApp | undefined;

const config = (instance: string) => `store:
  postgres: { url: ${url}, instanceName: ${instance} }
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue", webhookSecret: "${SECRET}" }
  og: { type: opsgenie, apiKey: og-api-key, url: "${og.url}", webhookToken: "${TOKEN}" }
routes:
  - { on: [task.failed, task.recovered], to: [pd, og] }
notify:
  outbox: { initialBackoff: 50ms, maxBackoff: 100ms }
  webhookSpool: { dir: ${JSON.stringify(spoolDir.path)} }
`;

beforeAll(async () => {
  pg = await startPostgres({ own: true });
  url = await pg.createDatabase("webhook_spool_shared");
  pd = startPagerDutyReceiver();
  og = startOpsgenieReceiver("og-api-key");
  spoolDir = createTempDir("steward-shared-spool-");
  a = createTestApp(config("node-a"));
  await a.app.start();
}, wallLimit(120_000));
afterAll(async () => {
  await a?.close();
  await b?.close();
  await pd?.stop();
  await og?.stop();
  await pg?.stop();
  spoolDir?.remove();
});

async function failed(t: TestApp, name: string): Promise<{ id: number; key: string }> {
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

test(
  "what node-a kept through the outage and never applied is applied by node-b, started in its place",
  async () => {
    const orders = await failed(a!, "orders");
    const sales = await failed(a!, "sales");
    await pg.halt();
    try {
      const body = pdAck(orders.key);
      const acked = await a!.request("/v4/integrations/pagerduty/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-PagerDuty-Signature": signPagerDuty(body, SECRET) },
        body,
      });
      expect(acked.status).toBe(202);
      expect(await acked.json()).toMatchObject({ status: "queued" });
      const closed = await a!.request("/v4/integrations/opsgenie/webhook", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Steward-Webhook-Token": TOKEN },
        body: ogClose(sales.key),
      });
      expect(closed.status).toBe(202);
      // node-a stops for good while the store is still down: what it kept is in the shared folder.
      await a!.close();
      a = undefined;
      expect(readdirSync(spoolDir.path).filter((n) => n.endsWith(".json"))).toHaveLength(2);
    } finally {
      await pg.resume();
    }
    b = createTestApp(config("node-b"));
    await b.app.start();
    const incident = async (id: number) => (await (await b!.request(`/v4/incidents/${id}`)).json()) as { status: string; acknowledgedBy: string | null };
    await waitFor(
      async () => {
        const [o, s] = await Promise.all([incident(orders.id), incident(sales.id)]);
        return (o.acknowledgedBy === "PagerDuty: Anna Berg" && s.status === "closed") || undefined;
      },
      { timeoutMs: wallLimit(60_000), what: "node-a's kept acknowledgement and close applied by node-b" },
    );
    const rows = await waitFor(
      async () => {
        const r = (await (await b!.request("/v4/audit?limit=50")).json()) as {
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
    expect(readdirSync(spoolDir.path)).toEqual([]);
  },
  wallLimit(180_000),
);
