// The MQTT channel through a broker outage: an alert raised while Mosquitto is down waits in the outbox, is
// retried, and reaches subscribers exactly once after the broker comes back on the same port.
import { afterAll, describe, expect, test } from "bun:test";
import mqtt, { type MqttClient } from "mqtt";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { freeTcpPort } from "../../../helpers/free-port";
import { waitFor } from "../../../helpers/wait-for";
import { startBroker, type Broker } from "../../start/control/mosquitto";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

let broker: Broker | undefined;
let t: TestApp | undefined;
let sub: MqttClient | undefined;
afterAll(async () => {
  await sub?.endAsync(true);
  await t?.close();
  await broker?.stop();
});

interface Row {
  status: string;
  attempts: number;
  eventId: string;
}

describe("mqtt channel and a broker outage", () => {
  test("a failure alert raised while the broker is down is delivered once when it is back", async () => {
    const port = await freeTcpPort();
    broker = await startBroker({ port });
    t = createTestApp(`
channels:
  bus: { type: mqtt, url: "mqtt://127.0.0.1:${port}", qos: 1, timeout: 1s }
routes:
  - { on: [task.failed], to: [bus] }
notify:
  outbox: { initialBackoff: 300ms, maxBackoff: 1s }
`);
    await t.app.start();
    const deliveries = async () => ((await (await t!.request("/v4/deliveries")).json()) as { deliveries: Row[] }).deliveries;

    const before = syntheticTaskEvent({ outcome: "failed", taskName: "Before the outage" });
    await t.app.bus.emit("task.failed", before);
    await waitFor(async () => (await deliveries()).some((d) => d.eventId === before.id && d.status === "delivered"), {
      what: "first delivery",
      timeoutMs: 10_000,
    });

    await broker.stop();
    broker = undefined;
    const during = syntheticTaskEvent({ outcome: "failed", taskName: "During the outage" });
    await t.app.bus.emit("task.failed", during);
    // It is attempted and fails at least once while nothing listens on the port.
    await waitFor(async () => (await deliveries()).some((d) => d.eventId === during.id && d.attempts >= 2 && d.status === "pending"), {
      what: "failed attempts",
      timeoutMs: 15_000,
    });

    broker = await startBroker({ port });
    const got: string[] = [];
    sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: "outage-sub", reconnectPeriod: 0 });
    sub.on("message", (topic, payload) => {
      if (topic === "qliksense/task_failure") got.push(payload.toString());
    });
    await sub.subscribeAsync("qliksense/#", { qos: 1 });

    await waitFor(() => got.includes("During the outage"), { what: "the alert after the outage", timeoutMs: 20_000 });
    await waitFor(async () => (await deliveries()).some((d) => d.eventId === during.id && d.status === "delivered"), {
      what: "delivered status",
      timeoutMs: 5_000,
    });
    await Bun.sleep(1500);
    expect(got.filter((p) => p === "During the outage")).toHaveLength(1);
  }, 60_000);
});
