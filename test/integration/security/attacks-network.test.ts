// Attacks that need a real socket: connection resets right after the request (the peer's address is gone by the
// time the request is handled), malformed Host headers, and names a DNS-rebinding page would send.
import { afterEach, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { createTestApp, type TestApp } from "../../helpers/app";

const open: TestApp[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});
const app = (yaml: string) => {
  const t = createTestApp(yaml);
  open.push(t);
  return t;
};

/** Writes one raw HTTP/1.1 request and resets the connection (RST, SO_LINGER 0) without reading the answer. */
function sendAndReset(port: number, raw: string): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port }, () => {
      s.write(raw, () => {
        s.resetAndDestroy();
        resolve();
      });
    });
    s.on("error", () => resolve());
  });
}

/** Writes one raw request and returns the status line's code and the body. */
function rawRequest(port: number, raw: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port }, () => s.write(raw));
    let text = "";
    s.on("data", (d) => (text += d.toString("utf8")));
    s.on("error", reject);
    s.on("close", () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
  });
}

const kvPost = (i: number, extra = "") => {
  const body = JSON.stringify({ key: `k${i}`, value: "v" });
  return `POST /v4/keyvalues/reset HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
};

describe("connection resets", () => {
  test("a request whose connection was reset is never taken for an in-process call: the per-IP limit holds", async () => {
    const t = app("http: { host: 127.0.0.1, port: 0 }\nsecurity:\n  rateLimit:\n    perIp: { requests: 3, window: 1h }\n    exemptLoopback: false\n");
    await t.app.start();
    const port = t.app.server!.port();
    const ok = await fetch(`${t.app.server!.url()}/v4/keyvalues/reset`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "normal", value: 1 }) });
    expect(ok.status).toBe(201);
    for (let i = 0; i < 60; i++) await sendAndReset(port, kvPost(i));
    // Let the server finish whatever it accepted.
    await Bun.sleep(300);
    const stored = t.app.kv!.keys("reset") ?? [];
    expect(stored).toContain("normal");
    expect(stored.length).toBeLessThanOrEqual(3);
  });
});

describe("requests without a peer address", () => {
  test("are refused by the IP gate unless their caller marked them in-process", async () => {
    const t = app("security:\n  ipAllowlist: [10.1.0.0/16]\n");
    const r = await Promise.resolve(t.app.http.hono.request("/v4/keyvalues/x", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "k", value: 1 }) }, {}));
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ details: { check: "peerAddress" } });
    expect(t.app.kv!.keys("x")).toBeUndefined();
    expect((await t.request("/v4/keyvalues/x", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "k", value: 1 }) })).status).toBe(201);
  });
});
