// MQTT against real Mosquitto brokers: publish through the REST route, 503 at once while the broker is down,
// reconnect with backoff, username/password over TLS, and bad task-start payloads answered and counted.
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import mqtt from "mqtt";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { waitFor } from "../../../helpers/wait-for";
import { createTempDir } from "../../../helpers/temp-dir";
import { startBroker, type Broker } from "./mosquitto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cachedCertSet } from "../../../helpers/sim-certs";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function broker(opts: Parameters<typeof startBroker>[0]): Promise<Broker> {
  const b = await startBroker(opts);
  cleanups.push(() => b.stop());
  return b;
}

async function app(yaml: string): Promise<TestApp> {
  const t = createTestApp(yaml);
  cleanups.push(() => t.close());
  await t.app.start();
  return t;
}

async function subscriber(port: number, topic: string) {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  cleanups.push(() => c.endAsync(true));
  const got: Array<{ topic: string; text: string }> = [];
  c.on("message", (t, p) => got.push({ topic: t, text: p.toString("utf8") }));
  await c.subscribeAsync(topic, { qos: 1 });
  return { client: c, got };
}

const mqttReady = async (t: TestApp) => {
  const r = await t.request("/ready");
  const body = (await r.json()) as { components: Record<string, { ok: boolean; detail?: string }> };
  return body.components.mqtt;
};

const put = (t: TestApp, body: unknown) =>
  t.request("/v4/mqttpublishmessage", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

describe("MQTT publish", () => {
  test("PUT /v4/mqttpublishmessage reaches a subscriber; 503 while the broker is down; reconnects with backoff", async () => {
    const port = await freeTcpPort();
    const b = await broker({ port });
    const t = await app(`mqtt:\n  url: mqtt://127.0.0.1:${port}\n  reconnect: { initialDelayMs: 100, maxDelayMs: 400 }\n`);
    await waitFor(async () => (await mqttReady(t))?.ok, { what: "mqtt connected" });
    const sub = await subscriber(port, "steward/test/#");

    const ok = await put(t, { topic: "steward/test/a", message: "hello from a load script" });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ topic: "steward/test/a", message: "hello from a load script" });
    await waitFor(() => sub.got.length > 0, { what: "message at the subscriber" });
    expect(sub.got[0]).toEqual({ topic: "steward/test/a", text: "hello from a load script" });

    // Broker down: the route answers 503 instead of hanging, and /ready says why.
    await b.stop();
    await waitFor(async () => (await mqttReady(t))?.ok === false, { what: "mqtt disconnected" });
    const down = await put(t, { topic: "steward/test/a", message: "lost?" });
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ code: "UNAVAILABLE" });
    expect((await mqttReady(t))?.detail).toContain("reconnecting");

    // Broker back on the same port: Steward reconnects by itself.
    const b2 = await broker({ port });
    await waitFor(async () => (await mqttReady(t))?.ok, { what: "mqtt reconnected", timeoutMs: 15_000 });
    expect(b2.port).toBe(port);
    const again = await put(t, { topic: "steward/test/b", message: "back" });
    expect(again.status).toBe(201);
    const audit = (await (await t.request("/v4/audit?action=mqtt.publish")).json()) as { entries: Array<{ result: string; target: string }> };
    expect(audit.entries.map((e) => e.result)).toEqual(["ok", "failed", "ok"]);
  }, 40_000);

  test("a broker that was never reachable: 503 at once, and MQTT not configured is 503 too", async () => {
    const port = await freeTcpPort();
    const t = await app(`mqtt:\n  url: mqtt://127.0.0.1:${port}\n  reconnect: { initialDelayMs: 100, maxDelayMs: 200 }\n`);
    const r = await put(t, { topic: "a/b", message: "x" });
    expect(r.status).toBe(503);
    const none = await app("");
    const r2 = await put(none, { topic: "a/b", message: "x" });
    expect(r2.status).toBe(503);
    expect(((await r2.json()) as { error: string }).error).toContain("MQTT is not configured");
  });

  test("publish topics may not contain wildcards", async () => {
    const t = await app("");
    const r = await put(t, { topic: "a/#", message: "x" });
    expect(r.status).toBe(400);
  });
});

