// The start allowlist on all four start paths — REST, MQTT, the scheduler (TaskStarter with origin schedule)
// and tasks chained after an app reload — plus MQTT starts by plain task id and by JSON body (seeds 000, 001).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mqtt, { type MqttClient } from "mqtt";
import type { ReloadJob } from "../../../../src/start/control/reload-jobs";
import type { StartResponse } from "../../../../src/start/control/start-response";
import { freeTcpPort } from "../../../helpers/free-port";
import { waitFor } from "../../../helpers/wait-for";
import { startBroker, type Broker } from "./mosquitto";
import { A, startHarness, T, type Harness } from "./harness";

let h: Harness;
let broker: Broker;
let sub: MqttClient;
const replies: Array<StartResponse & { request: string; error?: string }> = [];

beforeAll(async () => {
  const port = await freeTcpPort();
  broker = await startBroker({ port });
  // Allowed: one id, one tag (the preload task carries it), one custom property value (the external program).
  h = await startHarness(
    `  startTaskFilter:\n    enabled: true\n    taskIds: [${T.allowedById}]\n    tags: [allowed-tag]\n    customProperties: [{ name: taskGroup, value: ops }]\n` +
      `mqtt:\n  url: mqtt://127.0.0.1:${port}\n  taskStart: { topic: qliksense/start_task, replyTopic: qliksense/start_task/reply }\n`,
  );
  await waitFor(async () => ((await h.json<{ components: { mqtt?: { ok: boolean } } }>("/ready")).body.components.mqtt?.ok ? true : undefined), {
    what: "mqtt connected",
  });
  sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  sub.on("message", (_t, p) => replies.push(JSON.parse(p.toString("utf8"))));
  await sub.subscribeAsync("qliksense/start_task/reply", { qos: 1 });
}, 30_000);

afterAll(async () => {
  await sub?.endAsync(true);
  await h?.close();
  await broker?.stop();
});

const sorted = (xs: string[]) => [...xs].sort();

async function mqttStart(payload: string): Promise<StartResponse & { request: string; error?: string }> {
  const before = replies.length;
  await sub.publishAsync("qliksense/start_task", payload, { qos: 1 });
  await waitFor(() => replies.length > before, { what: "MQTT reply" });
  return replies[before]!;
}

describe("REST", () => {
  test("additive lists: allowed by id, by tag and by custom property however requested; the rest denied", async () => {
    const seq = h.lastSeq();
    const r = await h.json<StartResponse>("/v4/reloadtask/-/start", {
      method: "POST",
      // salesReload: requested by id, not allowed. extract: requested by id, allowed through its custom property.
      body: JSON.stringify({ taskId: [T.allowedById, T.salesReload, T.extract], tag: ["allowed-tag", "nightly"] }),
    });
    expect(r.status).toBe(200);
    expect(sorted(r.body.tasksStarted.map((s) => s.taskId))).toEqual(sorted([T.allowedById, T.extract, T.preload]));
    expect(sorted(r.body.tasksDenied.map((d) => d.taskId))).toEqual(sorted([T.salesReload, T.adSync]));
    expect(r.body.tasksId.denied).toEqual([{ taskId: T.salesReload, taskName: "Reload Sales" }]);
    expect(sorted(r.body.tasksTagDenied.map((d) => `${d.tag}:${d.taskId}`))).toEqual(sorted([`nightly:${T.salesReload}`, `nightly:${T.adSync}`]));
    expect(r.body.tasksDenied[0]!.reason).toContain("not on the start allowlist");
    expect(sorted(h.startedInSim(seq))).toEqual(sorted([T.allowedById, T.extract, T.preload]));
  });
});

