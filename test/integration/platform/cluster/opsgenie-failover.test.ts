// Opsgenie and Jira Service Management across a failover: two Stewards on one PostgreSQL, each with an Opsgenie
// channel and a JSM one (its /jsm/ops/integration base). The Steward creating the incident's alerts is killed
// (SIGKILL) while both APIs have the create and have not answered; the other Steward creates them again. The receivers
// (checking every request against the alert API's published schema) keep the alerts the products would: one alert
// per product under the incident's alias, the repeated create deduplicated into it, then acknowledged and closed from
// the surviving Steward by that alias.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type FailoverSite, startFailoverSite } from "../../../helpers/on-call-failover";
import { waitFor } from "../../../helpers/wait-for";
import type { OnCallReceiver } from "../../../helpers/on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "../../../helpers/opsgenie-receiver";

let og: OnCallReceiver<OpsgenieRequest>;
let jsm: OnCallReceiver<OpsgenieRequest>;
let site: FailoverSite;

beforeAll(async () => {
  og = startOpsgenieReceiver("og-api-key");
  jsm = startOpsgenieReceiver("jsm-api-key", "/jsm/ops/integration");
  site = await startFailoverSite(
    "og-failover",
    `  opsgenie: { type: opsgenie, apiKey: og-api-key, url: "${og.url}", timeout: 10s }
  jsm: { type: opsgenie, apiKey: jsm-api-key, url: "${jsm.url}/jsm/ops/integration", timeout: 10s }`,
  );
}, 60_000);

afterAll(async () => {
  og?.release();
  jsm?.release();
  await site?.stop();
  await og?.stop();
  await jsm?.stop();
});

const creates = (r: OnCallReceiver<OpsgenieRequest>) => r.accepted.filter((x) => x.body.op === "create");

test("killed before Opsgenie and JSM answer the create: the other Steward creates again, one alert per product by alias, acknowledged and closed", {
  timeout: 120_000,
}, async () => {
  const a = await site.startSteward("a");
  og.hold();
  jsm.hold();
  await site.runTask("fail");
  await waitFor(() => (creates(og).length >= 1 && creates(jsm).length >= 1) || undefined, { what: "both creates in flight", timeoutMs: 30_000 });
  const alias = creates(og)[0]!.body.key;
  expect(alias).toMatch(/^steward-incident-\d+$/);
  expect(creates(jsm)[0]!.body.key).toBe(alias);
  await site.kill(a);
  og.release();
  jsm.release();

  // B takes over both deliveries A left in sending once A's lease is gone: A never heard an answer, so they go again.
  const b = await site.startSteward("b");
  await waitFor(() => (creates(og).length >= 2 && creates(jsm).length >= 2) || undefined, {
    what: "the creates sent again by the surviving Steward",
    timeoutMs: 60_000,
  });
  for (const r of [og, jsm]) expect(r.alerts).toEqual([{ key: alias, incident: 1, status: "triggered", deduplicated: 1 }]);

  const id = Number(alias.slice("steward-incident-".length));
  expect((await fetch(`${b.base}/v4/incidents/${id}/acknowledge`, { method: "POST", body: "{}" })).status).toBe(200);
  await waitFor(() => [og, jsm].every((r) => r.alerts[0]?.status === "acknowledged") || undefined, { what: "both alerts acknowledged" });
  await site.runTask("succeed");
  await waitFor(() => [og, jsm].every((r) => r.alerts[0]?.status === "resolved") || undefined, { what: "both alerts closed", timeoutMs: 30_000 });
  await Bun.sleep(1_000); // anything more would come now

  for (const r of [og, jsm]) {
    expect(r.rejected).toEqual([]);
    expect(r.droppedActions).toEqual([]);
    expect(r.alerts).toEqual([{ key: alias, incident: 1, status: "resolved", deduplicated: 1 }]);
    expect(r.accepted.map((x) => [x.body.op, x.body.key])).toEqual([
      ["create", alias],
      ["create", alias],
      ["acknowledge", alias],
      ["close", alias],
    ]);
  }
  expect(jsm.accepted.every((x) => x.path.startsWith("/jsm/ops/integration/v2/alerts"))).toBe(true);
  const deliveries = (await (await fetch(`${b.base}/v4/deliveries?limit=50`)).json()) as {
    deliveries: Array<{ channel: string; kind: string; status: string }>;
  };
  expect(deliveries.deliveries.map((d) => [d.channel, d.kind, d.status]).sort()).toEqual(
    ["jsm", "opsgenie"].flatMap((c) => [
      [c, "alert.acknowledge", "delivered"],
      [c, "task.failed", "delivered"],
      [c, "task.recovered", "delivered"],
    ]),
  );
});
