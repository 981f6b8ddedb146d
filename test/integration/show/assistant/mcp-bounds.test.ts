// The bounds of one /mcp request, attacked as a holder of a `read` key would: a batch of thousands of documentation
// reads is refused before anything runs (and audited), a batch's calls count against the key's rate limit, the
// answers of one request stay under their budget, a body that never ends leaves an audit row, refused inner calls
// are one log line, and steward-docs://__proto__ is no page.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { Writable } from "node:stream";
import pino from "pino";
import { createManualClock } from "../../../../src/platform/core/clock";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { ANSWER_BUDGET_CHARS, MAX_BATCH } from "../../../../src/show/assistant/request-bounds";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";

const keys = { read: generateApiKey(), other: generateApiKey() };
const lines: string[] = [];
let t: TestApp;
let base: string;

beforeAll(async () => {
  const log = pino({ level: "info" }, new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) }));
  t = createTestApp(
    [
      "http: { host: 127.0.0.1, port: 0 }",
      "security:",
      "  apiKeys:",
      `    - { name: key-read, hash: "${hashApiKey(keys.read)}", scopes: [read] }`,
      `    - { name: key-other, hash: "${hashApiKey(keys.other)}", scopes: [read] }`,
      "  rateLimit: { perKey: { requests: 30, window: 1m } }",
      "mcp: { enabled: true }",
      "",
    ].join("\n"),
    { log, clock: createManualClock(Date.parse("2026-03-02T10:00:00Z")) },
  );
  await t.app.start();
  base = t.app.server!.url().replace(/\/$/, "");
});
afterAll(async () => {
  await t?.close();
});

const read = (id: number, page = "configuration-reference") => ({ jsonrpc: "2.0", id, method: "resources/read", params: { uri: `steward-docs://${page}` } });
const mcp = (body: unknown, key = keys.read) =>
  fetch(`${base}/mcp`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "x-api-key": key },
    body: JSON.stringify(body),
  });
const rowsOf = async (action: string, actorName: string) => {
  await t.app.audit.flush();
  return t.app.audit.query({ action, actorName, limit: 100 });
};

describe("one /mcp request is bounded before it runs", () => {
  test("a batch of 2,500 documentation reads is refused whole, at once, and audited on receipt and on answer", async () => {
    const res = await mcp(Array.from({ length: 2_500 }, (_, i) => read(i + 1)));
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.length).toBeLessThan(1_000);
    expect(JSON.parse(text).error.message).toContain(`at most ${MAX_BATCH} per request`);
    const received = await rowsOf("mcp.received", "key-read");
    expect(received.length).toBeGreaterThanOrEqual(1);
    const answered = (await rowsOf("api.write", "key-read")).find((r) => r.details?.op === "mcp.request" && r.details?.status === 400)!;
    expect(answered).toMatchObject({ target: "POST /mcp", details: { opResult: "denied", refused: "batch", calls: 2_500 } });
    expect(received.map((r) => r.details?.requestId)).toContain(answered.details!.requestId);
  });

  // docs/security.md (67 KB): ten of them are over the budget, and several fit whole. (The configuration reference,
  // once the page used here, is now over half the budget with its JSON escaping: one whole answer.)
  test(`a batch of ${MAX_BATCH} reads of a long page answers within the request's answer budget; the calls past it are told to ask again`, async () => {
    const res = await mcp(Array.from({ length: MAX_BATCH }, (_, i) => read(i + 1, "security")));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeLessThanOrEqual(ANSWER_BUDGET_CHARS + 4_096);
    const answers = JSON.parse(text) as Array<{ id: number; result?: { contents: Array<{ text: string }> }; error?: { message: string } }>;
    expect(answers).toHaveLength(MAX_BATCH);
    const whole = answers.filter((a) => a.result);
    expect(whole.length).toBeGreaterThanOrEqual(2);
    expect(whole[0]!.result!.contents[0]!.text).toContain("# ");
    const cut = answers.filter((a) => a.error);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut[0]!.error!.message).toContain("send this call again in a request of its own");
  });

  test("every call of a batch counts against the key's rate limit", async () => {
    // key-other: 30 calls a minute (the clock stands still). Three batches of 10 spend them; the fourth is refused.
    const ten = Array.from({ length: 10 }, (_, j) => read(j + 1, "checkins"));
    for (let i = 0; i < 3; i++) expect((await mcp(ten, keys.other)).status).toBe(200);
    const refused = await mcp([read(1, "checkins"), read(2, "checkins")], keys.other);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).not.toBeNull();
  });

  test("steward-docs://__proto__ and ://constructor are no page", async () => {
    const answers = (await (await mcp([read(1, "__proto__"), read(2, "constructor"), read(3, "hasOwnProperty")])).json()) as Array<{
      error?: { message: string };
    }>;
    for (const a of answers) expect(a.error?.message).toContain("no documentation page");
  });

  test("a body that never ends has its audit row before it ends", async () => {
    const before = (await rowsOf("mcp.received", "key-read")).length;
    const url = new URL(base);
    const body = JSON.stringify(read(1, "checkins"));
    const socket: Socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAccept: application/json\r\nX-API-Key: ${keys.read}\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
    );
    await waitFor(async () => (await rowsOf("mcp.received", "key-read")).length > before || undefined, { what: "the received row of the unfinished request" });
    socket.write(body.slice(10));
    await waitFor(() => Buffer.concat(chunks).toString().includes('"result"') || undefined, { what: "the answer once the body ends" });
    socket.destroy();
  });

  test("refused inner calls of a request are one log line, not one each", async () => {
    const key = generateApiKey();
    const log: string[] = [];
    const small = createTestApp(
      [
        "security:",
        "  apiKeys:",
        `    - { name: key-small, hash: "${hashApiKey(key)}", scopes: [read] }`,
        "  rateLimit: { perKey: { requests: 12, window: 1m } }",
        "mcp: { enabled: true }",
        "",
      ].join("\n"),
      {
        log: pino({ level: "info" }, new Writable({ write: (chunk, _enc, cb) => (log.push(String(chunk)), cb()) })),
        clock: createManualClock(Date.parse("2026-03-02T10:00:00Z")),
      },
    );
    try {
      await small.app.start();
      const call = (id: number) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "summary", arguments: {} } });
      const res = await small.app.http.hono.request(
        "/mcp",
        {
          method: "POST",
          headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "x-api-key": key },
          body: JSON.stringify(Array.from({ length: 10 }, (_, i) => call(i + 1))),
        },
        { remoteAddress: "127.0.0.1" },
      );
      expect(res.status).toBe(200);
      const answers = (await res.json()) as Array<{ result?: { isError?: boolean; content: Array<{ text: string }> } }>;
      expect(answers.some((a) => a.result?.isError && a.result.content[0]!.text.includes("429"))).toBe(true);
      expect(log.filter((l) => l.includes('"request denied"'))).toEqual([]);
      const summary = log.filter((l) => l.includes("MCP request: calls refused"));
      expect(summary).toHaveLength(1);
      expect(JSON.parse(summary[0]!).refused).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });
});
