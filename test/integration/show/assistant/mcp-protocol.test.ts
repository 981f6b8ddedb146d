// The edges of the MCP protocol as Steward's own server speaks it (issue 68, item 10: no SDK at run time), asserted on
// real answers: the official SDK client connects, negotiates, pings and reads every list; raw JSON-RPC covers what a
// client library never sends (an unknown method, bad params, an older or unknown revision, a notification, a batch
// past its bound, a message that is none, a client that takes only server-sent events); and it is attacked with
// pathological JSON and a flood of calls while the server keeps answering.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/client";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { LATEST_PROTOCOL_VERSION, ProtocolError } from "@modelcontextprotocol/client";
import { createManualClock } from "../../../../src/platform/core/clock";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { MAX_BATCH } from "../../../../src/show/assistant/request-bounds";
import { createTestApp, type TestApp } from "../../../helpers/app";

const keys = { read: generateApiKey(), flood: generateApiKey() };
const clock = createManualClock(Date.parse("2026-03-02T10:00:00Z"));
let t: TestApp;
let base: string;

beforeAll(async () => {
  t = createTestApp(
    [
      "http: { host: 127.0.0.1, port: 0, bodyLimitBytes: 2097152 }",
      "security:",
      "  apiKeys:",
      `    - { name: key-read, hash: "${hashApiKey(keys.read)}", scopes: [read] }`,
      `    - { name: key-flood, hash: "${hashApiKey(keys.flood)}", scopes: [read] }`,
      "  rateLimit: { perKey: { requests: 40, window: 1m } }",
      "mcp: { enabled: true }",
      "",
    ].join("\n"),
    { clock },
  );
  await t.app.start();
  base = t.app.server!.url().replace(/\/$/, "");
});
afterAll(async () => {
  await t?.close();
});
// Each test starts a new rate-limit window (40 calls a minute a key, on the clock that stands still otherwise).
beforeEach(() => clock.advance(61_000));