describe("MQTT", () => {
  test("a plain task id (seed 001): allowed starts, not allowed is denied; the result is on the reply topic", async () => {
    const seq = h.lastSeq();
    const ok = await mqttStart(T.allowedById);
    expect(ok.request).toBe(T.allowedById);
    expect(ok.tasksStarted).toEqual([expect.objectContaining({ taskId: T.allowedById, status: "started" })]);
    const denied = await mqttStart(`  ${T.salesReload}\n`);
    expect(denied.totalTasksStarted).toBe(0);
    expect(denied.tasksDenied.map((d) => d.taskId)).toEqual([T.salesReload]);
    expect(h.startedInSim(seq)).toEqual([T.allowedById]);
  });

  test("a JSON body (seed 000 form and Butler's array form)", async () => {
    const seq = h.lastSeq();
    const a = await mqttStart(JSON.stringify({ customProperty: [{ name: "taskGroup", value: "ops" }] }));
    expect(a.tasksCP).toEqual([{ taskId: T.extract, taskName: "Run extract", name: "taskGroup", value: "ops" }]);
    const b = await mqttStart(JSON.stringify([{ type: "starttasktag", payload: { tag: "etl" } }]));
    expect(b.tasksTag.map((x) => x.taskId)).toEqual([T.extract]);
    expect(sorted(b.tasksTagDenied.map((x) => x.taskId))).toEqual(sorted([T.salesReload, T.financeReload, T.distribute]));
    expect(h.startedInSim(seq)).toEqual([T.extract, T.extract]);
  });

  test("a burst of messages is worked through (a few at a time), every one answered", async () => {
    const before = replies.length;
    await Promise.all(Array.from({ length: 30 }, () => sub.publishAsync("qliksense/start_task", T.allowedById, { qos: 1 })));
    await waitFor(() => replies.length >= before + 30, { what: "30 replies", timeoutMs: 20_000 });
    expect(replies.slice(before).every((r) => r.request === T.allowedById && r.error === undefined)).toBe(true);
  }, 30_000);

  test("MQTT starts are audited as mqtt with the topic", async () => {
    const r = await h.json<{ entries: Array<{ actor: { kind: string; name: string }; result: string; target: string }> }>(
      "/v4/audit?actorKind=mqtt&action=task.start",
    );
    expect(r.body.entries.length).toBeGreaterThanOrEqual(3);
    expect(r.body.entries.every((e) => e.actor.name === "qliksense/start_task")).toBe(true);
    expect(r.body.entries.map((e) => `${e.target}:${e.result}`)).toContain(`${T.salesReload}:denied`);
  });
});

describe("scheduler (the TaskStarter the scheduler uses)", () => {
  test("origin schedule: denied tasks are not started and the audit names the schedule", async () => {
    const seq = h.lastSeq();
    const report = await h.t.app.taskStarter.start({ taskIds: [T.salesReload, T.allowedById] }, { kind: "schedule", name: "sched-hourly-3to15" });
    expect(report.started.map((s) => s.taskId)).toEqual([T.allowedById]);
    expect(report.denied.map((d) => d.taskId)).toEqual([T.salesReload]);
    expect(h.startedInSim(seq)).toEqual([T.allowedById]);
    const audit = await h.json<{ entries: Array<{ actor: { kind: string; name: string }; target: string; result: string }> }>("/v4/audit?actorKind=schedule");
    expect(audit.body.entries.map((e) => `${e.actor.name}:${e.target}:${e.result}`).sort()).toEqual(
      [`sched-hourly-3to15:${T.allowedById}:ok`, `sched-hourly-3to15:${T.salesReload}:denied`].sort(),
    );
  });
});

describe("chained starts after an app reload", () => {
  test("on success: the allowed chained task starts, the other is denied", async () => {
    const seq = h.lastSeq();
    const put = await h.json<ReloadJob>(`/v4/app/${A.finance}/reload`, {
      method: "PUT",
      body: JSON.stringify({ startQSEoWTaskOnSuccess: [T.onSuccess, T.preload] }),
    });
    expect(put.status).toBe(201);
    const done = await waitFor(
      async () => {
        const r = await h.json<ReloadJob>(`/v4/app/reloads/${put.body.jobId}`);
        return r.body.phase === "done" ? r.body : undefined;
      },
      { what: "reload job", timeoutMs: 20_000 },
    );
    expect(done.status).toBe("succeeded");
    expect(done.chained?.started.map((s) => s.taskId)).toEqual([T.preload]);
    expect(done.chained?.denied.map((d) => d.taskId)).toEqual([T.onSuccess]);
    expect(h.startedInSim(seq)).toEqual([T.preload]);
    const audit = await h.json<{ entries: Array<{ actor: { kind: string }; target: string; result: string }> }>(
      `/v4/audit?actorKind=chain&target=${T.onSuccess}`,
    );
    expect(audit.body.entries[0]).toMatchObject({ result: "denied" });
  }, 30_000);
});
