// Direct starts under the two-person rule (issue 103, remediation.approval.directStarts: two-person), against the
// simulator and a real Mosquitto. Butler's POST /v4/reloadtask/{id}/start by one key starts nothing: 202 with the
// action waiting for a second person and where to confirm it; the same key again is refused (403); a second key's
// same start confirms it and the task starts once. A keyless call never counts as one of the two. A start by tag
// cannot be held for a second person and is refused with a reason. An MQTT start is refused, answered on the reply
// topic and audited, as a topic names no verified person.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createTestApp } from "../../../helpers/app";
import { intakeYaml } from "../../hear/intake/harness";
import mqtt from "mqtt";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { freeTcpPort } from "../../../helpers/free-port";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { type Harness, startHarness } from "../../hear/intake/harness";
import { type Broker, startBroker } from "../../start/control/mosquitto";

const TASK = "d1ec0000-0000-4000-8000-000000000001";
const SITE = `
site: { name: Direct start site }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true }
tags: [nightly]
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: Sales, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${TASK}, name: Reload Sales, type: reload, app: Sales, maxRetries: 0, tags: [nightly] }
`;
const KEYS = { admin: generateApiKey(), anna: generateApiKey(), bob: generateApiKey() };

let dir: TempDir;
let broker: Broker;
let port: number;
let h: Harness;
let sub: mqtt.MqttClient;
const replies: string[] = [];

const as = (key: string | undefined, init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}), ...(init.headers as Record<string, string>) },
});
const start = (key: string | undefined, path = `/v4/reloadtask/${TASK}/start`, body?: unknown) =>
  h.t.request(path, as(key, { method: "POST", ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
const starts = () => h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${TASK}/start`)).length;
const audit = async (action: string) => {
  await h.t.app.audit.flush();
  const r = await h.t.request(`/v4/audit?action=${action}&limit=50`, as(KEYS.admin));
  return ((await r.json()) as { entries: Array<{ actor: { kind: string; name: string }; result: string; details: Record<string, unknown> }> }).entries;
};

beforeAll(async () => {
  dir = createTempDir("steward-direct-two-");
  port = await freeTcpPort();
  broker = await startBroker({ port });
  h = await startHarness({
    dir: dir.path,
    site: SITE,
    extraYaml: `
mqtt:
  url: mqtt://127.0.0.1:${port}
  taskStart: { topic: qliksense/start_task }
remediation:
  pollInterval: 1s
  approval: { directStarts: two-person }
security:
  apiKeys:
    - { name: key-admin, hash: "${hashApiKey(KEYS.admin)}", scopes: [admin] }
    - { name: key-anna, hash: "${hashApiKey(KEYS.anna)}", scopes: [tasks], person: anna@corp.example }
    - { name: key-bob, hash: "${hashApiKey(KEYS.bob)}", scopes: [tasks], person: bob@corp.example }
`,
  });
  sub = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  sub.on("message", (_t, p) => replies.push(p.toString("utf8")));
  await sub.subscribeAsync("qliksense/start_task/result", { qos: 1 });
}, 60_000);
afterAll(async () => {
  await sub?.endAsync(true);
  await h?.close();
  await broker?.stop();
  dir?.remove();
});

test("a direct start waits for a second person: 202 with the action, 403 for the same person, a second key starts it once", async () => {
  const first = await start(KEYS.anna);
  expect(first.status).toBe(202);
  const held = (await first.json()) as {
    tasksStarted: unknown[];
    totalTasksStarted: number;
    awaiting: boolean;
    action: { id: number; status: string; kind: string; taskName: string };
    confirm: string;
    message: string;
  };
  expect(held).toMatchObject({
    tasksStarted: [],
    totalTasksStarted: 0,
    awaiting: true,
    action: { status: "awaiting", kind: "start", taskName: "Reload Sales" },
  });
  expect(held.confirm).toBe(`/v4/remediation/actions/${held.action.id}/confirm`);
  expect(held.message).toContain("nothing was started");
  await h.t.app.remediation?.lookNow();
  expect(starts()).toBe(0);

  // The same person again (the same key), and a call without a key: neither is the second person.
  const again = await start(KEYS.anna);
  expect(again.status).toBe(403);
  expect(await again.json()).toMatchObject({ code: "FORBIDDEN", details: { field: "approval" } });
  const keyless = await h.t.request(held.confirm, { method: "POST" });
  expect(keyless.status).toBe(403);
  expect(((await keyless.json()) as { error: string }).error).toContain("counts verified people only");
  expect(starts()).toBe(0);

  // Bob asks for the same start: it confirms Anna's, and one Steward starts the task once.
  const second = await start(KEYS.bob);
  expect(second.status).toBe(202);
  expect(await second.json()).toMatchObject({ awaiting: false, confirmed: { firstBy: "key-anna (person:anna@corp.example)" } });
  await waitFor(() => starts() === 1, { what: "the confirmed start to reach QRS" });
  const confirms = await audit("remediation.confirm");
  expect(confirms.map((e) => e.result).sort()).toEqual(["denied", "denied", "ok"]);
});

test("a start by tag cannot be held for a second person: 409 naming why, nothing started", async () => {
  const before = starts();
  const r = await start(KEYS.anna, "/v4/reloadtask/-/start", [{ type: "starttasktag", payload: { tag: "nightly" } }]);
  expect(r.status).toBe(409);
  expect(await r.json()).toMatchObject({ code: "CONFLICT", details: { field: "taskId" } });
  expect(starts()).toBe(before);
});

test("an MQTT start is refused under the rule: answered on the reply topic, logged and audited", async () => {
  await waitFor(async () => ((await (await h.t.request("/ready")).json()) as { components: Record<string, { ok: boolean }> }).components.mqtt?.ok, {
    what: "mqtt connected",
  });
  const before = starts();
  await sub.publishAsync("qliksense/start_task", TASK, { qos: 1 });
  await waitFor(() => replies.length > 0, { what: "the reply to the MQTT start" });
  const reply = JSON.parse(replies[0]!) as { code: string; error: string };
  expect(reply.code).toBe("FORBIDDEN");
  expect(reply.error).toContain("an MQTT message names none");
  const denied = (await audit("task.start")).filter((e) => e.actor.kind === "mqtt");
  expect(denied).toHaveLength(1);
  expect(denied[0]).toMatchObject({ result: "denied", actor: { name: "qliksense/start_task" } });
  expect(starts()).toBe(before);
});

test("with incidents off, the rule is kept by refusing direct starts (403), never by starting them unheld", async () => {
  const off = createTestApp(
    intakeYaml(
      h.sim,
      {},
      `
incidents: { enabled: false }
remediation:
  approval: { directStarts: two-person }
security:
  apiKeys:
    - { name: key-anna, hash: "${hashApiKey(KEYS.anna)}", scopes: [tasks], person: anna@corp.example }
`,
    ),
    { dir: join(dir.path, "incidents-off") },
  );
  try {
    await off.app.start();
    const before = starts();
    const r = await off.request(`/v4/reloadtask/${TASK}/start`, as(KEYS.anna, { method: "POST" }));
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: string }).error).toContain("incidents are off");
    expect(starts()).toBe(before);
  } finally {
    await off.close();
  }
});