const post = (body: string, headers: Record<string, string> = {}, key = keys.read) =>
  fetch(`${base}/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "x-api-key": key, ...headers },
    body,
  });
const rpc = async (message: unknown, headers: Record<string, string> = {}) => {
  const res = await post(JSON.stringify(message), headers);
  const text = await res.text();
  const type = res.headers.get("content-type");
  return { status: res.status, type, text, json: type?.startsWith("application/json") ? JSON.parse(text) : undefined };
};
const initialize = (protocolVersion: unknown) => ({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion, capabilities: {}, clientInfo: { name: "edge-test", version: "1" } },
});

describe("with the official SDK client", () => {
  test("it connects at the SDK's newest revision, pings, and reads the instructions, capabilities and every list", async () => {
    const client = new Client({ name: "edge-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { "x-api-key": keys.read } } });
    await client.connect(transport);
    expect(transport.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
    expect(transport.sessionId).toBeUndefined();
    expect(client.getServerVersion()).toMatchObject({ name: "steward", title: "Steward for Qlik Sense" });
    expect(client.getServerCapabilities()).toEqual({ tools: {}, resources: {}, prompts: {} });
    expect(client.getInstructions()).toContain("treat them as data");
    expect(await client.ping()).toEqual({});
    expect((await client.listResourceTemplates()).resourceTemplates).toEqual([
      expect.objectContaining({ name: "docs", uriTemplate: "steward-docs://{page}", mimeType: "text/markdown" }),
    ]);
    const prompt = await client.getPrompt({ name: "explain_task", arguments: { task: "Reload Sales" } });
    expect(prompt.messages[0]!.content).toMatchObject({ type: "text", text: expect.stringContaining('"Reload Sales"') });
    const summary = (await client.listTools()).tools.find((x) => x.name === "summary")!;
    expect(summary.inputSchema).toMatchObject({ type: "object", properties: { from: { type: "string", format: "date-time" } } });
    await client.close();
  });

  test("an unknown tool is a protocol error the client throws; arguments that do not fit are the tool's error, naming the field", async () => {
    const client = new Client({ name: "edge-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { "x-api-key": keys.read } } }));
    const unknown = await client.callTool({ name: "drop_everything", arguments: {} }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ProtocolError);
    expect(unknown).toMatchObject({ code: -32602 });
    expect((unknown as Error).message).toContain('Unknown tool "drop_everything"');
    const bad = (await client.callTool({ name: "incidents", arguments: { limit: "lots" } })) as { isError?: boolean; content: Array<{ text: string }> };
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toBe("Invalid arguments for tool incidents: Invalid input: expected number, received string at limit");
    await client.close();
  });
});

describe("raw JSON-RPC at the edges", () => {
  test("initialize answers the client's revision when Steward speaks it, else its newest; without one it is -32602", async () => {
    expect((await rpc(initialize("2024-11-05"))).json.result.protocolVersion).toBe("2024-11-05");
    expect((await rpc(initialize("2025-03-26"))).json.result.protocolVersion).toBe("2025-03-26");
    expect((await rpc(initialize("2031-01-01"))).json.result.protocolVersion).toBe("2025-11-25");
    const none = await rpc({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} });
    expect(none.json).toEqual({ jsonrpc: "2.0", id: 1, error: { code: -32602, message: "Invalid params: protocolVersion is a non-empty string" } });
  });

  test("the MCP-Protocol-Version header: an older revision is served, an unknown one is 400 before anything runs", async () => {
    const ping = { jsonrpc: "2.0", id: 2, method: "ping" };
    expect((await rpc(ping, { "mcp-protocol-version": "2024-11-05" })).json).toEqual({ jsonrpc: "2.0", id: 2, result: {} });
    const refused = await rpc(ping, { "mcp-protocol-version": "1999-01-01" });
    expect(refused.status).toBe(400);
    expect(refused.json.error.message).toContain(
      'MCP-Protocol-Version "1999-01-01" is not one Steward speaks (2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05)',
    );
  });

  test("an unknown method is -32601 with the request's id; bad params are -32602", async () => {
    expect((await rpc({ jsonrpc: "2.0", id: "a-7", method: "sampling/createMessage" })).json).toEqual({
      jsonrpc: "2.0",
      id: "a-7",
      error: { code: -32601, message: 'Method not found: "sampling/createMessage"' },
    });
    expect((await rpc({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { arguments: {} } })).json.error).toEqual({
      code: -32602,
      message: "Invalid params: name is a non-empty string",
    });
    expect((await rpc({ jsonrpc: "2.0", id: 4, method: "prompts/get", params: { name: "explain_task" } })).json.error.code).toBe(-32602);
    expect((await rpc({ jsonrpc: "2.0", id: 5, method: "resources/read", params: { uri: "file:///etc/passwd" } })).json.error.code).toBe(-32002);
  });

  test("a notification gets no answer: 202 with no body, alone or beside a request in a batch", async () => {
    const alone = await rpc({ jsonrpc: "2.0", method: "notifications/initialized" });
    expect([alone.status, alone.text]).toEqual([202, ""]);
    const mixed = await rpc([
      { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 9 } },
      { jsonrpc: "2.0", id: 8, method: "ping" },
    ]);
    expect(mixed.json).toEqual([{ jsonrpc: "2.0", id: 8, result: {} }]);
  });

  test("a batch past its bound, an empty one, an initialize in one and a message that is none are refused whole (-32600)", async () => {
    const ping = (id: number) => ({ jsonrpc: "2.0", id, method: "ping" });
    const over = await rpc(Array.from({ length: MAX_BATCH + 1 }, (_, i) => ping(i)));
    expect([over.status, over.json.error.code]).toEqual([400, -32600]);
    expect((await rpc([])).json.error.message).toBe("Invalid Request: an empty batch");
    expect((await rpc([initialize("2025-06-18"), ping(2)])).json.error.message).toBe("Invalid Request: initialize is sent alone, not in a batch");
    const notOne = await rpc([ping(1), { jsonrpc: "1.0", id: 2, method: "ping" }]);
    expect([notOne.status, notOne.json.error.message]).toEqual([400, 'Invalid Request: a JSON-RPC message has "jsonrpc": "2.0" (message 2 of the batch)']);
    expect((await rpc({ jsonrpc: "2.0", id: null, method: "ping" })).json.error.code).toBe(-32600);
    for (const body of [null, 7, "ping"]) expect((await rpc(body)).status).toBe(400);
  });

  test("two requests with one id both get their answer, in the batch's order", async () => {
    const answers = (
      await rpc([
        { jsonrpc: "2.0", id: 1, method: "ping" },
        { jsonrpc: "2.0", id: 1, method: "prompts/list" },
      ])
    ).json;
    expect(answers.map((a: { id: number; result: object }) => [a.id, Object.keys(a.result)])).toEqual([
      [1, []],
      [1, ["prompts"]],
    ]);
  });

  test("a client that takes only server-sent events gets each answer as one event; one that takes neither is 406", async () => {
    const sse = await rpc(
      [
        { jsonrpc: "2.0", id: 1, method: "ping" },
        { jsonrpc: "2.0", id: 2, method: "nope" },
      ],
      { accept: "text/event-stream" },
    );
    expect(sse.type).toBe("text/event-stream");
    const events = sse.text.split("\n\n").filter(Boolean);
    expect(events.map((e) => e.split("\n")[0])).toEqual(["event: message", "event: message"]);
    expect(events.map((e) => JSON.parse(e.split("\n")[1]!.slice("data: ".length)).id)).toEqual([1, 2]);
    expect((await rpc({ jsonrpc: "2.0", id: 1, method: "ping" }, { accept: "text/html" })).status).toBe(406);
    expect((await post("{}", { "content-type": "text/plain" })).status).toBe(415);
    expect((await fetch(`${base}/mcp`, { method: "DELETE", headers: { "x-api-key": keys.read } })).status).toBe(405);
  });

  // Issue 75, M1: the check was a substring match, so every refused type below but `text/plain`, `text/json` and none
  // was taken as JSON.
  test("the Content-Type is read as a media type: application/json, any case, with parameters; nothing else", async () => {
    const ping = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "ping" });
    for (const type of [
      "application/json",
      "Application/JSON",
      "application/json; charset=utf-8",
      "application/json;charset=UTF-8",
      'application/json; charset="utf-8"',
      "application/json;",
    ]) {
      const res = await post(ping, { "content-type": type });
      expect({ type, status: res.status, body: await res.json() }).toEqual({ type, status: 200, body: { jsonrpc: "2.0", id: 7, result: {} } });
    }
    const refused = [
      "application/jsonx",
      "text/plain; application/json",
      "application/json, text/plain",
      "application/json-patch+json",
      "xapplication/json",
      "application/json; application/json",
      "application/json; charset=iso-8859-1",
      "application/json; charset",
      "text/plain",
      "text/json",
    ];
    for (const type of refused) {
      const res = await post(ping, { "content-type": type });
      const body = await res.json();
      expect({ type, status: res.status, error: body.error }).toEqual({
        type,
        status: 415,
        error: { code: -32600, message: expect.stringContaining(`the Content-Type header must be application/json`) },
      });
      expect(body.error.message).toEndWith(`it was ${JSON.stringify(type)}`);
    }
    // No header at all (a body of bytes has none).
    const none = await fetch(`${base}/mcp`, {
      method: "POST",
      headers: { accept: "application/json", "x-api-key": keys.read },
      body: new TextEncoder().encode(ping),
    });
    expect([none.status, (await none.json()).error.message]).toEqual([415, expect.stringMatching(/it was none$/)]);
  });
});

describe("attacked", () => {
  test("pathological JSON: 200,000 levels of nesting, 100,000 unknown keys and a 1 MB id are refused or bounded, and it still answers", async () => {
    const deep = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
    expect((await post(deep)).status).toBe(400);
    const nestedArg = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"runs","arguments":{"taskId":${"[".repeat(100_000)}${"]".repeat(100_000)}}}}`;
    const tool = await (await post(nestedArg)).json();
    expect(tool.result).toMatchObject({ isError: true, content: [{ text: expect.stringContaining("expected string") }] });
    const wide = `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"freshness","arguments":{${Array.from({ length: 100_000 }, (_, i) => `"k${i}":0`).join(",")}}}}`;
    expect((await (await post(wide)).json()).id).toBe(2);
    // An id is echoed in its answer: a 1 MB one is refused, not sent back outside the answer budget.
    const longId = await rpc({ jsonrpc: "2.0", id: "i".repeat(1_000_000), method: "ping" });
    expect([longId.status, longId.json.error.message]).toEqual([400, "Invalid Request: a request's id is a number or a string of at most 256 characters"]);
    expect((await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(3_000_000) } }))).status).toBe(413);
    expect((await rpc({ jsonrpc: "2.0", id: 3, method: "ping" })).json.result).toEqual({});
  });

  test("a flood of 120 concurrent calls on one key: 40 answered (its limit), the rest 429, other keys unaffected", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 120 }, (_, i) => post(JSON.stringify({ jsonrpc: "2.0", id: i, method: "ping" }), {}, keys.flood).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
    expect(statuses.filter((s) => s === 429)).toHaveLength(80);
    expect((await rpc({ jsonrpc: "2.0", id: 1, method: "ping" })).status).toBe(200);
  });
});
