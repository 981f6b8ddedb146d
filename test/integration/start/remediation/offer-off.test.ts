// remediation.offer: false refuses every action alike, on every path (issue 87): the four REST calls answer 409 with
// JSON naming remediation.offer, a confirmed link of each action gets a page saying why (and starts nothing), and each
// MCP tool answers an error with the same reason. Before, the retry and the re-run of the queue's cancelled runs were
// still carried out over REST, their links and MCP; only the reload and the chain's start were refused.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createLinkStore } from "../../../../src/tell/ack-links/link-store";
import { type LinkParams, linkQuery, newNonce, signLink } from "../../../../src/tell/ack-links/signature";
import { connectionErrorSite } from "../../../helpers/connection-error-site";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { startHarness, type Harness } from "../../hear/intake/harness";

const TASK = "0ff00000-0000-4000-8000-000000000001";
const KEY = generateApiKey();
const WHY = "remediation.offer is false";

let dir: TempDir;
let h: Harness;
let client: Client | undefined;
let incidentId = 0;

beforeAll(async () => {
  dir = createTempDir("steward-remedy-offer-off-");
  h = await startHarness({
    dir: dir.path,
    site: connectionErrorSite("Remediation not offered", TASK),
    engine: true,
    extraYaml: `
remediation: { offer: false, pollInterval: 200ms }
actionLinks: { publicBaseUrl: "https://steward.corp.example" }
mcp: { enabled: true, allowActions: [retryIncident, rerunCancelled, reloadApp, restartChain] }
security:
  apiKeys:
    - { name: key-ops, hash: "${hashApiKey(KEY)}", scopes: [tasks, read] }
`,
  });
  const e = await h.eventFor(await h.runWhenIdle(TASK, "fail"), 15_000);
  expect(e.errorClass).toBe("connection");
  incidentId = e.incident!.id;
}, 60_000);
afterAll(async () => {
  await client?.close();
  await h?.close();
  dir?.remove();
});

const starts = () => h.sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${TASK}/start`)).length;
const post = (path: string, body: unknown) =>
  h.t.request(path, { method: "POST", headers: { "x-api-key": KEY, "content-type": "application/json" }, body: JSON.stringify(body) });
const actions = async () =>
  ((await (await h.t.request(`/v4/incidents/${incidentId}/actions`, { headers: { "x-api-key": KEY } })).json()) as { actions: unknown[] }).actions;

test("REST: retry, re-run, reload and chain are each refused with 409 naming remediation.offer; nothing is recorded or started", async () => {
  const before = starts();
  for (const [path, body] of [
    [`/v4/incidents/${incidentId}/retry`, { inMinutes: 0 }],
    ["/v4/causes/1/rerun-cancelled", {}],
    [`/v4/incidents/${incidentId}/reload-app`, {}],
    [`/v4/incidents/${incidentId}/restart-chain`, { taskId: TASK }],
  ] as const) {
    const res = await post(path, body);
    expect({ path, status: res.status }).toEqual({ path, status: 409 });
    const json = (await res.json()) as { code: string; message: string; details?: { field?: string } };
    expect(json.code).toBe("CONFLICT");
    expect(json.message).toContain(WHY);
    expect(json.details?.field).toBe("id");
  }
  expect(await actions()).toEqual([]);
  expect(starts()).toBe(before);
});

test("links: a confirmed retry, re-run or reload link shows a page saying remediation is not offered, and acts on nothing", async () => {
  const now = Date.now();
  const { secret } = await createLinkStore(h.t.app.sharedStore.sql).key(now);
  const before = starts();
  const reloadsBefore = h.sim.engine.reloads.length;
  const forms: Array<[LinkParams, Record<string, string>]> = [
    [{ incidentId, action: "retry", recipient: "anna@corp.example", expiresAt: now + 600_000, nonce: newNonce() }, { retry: "0" }],
    [{ incidentId: 1, target: "cause", action: "rerun", recipient: "anna@corp.example", expiresAt: now + 600_000, nonce: newNonce() }, {}],
    [{ incidentId, action: "reload", recipient: "anna@corp.example", expiresAt: now + 600_000, nonce: newNonce() }, {}],
  ];
  for (const [p, form] of forms) {
    const path = `/act/${p.target ?? "incident"}/${p.incidentId}?${linkQuery(p, signLink(secret, p))}`;
    const res = await h.t.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost" },
      body: new URLSearchParams(form).toString(),
    });
    const page = await res.text();
    expect({ action: p.action, status: res.status }).toEqual({ action: p.action, status: 409 });
    expect(page).toContain(WHY);
  }
  expect(await actions()).toEqual([]);
  expect(starts()).toBe(before);
  expect(h.sim.engine.reloads.length).toBe(reloadsBefore);
  // The audit has each refused confirmation, failed, with the reason.
  const audit = (await (await h.t.request("/v4/audit?limit=50", { headers: { "x-api-key": KEY } })).json()) as {
    entries: Array<{ action: string; result: string; details?: { message?: string } }>;
  };
  const refused = audit.entries.filter((x) => ["incident.retry", "cause.rerun", "incident.reload"].includes(x.action));
  expect(refused.map((x) => x.result).sort()).toEqual(["failed", "failed", "failed"]);
  for (const x of refused) expect(x.details?.message).toContain(WHY);
});

test("MCP: each remediation tool answers an error naming remediation.offer", async () => {
  client = new Client({ name: "steward-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${h.t.app.server!.url().replace(/\/$/, "")}/mcp`), { requestInit: { headers: { "x-api-key": KEY } } }),
  );
  for (const [name, args] of [
    ["retry_incident", { id: incidentId }],
    ["rerun_cancelled", { causeId: 1 }],
    ["reload_incident_app", { id: incidentId }],
    ["restart_chain", { id: incidentId, taskId: TASK }],
  ] as const) {
    const a = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ text?: string }> };
    expect({ name, isError: a.isError }).toEqual({ name, isError: true });
    expect(a.content[0]?.text).toContain(WHY);
  }
  expect(await actions()).toEqual([]);
});
