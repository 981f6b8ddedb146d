// PUT /v4/slackpostmessage against a Bun.serve receiver standing in for Slack's webhook (accepting and
// refusing), and CORS preflights and calls from an allowed and an unlisted browser origin.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../../helpers/app";

interface Received {
  path: string;
  body: Record<string, unknown>;
}
const received: Received[] = [];
let slack: ReturnType<typeof Bun.serve>;
let t: TestApp;

beforeAll(() => {
  slack = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      received.push({ path, body: (await req.json()) as Record<string, unknown> });
      // Slack answers errors as short text with a 4xx status.
      if (path.endsWith("/archived")) return new Response("channel_is_archived", { status: 410 });
      return new Response("ok");
    },
  });
  t = createTestApp(
    `control:\n  slack: { webhookUrl: "http://127.0.0.1:${slack.port}/services/T000/B000/ok" }\n` +
      `  cors: { enabled: true, allowOrigins: ["https://sense1.corp.example"] }\n`,
  );
});
afterAll(async () => {
  await t.close();
  slack.stop(true);
});

const put = (app: TestApp, body: unknown) =>
  app.request("/v4/slackpostmessage", { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

describe("PUT /v4/slackpostmessage", () => {
  test("Slack accepts: 201 echoing the request; Slack got channel, username, text and the icon emoji", async () => {
    const body = { channel: "#qlik-ops", from_user: "Qlik Sense", msg: "Sales app reloaded :tada:", emoji: "ghost" };
    const r = await put(t, body);
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual(body);
    expect(received.at(-1)).toEqual({
      path: "/services/T000/B000/ok",
      body: { channel: "#qlik-ops", username: "Qlik Sense", text: "Sales app reloaded :tada:", icon_emoji: ":ghost:" },
    });
  });

  test("PostToSlack through the override, and a number as the message is posted as its text (as Butler)", async () => {
    const r = await t.request("/v4/slackpostmessage", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-HTTP-Method-Override": "PUT" },
      body: JSON.stringify({ channel: "#qlik-ops", from_user: "Qlik Sense", msg: 42, emoji: "" }),
    });
    expect(r.status).toBe(201);
    expect(received.at(-1)?.body).toEqual({ channel: "#qlik-ops", username: "Qlik Sense", text: "42" });
  });

  test("Slack refuses: an error status with Slack's answer, not a silent 201", async () => {
    const refusing = createTestApp(`control:\n  slack: { webhookUrl: "http://127.0.0.1:${slack.port}/services/T000/B000/archived" }\n`);
    try {
      const r = await put(refusing, { channel: "#old", from_user: "x", msg: "y" });
      expect(r.status).toBe(502);
      const body = (await r.json()) as { code: string; error: string; details: { slackStatus: number; slackResponse: string } };
      expect(body.code).toBe("CHANNEL_SEND");
      expect(body.details).toEqual({ slackStatus: 410, slackResponse: "channel_is_archived" });
      const audit = (await (await refusing.request("/v4/audit?action=slack.post")).json()) as { entries: Array<{ result: string }> };
      expect(audit.entries[0]!.result).toBe("failed");
    } finally {
      await refusing.close();
    }
  });

  test("Slack unreachable is 502; no webhook configured is 503; a missing field is 400", async () => {
    const gone = createTestApp(`control:\n  slack: { webhookUrl: "http://127.0.0.1:9/hook", timeoutMs: 2000 }\n`);
    const none = createTestApp("");
    try {
      expect((await put(gone, { channel: "#a", from_user: "x", msg: "y" })).status).toBe(502);
      expect((await put(none, { channel: "#a", from_user: "x", msg: "y" })).status).toBe(503);
      expect((await put(t, { channel: "#a", from_user: "x" })).status).toBe(400);
    } finally {
      await gone.close();
      await none.close();
    }
  });
});

describe("CORS", () => {
  const preflight = (origin: string) =>
    t.request("/v4/reloadtask/-/start", {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-api-key" },
    });

  test("a preflight from the Qlik Sense origin is allowed with the configured methods and headers", async () => {
    const r = await preflight("https://sense1.corp.example");
    expect(r.status).toBe(204);
    expect(r.headers.get("access-control-allow-origin")).toBe("https://sense1.corp.example");
    expect(r.headers.get("access-control-allow-methods")).toContain("POST");
    expect(r.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-api-key");
    expect(r.headers.get("access-control-max-age")).toBe("600");
  });

  test("an unlisted origin gets no allow-origin header, so the browser blocks the call", async () => {
    const r = await preflight("https://evil.example");
    expect(r.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("the actual call from the allowed origin carries the header (here a 503: no Qlik configured)", async () => {
    const r = await t.request("/v4/reloadtask/-/start", {
      method: "POST",
      headers: { Origin: "https://sense1.corp.example", "Content-Type": "application/json" },
      body: JSON.stringify({ tag: ["x"] }),
    });
    expect(r.headers.get("access-control-allow-origin")).toBe("https://sense1.corp.example");
    expect(r.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
  });

  test("CORS off by default: no headers", async () => {
    const off = createTestApp("");
    try {
      const r = await off.request("/v4/reloadtask/-/start", {
        method: "OPTIONS",
        headers: { Origin: "https://sense1.corp.example", "Access-Control-Request-Method": "POST" },
      });
      expect(r.headers.get("access-control-allow-origin")).toBeNull();
    } finally {
      await off.close();
    }
  });

  test("credentials with '*' is refused at config load, naming the key", () => {
    expect(() => createTestApp(`control:\n  cors: { enabled: true, allowOrigins: ["*"], allowCredentials: true }\n`)).toThrow(
      /control\.cors\.allowCredentials/,
    );
  });
});
