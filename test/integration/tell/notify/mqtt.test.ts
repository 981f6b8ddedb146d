// MQTT channel against a real Mosquitto: Butler's topics (task name, *_full JSON, service topics) and
// Steward's structured topics, received by a subscriber; test mode puts a prefix in front of every topic.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mqtt, { type MqttClient } from "mqtt";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { startMosquitto, type TestService } from "../../../helpers/services";
import { waitFor } from "../../../helpers/wait-for";
import { syntheticServiceEvent, syntheticTaskEvent } from "../../../../src/tell/notify/samples";

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
}

describe("mqtt channel", () => {
  let broker: TestService;
  let sub: MqttClient;
  const got: Received[] = [];
  let t: TestApp;

  beforeAll(async () => {
    broker = await startMosquitto();
    sub = await mqtt.connectAsync(broker.url, { clientId: "notify-test-sub" });
    sub.on("message", (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain, qos: packet.qos }));
    await sub.subscribeAsync(["qliksense/#", "steward/#", "test/#"], { qos: 1 });
    t = createTestApp(`
channels:
  bus: { type: mqtt, url: "${broker.url}", qos: 1 }
routes:
  - { on: [task.failed, task.aborted, task.succeeded, service.stopped, service.started], to: [bus] }
`);
    await t.app.start();
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await sub?.endAsync();
    await broker?.stop();
  });

  test("Butler's and structured topics for task and service events", async () => {
    const failed = syntheticTaskEvent({ outcome: "failed", taskName: "Sales reload" });
    const aborted = syntheticTaskEvent({ outcome: "aborted", taskName: "Aborted reload" });
    const ok = syntheticTaskEvent({ outcome: "succeeded", taskType: "distribute", taskName: "Distribute to cloud" });
    const svc = syntheticServiceEvent({ state: "stopped", host: "sense2.corp.example", service: "QlikSenseEngineService" });
    for (const e of [failed, aborted, ok]) await t.app.bus.emit(e.kind, e);
    await t.app.bus.emit("service.stopped", svc);
    await waitFor(() => got.length >= 9, { what: "9 messages", timeoutMs: 10_000 });
    await Bun.sleep(200);
    const by = (topic: string) => got.filter((m) => m.topic === topic);

    expect(by("qliksense/task_failure").map((m) => m.payload)).toEqual(["Sales reload"]);
    const full = JSON.parse(by("qliksense/task_failure_full")[0]!.payload);
    expect(full).toMatchObject({
      taskName: "Sales reload",
      taskId: failed.task.id,
      executionId: failed.executionId,
      hostName: "sense1.corp.example",
      qs_taskTags: ["Finance", "Nightly"],
    });
    // Butler's qs_taskMetadata: the QRS task object, in QRS's field names and shapes.
    expect(full.qs_taskMetadata).toMatchObject({
      id: failed.task.id,
      name: "Sales reload",
      taskType: 0,
      isManuallyTriggered: false,
      maxRetries: 0,
      operational: { nextExecution: "1753-01-01T00:00:00.000Z" },
      tags: [{ name: "Finance" }, { name: "Nightly" }],
      customProperties: failed.task.customProperties.map((cp) => ({ definition: { name: cp.name }, value: cp.value })),
    });
    for (const k of ["qs_appTags", "qs_appCustomProperties", "qs_taskCustomProperties", "appName", "appId", "logTimeStamp", "logLevel", "logMessage", "user"])
      expect(full).toHaveProperty(k);
    expect(JSON.parse(by("steward/sense1.corp.example/task/failed/reload")[0]!.payload).id).toBe(failed.id);

    expect(by("qliksense/task_aborted").map((m) => m.payload)).toEqual(["Aborted reload"]);
    expect(JSON.parse(by("qliksense/task_aborted_full")[0]!.payload).taskName).toBe("Aborted reload");
    expect(JSON.parse(by("steward/sense1.corp.example/task/aborted/reload")[0]!.payload).id).toBe(aborted.id);

    // Butler has no success topics; Steward's structured topic carries it.
    expect(JSON.parse(by("steward/sense1.corp.example/task/succeeded/distribute")[0]!.payload).task.name).toBe("Distribute to cloud");

    const butlerSvc = JSON.parse(by("qliksense/service_stopped/sense2.corp.example/QlikSenseEngineService")[0]!.payload);
    expect(butlerSvc).toMatchObject({ host: "sense2.corp.example", serviceName: "QlikSenseEngineService", serviceStatus: "STOPPED", prevState: "RUNNING" });
    // Butler's field names, which its receivers parse.
    expect(butlerSvc).toMatchObject({ serviceHost: "sense2.corp.example", servicePrevStatus: "RUNNING", serviceStatusChanged: true, serviceDependencies: [] });
    for (const k of ["serviceFriendlyName", "serviceDisplayName", "serviceStartType", "serviceExePath"]) expect(typeof butlerSvc[k]).toBe("string");
    expect(JSON.parse(by("steward/sense2.corp.example/service/stopped/QlikSenseEngineService")[0]!.payload).id).toBe(svc.id);

    expect(got.length).toBe(9);
    expect(got.every((m) => m.qos === 1 && !m.retain)).toBe(true);
    const delivered = (await (await t.request("/v4/deliveries?status=delivered")).json()) as { deliveries: unknown[] };
    expect(delivered.deliveries.length).toBe(4);
  });
});

describe("mqtt channel in test mode", () => {
  let broker: TestService;
  let sub: MqttClient;
  const got: Received[] = [];
  let t: TestApp;

  beforeAll(async () => {
    broker = await startMosquitto();
    sub = await mqtt.connectAsync(broker.url, { clientId: "notify-test-sub2" });
    sub.on("message", (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain, qos: packet.qos }));
    await sub.subscribeAsync("#", { qos: 1 });
    t = createTestApp(`
channels:
  bus: { type: mqtt, url: "${broker.url}", qos: 0, retain: true, testTarget: "test/", butlerTopics: { sendFull: false } }
routes:
  - { on: [task.failed], to: [bus] }
notify:
  testMode: { enabled: true }
`);
    await t.app.start();
  }, 30_000);
  afterAll(async () => {
    await t?.close();
    await sub?.endAsync();
    await broker?.stop();
  });

  test("every topic gets the test prefix; retain and QoS 0 as configured", async () => {
    await t.app.bus.emit("task.failed", syntheticTaskEvent({ outcome: "failed", taskName: "T1" }));
    await waitFor(() => got.length >= 2, { what: "2 messages" });
    await Bun.sleep(200);
    expect(got.map((m) => m.topic).sort()).toEqual(["test/qliksense/task_failure", "test/steward/sense1.corp.example/task/failed/reload"]);
    // Retained messages reach a subscriber that arrives later (with the retain flag set).
    const late = await mqtt.connectAsync(broker.url, { clientId: "notify-test-late" });
    const retained: Received[] = [];
    late.on("message", (topic, payload, packet) => retained.push({ topic, payload: payload.toString(), retain: packet.retain, qos: packet.qos }));
    await late.subscribeAsync("test/#");
    try {
      await waitFor(() => retained.length >= 2, { what: "2 retained messages" });
      expect(retained.every((m) => m.retain)).toBe(true);
    } finally {
      await late.endAsync();
    }
  });
});