describe("MQTT with username/password over TLS", () => {
  test("connects with the right credentials and the broker's CA; the wrong password stays disconnected", async () => {
    const certs = cachedCertSet();
    const port = await freeTcpPort();
    await broker({ port, tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey }, users: { steward: "s3cret-pass" } });
    const dirs = [createTempDir(), createTempDir()];
    for (const d of dirs) {
      cleanups.push(async () => d.remove());
      writeFileSync(join(d.path, "broker-ca.pem"), certs.ca);
    }
    const yaml = (pass: string) =>
      `mqtt:\n  url: mqtts://localhost:${port}\n  username: steward\n  password: "${pass}"\n  tls: { ca: broker-ca.pem }\n  reconnect: { initialDelayMs: 100, maxDelayMs: 300 }\n`;
    const t = createTestApp(yaml("s3cret-pass"), { dir: dirs[0]!.path });
    cleanups.push(() => t.close());
    await t.app.start();
    await waitFor(async () => (await mqttReady(t))?.ok, { what: "mqtts connected" });

    const bad = createTestApp(yaml("wrong"), { dir: dirs[1]!.path });
    cleanups.push(() => bad.close());
    await bad.app.start();
    await waitFor(async () => /reconnecting/.test((await mqttReady(bad))?.detail ?? ""), { what: "refused connection" });
    const refused = await mqttReady(bad);
    expect(refused?.ok).toBe(false);
    expect(refused?.detail).toContain("Not authorized");
  }, 30_000);
});

describe("MQTT task start payloads that cannot be used", () => {
  test("bad payloads are answered on the reply topic, counted, and never crash the connection", async () => {
    const port = await freeTcpPort();
    await broker({ port });
    const t = await app(`mqtt:\n  url: mqtt://127.0.0.1:${port}\n  taskStart: { topic: qliksense/start_task }\n`);
    await waitFor(async () => (await mqttReady(t))?.ok, { what: "mqtt connected" });
    const sub = await subscriber(port, "qliksense/start_task/result");
    for (const payload of ["hello", "{not json", '{"taskIds":["x"]}', "", '{"taskId":["not-a-guid"]}']) {
      await sub.client.publishAsync("qliksense/start_task", payload, { qos: 1 });
    }
    await waitFor(() => sub.got.length >= 5, { what: "five replies" });
    const replies = sub.got.map((g) => JSON.parse(g.text) as { error: string; code: string; request: string });
    expect(replies.map((r) => r.code)).toEqual(["BAD_REQUEST", "BAD_REQUEST", "BAD_REQUEST", "BAD_REQUEST", "BAD_REQUEST"]);
    expect(replies[0]!.error).toContain("neither a task id");
    expect(replies[1]!.error).toContain("not valid JSON");
    expect(replies[2]!.error).toContain("not a start body");
    expect(replies[3]!.error).toContain("empty payload");
    expect(replies[4]!.error).toBe("Invalid task ID format");
    const metrics = await (await t.request("/metrics")).text();
    expect(metrics).toContain('steward_mqtt_task_start_rejected_total{reason="not_task_id"} 1');
    expect(metrics).toContain('steward_mqtt_task_start_rejected_total{reason="bad_json"} 1');
    expect(metrics).toContain('steward_mqtt_task_start_rejected_total{reason="invalid_task_id"} 1');
    expect((await mqttReady(t))?.ok).toBe(true);
    // A well-formed id without a Qlik connection: an answer, not silence.
    await sub.client.publishAsync("qliksense/start_task", "7552d9fc-d1bb-4975-9a38-18357de531ea", { qos: 1 });
    await waitFor(() => sub.got.length >= 6, { what: "sixth reply" });
    expect(JSON.parse(sub.got[5]!.text)).toMatchObject({ code: "UNAVAILABLE", request: "7552d9fc-d1bb-4975-9a38-18357de531ea" });
  }, 30_000);
});
