// The assistant asks for a retry or a re-run (issue 87) only when the admin allows it, through the real MCP client:
// without retryIncident in mcp.allowActions, retry_incident is not listed and a call is refused saying which entry
// would allow it; with it, against the simulator, a connection error's incident is retried (Steward starts the task
// once, it heals, the incident's actions name the key) while a read key is refused for the scope; rerun_cancelled on a
// cause that is not a queue's answers Steward's own 409 reason.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startHarness, type Harness } from "../../hear/intake/harness";
import { connectionErrorSite } from "../../../helpers/connection-error-site";

const TASK = "d3b20000-0000-4000-8000-000000000001";
const SITE = connectionErrorSite("Retry from the assistant", TASK);
const KEYS = { ops: generateApiKey(), reader: generateApiKey() };
const KEYS_YAML = `security:
  apiKeys:
    - { name: key-ops, hash: "${hashApiKey(KEYS.ops)}", scopes: [tasks, read] }
    - { name: key-read, hash: "${hashApiKey(KEYS.reader)}", scopes: [read] }
`;

let dir: TempDir;
let h: Harness;
let off: TestApp;
const clients: Client[] = [];

async function connect(base: string, key: string): Promise<Client> {
  const client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base.replace(/\/$/, "")}/mcp`), { requestInit: { headers: { "x-api-key": key } } }));
  clients.push(client);
  return client;
}

beforeAll(async () => {
  dir = createTempDir("steward-mcp-remedy-");
  off = createTestApp(`${KEYS_YAML}mcp: { enabled: true, allowActions: [startTask] }\n`);
  await off.app.start();
  h = await startHarness({
    dir: dir.path,
    site: SITE,
    engine: true,
    extraYaml: `
remediation: { pollInterval: 1s }
mcp: { enabled: true, allowActions: [retryIncident, rerunCancelled, reloadApp, restartChain] }
${KEYS_YAML}`,
  });
}, 60_000);
afterAll(async () => {
  for (const c of clients) await c.close();
  await off?.close();
  await h?.close();
  dir?.remove();
});

type Answer = { isError?: boolean; content: Array<{ text?: string }> };

test("not allowed: retry_incident and rerun_cancelled are not listed, and a call is refused naming the config entry", async () => {
  const client = await connect(off.app.server!.url(), KEYS.ops);
  const names = (await client.listTools()).tools.map((x) => x.name);
  expect(names).not.toContain("retry_incident");
  expect(names).not.toContain("rerun_cancelled");
  await expect(client.callTool({ name: "retry_incident", arguments: { id: 1 } })).rejects.toThrow(
    "is an action this Steward does not allow: its config's mcp.allowActions must list retryIncident",
  );
  await expect(client.callTool({ name: "rerun_cancelled", arguments: { causeId: 1 } })).rejects.toThrow("must list rerunCancelled");
  expect(names).not.toContain("reload_incident_app");
  expect(names).not.toContain("restart_chain");
  await expect(client.callTool({ name: "reload_incident_app", arguments: { id: 1 } })).rejects.toThrow("must list reloadApp");
  await expect(client.callTool({ name: "restart_chain", arguments: { id: 1, taskId: TASK } })).rejects.toThrow("must list restartChain");
});

test("allowed: a tasks key retries a connection error's incident once; a read key is refused", { timeout: 60_000 }, async () => {
  const e = await h.eventFor(await h.runWhenIdle(TASK, "fail"), 15_000);
  expect(e.errorClass).toBe("connection");
  const id = e.incident!.id;
  const reader = await connect(h.t.app.server!.url(), KEYS.reader);
  const refused = (await reader.callTool({ name: "retry_incident", arguments: { id } })) as Answer;
  expect(refused.isError).toBe(true);
  expect(refused.content[0]?.text).toContain('refused: key-read lacks the scope "tasks" that retry_incident needs');

  const ops = await connect(h.t.app.server!.url(), KEYS.ops);
  const done = (await ops.callTool({ name: "retry_incident", arguments: { id } })) as Answer;
  expect(done.isError).toBeFalsy();
  const actions = async () =>
    ((await (await h.t.request(`/v4/incidents/${id}/actions`, { headers: { "x-api-key": KEYS.ops } })).json()) as { actions: Array<Record<string, unknown>> })
      .actions;
  await waitFor(async () => (await actions())[0]?.status === "ended", { what: "the retry's run to end", timeoutMs: 30_000 });
  expect(await actions()).toEqual([expect.objectContaining({ kind: "retry", requestedBy: "key-ops", outcome: "succeeded" })]);
  expect(h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${TASK}/start`))).toHaveLength(1);

  // A cause that is not a node's queue: Steward's own reason comes back, nothing is asked for.
  const notQueue = (await ops.callTool({ name: "rerun_cancelled", arguments: { causeId: 999 } })) as Answer;
  expect(notQueue.isError).toBe(true);
  expect(notQueue.content[0]?.text).toContain("no cause 999");
});

test("allowed: a tasks key reloads an incident's app through the Engine once; a read key is refused; a task in no chain is not restarted", {
  timeout: 60_000,
}, async () => {
  const e = await h.eventFor(await h.runWhenIdle(TASK, "fail"), 15_000);
  const id = e.incident!.id;
  const appId = e.app!.id;
  const reader = await connect(h.t.app.server!.url(), KEYS.reader);
  const refused = (await reader.callTool({ name: "reload_incident_app", arguments: { id } })) as Answer;
  expect(refused.content[0]?.text).toContain('refused: key-read lacks the scope "tasks" that reload_incident_app needs');
  expect(((await reader.callTool({ name: "restart_chain", arguments: { id, taskId: TASK } })) as Answer).isError).toBe(true);

  const ops = await connect(h.t.app.server!.url(), KEYS.ops);
  const done = (await ops.callTool({ name: "reload_incident_app", arguments: { id } })) as Answer;
  expect(done.isError).toBeFalsy();
  const actions = async () =>
    ((await (await h.t.request(`/v4/incidents/${id}/actions`, { headers: { "x-api-key": KEYS.ops } })).json()) as { actions: Array<Record<string, unknown>> })
      .actions;
  await waitFor(async () => (await actions())[0]?.status === "ended", { what: "the Engine reload to end", timeoutMs: 30_000 });
  expect(await actions()).toEqual([expect.objectContaining({ kind: "reload", requestedBy: "key-ops", outcome: "succeeded" })]);
  expect(h.sim.engine.reloads.filter((r) => r.appId === appId).map((r) => r.status)).toEqual(["succeeded"]);

  // The task is in no chain: Steward's own 409 reason comes back, nothing is started; the refusal is on the incident,
  // told where its page went (refusals at asking, docs/remediation.md).
  const noChain = (await ops.callTool({ name: "restart_chain", arguments: { id, taskId: TASK } })) as Answer;
  expect(noChain.isError).toBe(true);
  expect(noChain.content[0]?.text).toContain("is in no chain Steward knows");
  expect((await actions()).map((a) => [a.kind, a.status, a.outcome])).toEqual([
    ["reload", "ended", "succeeded"],
    ["chain", "failed", "refused when asked"],
  ]);
});
