// Scope escalation through Steward's own MQTT subscription: a key with only the mqtt scope publishes to
// mqtt.taskStart.topic, which Steward itself listens to and turns into task starts (the tasks scope).
// Against a real Mosquitto; the start itself fails (no Qlik configured), and that failure's reply on the
// reply topic shows the message reached the start path.
import { afterAll, expect, test } from "bun:test";
import mqtt from "mqtt";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { waitFor } from "../../../helpers/wait-for";
import { startBroker } from "../../start/control/mosquitto";
import { keysPerScope } from "./keys";

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

const TASK = "7552d9fc-d1bb-4975-9a38-18357de531ea";

test("publishing to the task-start topic needs the tasks scope as well as mqtt", async () => {
  const port = await freeTcpPort();
  const broker = await startBroker({ port });
  cleanups.push(() => broker.stop());
  const { keys, yaml } = keysPerScope();
  const t: TestApp = createTestApp(
    `security:\n${yaml}\nmqtt:\n  url: mqtt://127.0.0.1:${port}\n  taskStart: { topic: "qlik/start/+", replyTopic: qlik/started }\n`,
  );
  cleanups.push(() => t.close());
  await t.app.start();
  await waitFor(
    async () =>
      ((await (await t.request("/ready", { headers: { "x-api-key": keys.admin } })).json()) as { components: Record<string, { ok: boolean }> }).components.mqtt
        ?.ok,
    { what: "mqtt connected" },
  );

  const replies: string[] = [];
  const sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  cleanups.push(() => sub.endAsync(true));
  sub.on("message", (_topic, payload) => replies.push(payload.toString("utf8")));
  await sub.subscribeAsync("qlik/started", { qos: 1 });

  const publish = (key: string, topic: string) =>
    t.request("/v4/mqttpublishmessage", {
      method: "PUT",
      headers: { "content-type": "application/json", "x-api-key": key },
      body: JSON.stringify({ topic, message: TASK }),
    });

  const refused = await publish(keys.mqtt, "qlik/start/now");
  expect(refused.status).toBe(403);
  expect((await refused.json()).error).toContain('scope "tasks"');
  // Other topics stay open to the mqtt scope.
  expect((await publish(keys.mqtt, "qlik/other")).status).toBe(201);
  expect((await publish(keys.mqtt, "qlik/start")).status).toBe(201);
  // admin (every scope) may; its start reaches the start path and is answered on the reply topic.
  expect((await publish(keys.admin, "qlik/start/now")).status).toBe(201);
  await waitFor(() => replies.length > 0, { what: "the start reply" });
  await Bun.sleep(200);
  expect(replies.length).toBe(1);
  const denial = (await t.app.audit.query({ action: "mqtt.publish", actorName: "key-mqtt" })).find((e) => e.result === "denied");
  expect(denial?.target).toBe("qlik/start/now");
}, 30_000);
