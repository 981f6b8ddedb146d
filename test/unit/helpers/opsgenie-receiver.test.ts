// The local Opsgenie and Jira Service Management the on-call tests and the chaos scenario send to refuse what the
// products' Alert API refuses: were they lenient, a malformed request from Steward would pass every test.
import { afterAll, expect, test } from "bun:test";
import { startOpsgenieReceiver } from "../../helpers/opsgenie-receiver";

const og = startOpsgenieReceiver("og-key");
const jsm = startOpsgenieReceiver("jsm-key", "/jsm/ops/integration");
afterAll(async () => {
  await og.stop();
  await jsm.stop();
});

const create = { message: "Reload failed: Sales", alias: "steward-incident-1", priority: "P2", source: "Steward" };
const send = (url: string, path: string, body: unknown, o: { key?: string; method?: string; type?: string } = {}) =>
  fetch(`${url}${path}`, {
    method: o.method ?? "POST",
    headers: { authorization: `GenieKey ${o.key ?? "og-key"}`, "content-type": o.type ?? "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

test("create, acknowledge and close by alias: 202 each, one alert, acknowledged then closed; JSM under its integration path", async () => {
  const answer = await send(og.url, "/v2/alerts", create);
  expect(answer.status).toBe(202);
  expect(await answer.json()).toMatchObject({ result: "Request will be processed" });
  expect((await send(og.url, "/v2/alerts/steward-incident-1/acknowledge?identifierType=alias", { source: "Steward", note: "anna" })).status).toBe(202);
  expect(og.alerts).toEqual([{ key: "steward-incident-1", incident: 1, status: "acknowledged", deduplicated: 0 }]);
  expect((await send(og.url, "/v2/alerts/steward-incident-1/close?identifierType=alias", {})).status).toBe(202);
  expect(og.alerts[0]!.status).toBe("resolved");
  const j = (path: string, body: unknown) => send(jsm.url, `/jsm/ops/integration${path}`, body, { key: "jsm-key" });
  expect((await j("/v2/alerts", create)).status).toBe(202);
  expect((await j("/v2/alerts/steward-incident-1/close?identifierType=alias", {})).status).toBe(202);
  expect(jsm.alerts).toEqual([{ key: "steward-incident-1", incident: 1, status: "resolved", deduplicated: 0 }]);
  expect([...og.rejected, ...jsm.rejected]).toEqual([]);
});

const close = "/v2/alerts/steward-incident-1/close?identifierType=alias";
const malformed: Array<[string, number, string, unknown, { key?: string; method?: string; type?: string }?]> = [
  ["another integration's key", 401, "/v2/alerts", create, { key: "someone-else" }],
  ["a create without message", 422, "/v2/alerts", { alias: "a" }],
  ["a message of 131 characters", 422, "/v2/alerts", { ...create, message: "m".repeat(131) }],
  ["an alias of 513 characters", 422, "/v2/alerts", { ...create, alias: "a".repeat(513) }],
  ["priority P6", 422, "/v2/alerts", { ...create, priority: "P6" }],
  ["21 tags", 422, "/v2/alerts", { ...create, tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
  ["details that are not strings", 422, "/v2/alerts", { ...create, details: { failures: 3 } }],
  ["a field the API does not have", 422, "/v2/alerts", { ...create, severity: "high" }],
  ["a body that is no JSON", 422, "/v2/alerts", "{message:"],
  ["Content-Type text/plain", 422, "/v2/alerts", create, { type: "text/plain" }],
  ["PUT", 422, "/v2/alerts", create, { method: "PUT" }],
  ["a close without identifierType=alias (read as an alert id)", 404, "/v2/alerts/steward-incident-1/close", {}],
  ["identifierType=tiny", 404, "/v2/alerts/steward-incident-1/close?identifierType=tiny", {}],
  ["an action the API does not have", 404, "/v2/alerts/steward-incident-1/resolve?identifierType=alias", {}],
  ["a close with a field the API does not have", 422, close, { reason: "ok" }],
  ["a note of 25001 characters", 422, close, { note: "n".repeat(25_001) }],
];

// Rows as objects: a callback taking more parameters than a row has is read by bun as waiting for a done callback.
test.each(malformed.map(([what, status, path, body, o]) => ({ what, status, path, body, o })))(
  "Opsgenie refuses $what ($status), keeps it out of the alerts",
  async ({ status, path, body, o }) => {
    const before = { accepted: og.accepted.length, rejected: og.rejected.length };
    expect((await send(og.url, path, body, o)).status).toBe(status);
    expect(og.rejected.length).toBe(before.rejected + 1);
    expect(og.accepted.length).toBe(before.accepted);
  },
);

test("JSM refuses the Opsgenie path without its integration prefix, and Opsgenie's key", async () => {
  expect((await send(jsm.url, "/v2/alerts", create, { key: "jsm-key" })).status).toBe(404);
  expect((await send(jsm.url, "/jsm/ops/integration/v2/alerts", create, { key: "og-key" })).status).toBe(401);
  expect(jsm.rejected.length).toBe(2);
});
