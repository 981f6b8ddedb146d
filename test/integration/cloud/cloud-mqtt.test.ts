// Starting a Qlik Cloud reload from MQTT (qlikCloud.mqttTopic, Mosquitto): the JSON body of POST /v4/cloud/reloads
// starts a reload in the simulated tenant, the answer comes on <topic>/result, the start is audited by the topic,
// and a bad payload is answered, not dropped.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import mqtt from "mqtt";
import type { Simulator } from "../../../src/sim";
import { createTestApp, type TestApp } from "../../helpers/app";
import { freeTcpPort } from "../../helpers/free-port";
import { startMosquitto, type TestService } from "../../helpers/services";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";
import { cloudYaml, startCloudSim } from "./helpers";

const dir = createTempDir();
let sim: Simulator;
let broker: TestService;
let t: TestApp;
let client: mqtt.MqttClient;
const got: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const port = await freeTcpPort();
  broker = await startMosquitto({ port });
  sim = await startCloudSim(join(dir.path, "certs"));
  const yaml = `mqtt:\n  url: mqtt://127.0.0.1:${port}\n${cloudYaml(sim, { pollInterval: "1h" })}  mqttTopic: qlikcloud/reload\n`;
  t = createTestApp(yaml, { dir: join(dir.path, "steward") });
  await t.app.start();
  client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  client.on("message", (_topic, p) => got.push(JSON.parse(p.toString("utf8"))));
  await client.subscribeAsync("qlikcloud/reload/result", { qos: 1 });
  await waitFor(async () => ((await (await t.request("/ready")).json()) as { components: Record<string, { ok: boolean }> }).components.mqtt?.ok);
});
afterAll(async () => {
  await client?.endAsync(true);
  await t?.close();
  await sim?.stop();
  await broker?.stop();
  dir.remove();
});

test("a message starts a Cloud reload, answered on the result topic and audited; a bad one is answered with why", async () => {
  const app = sim.site.apps[0]!;
  await client.publishAsync("qlikcloud/reload", JSON.stringify({ appId: app.id }), { qos: 1 });
  await waitFor(() => got.length >= 1, { what: "the result" });
  expect(got[0]).toMatchObject({ appId: app.id, tenant: "sim-tenant", status: "QUEUED", type: "external" });
  expect(sim.cloud!.tenant.get(String(got[0]!.id))?.appId).toBe(app.id);
  const audit = (await (await t.request("/v4/audit?action=task.start")).json()) as {
    entries: Array<{ actor: { kind: string; name: string }; details: Record<string, unknown> }>;
  };
  expect(audit.entries.find((e) => e.details.reloadId === got[0]!.id)?.actor).toMatchObject({ kind: "mqtt", name: "qlikcloud/reload" });
  await client.publishAsync("qlikcloud/reload", "not json", { qos: 1 });
  await client.publishAsync("qlikcloud/reload", JSON.stringify({ app: "x" }), { qos: 1 });
  await waitFor(() => got.length >= 3, { what: "two more results" });
  expect(got[1]).toMatchObject({ code: "BAD_REQUEST" });
  expect(String(got[1]!.error)).toContain("not a JSON body");
  expect(got[2]).toMatchObject({ code: "BAD_REQUEST" });
});
