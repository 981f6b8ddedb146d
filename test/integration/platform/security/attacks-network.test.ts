// Attacks that need a real socket: connection resets right after the request (the peer's address is gone by the
// time the request is handled), malformed Host headers, and names a DNS-rebinding page would send.
import { afterEach, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { createTestApp, type TestApp } from "../../../helpers/app";

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
    const ok = await fetch(`${t.app.server!.url()}/v4/keyvalues/reset`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: "normal", value: 1 }),
    });
    expect(ok.status).toBe(201);
    for (let i = 0; i < 60; i++) await sendAndReset(port, kvPost(i));
    // Let the server finish whatever it accepted.
    await Bun.sleep(300);
    const stored = (await t.app.kv!.keys("reset")) ?? [];
    expect(stored).toContain("normal");
    expect(stored.length).toBeLessThanOrEqual(3);
  });
});

describe("requests without a peer address", () => {
  test("are refused by the IP gate unless their caller marked them in-process", async () => {
    const t = app("security:\n  ipAllowlist: [10.1.0.0/16]\n");
    const r = await Promise.resolve(
      t.app.http.hono.request(
        "/v4/keyvalues/x",
        { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "k", value: 1 }) },
        {},
      ),
    );
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ details: { check: "peerAddress" } });
    expect(await t.app.kv!.keys("x")).toBeUndefined();
    expect(
      (await t.request("/v4/keyvalues/x", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: "k", value: 1 }) }))
        .status,
    ).toBe(201);
  });
});

describe("Host header", () => {
  const malformed = [
    "",
    "[::1",
    "a b",
    "%",
    "127.0.0.1:99999",
    "@evil",
    "x:y:z",
    "[zz]",
    "127.0.0.1:abc",
    "évil",
    "a/b",
    "a?b",
    "a#b",
    "localhost\\x",
    "user@localhost",
  ];

  for (const [name, yaml] of [
    ["loopback listener", "http: { host: 127.0.0.1, port: 0 }\n"],
    ["open 0.0.0.0 listener", "http: { host: 0.0.0.0, port: 0 }\nsecurity: { allowUnauthenticated: true }\n"],
  ] as const) {
    test(`${name}: a missing or malformed Host is a 400 naming the header, never a 500`, async () => {
      const t = app(yaml);
      await t.app.start();
      const port = t.app.server!.port();
      for (const host of malformed) {
        for (const path of ["/health", "/v4/keyvaluesnamespaces", "/no/such/route"]) {
          const r = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
          expect({ host, path, status: r.status }).toEqual({ host, path, status: 400 });
          expect(JSON.parse(r.body)).toMatchObject({ code: "BAD_REQUEST", details: [{ field: "header.host" }] });
        }
      }
      // A write with a bad Host does nothing.
      const body = JSON.stringify({ key: "k", value: 1 });
      const w = await rawRequest(
        port,
        `POST /v4/keyvalues/h HTTP/1.1\r\nHost: a/b\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
      expect(w.status).toBe(400);
      expect(await t.app.kv!.keys("h")).toBeUndefined();
      for (const raw of [`GET /health HTTP/1.1\r\nConnection: close\r\n\r\n`, `GET /health HTTP/1.0\r\n\r\n`]) {
        const r = await rawRequest(port, raw);
        expect(r.status).toBe(400);
      }
      for (const host of ["127.0.0.1", "127.0.0.1:", `127.0.0.1:${port}`, "[::1]:80", "localhost"]) {
        expect({ host, status: (await rawRequest(port, `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).status }).toEqual({
          host,
          status: 200,
        });
      }
    });
  }

  test("no other header a client sends gets more than a 4xx", async () => {
    const t = app("http: { host: 127.0.0.1, port: 0 }\ncontrol:\n  cors: { enabled: true, allowOrigins: ['http://ok.example'] }\n");
    await t.app.start();
    const port = t.app.server!.port();
    const names = [
      "Origin",
      "X-Forwarded-Host",
      "X-API-Key",
      "Authorization",
      "Content-Type",
      "X-Request-Id",
      "X-HTTP-Method-Override",
      "Accept",
      "Access-Control-Request-Method",
      "Content-Encoding",
    ];
    const values = ["[", "%", "null", "http://[", "://", "Bearer", "a".repeat(6000), "http://ok.example:99999", "\u00ff\u00fe"];
    for (const name of names) {
      for (const value of values) {
        for (const method of ["GET", "POST", "OPTIONS"]) {
          const body = method === "POST" ? JSON.stringify({ key: "k", value: 1 }) : "";
          const r = await rawRequest(
            port,
            `${method} /v4/keyvalues/ns HTTP/1.1\r\nHost: 127.0.0.1\r\n${name}: ${value}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          );
          expect({ name, value: value.slice(0, 20), method, ok: r.status >= 200 && r.status < 500 }).toEqual({
            name,
            value: value.slice(0, 20),
            method,
            ok: true,
          });
        }
      }
    }
  });
});

describe("unknown API keys", () => {
  test("cost no scrypt, however many scrypt keys are configured; a right key costs one, once", async () => {
    const keys = Array.from({ length: 4 }, () => generateApiKey());
    const yaml = keys.map((k, i) => `    - { name: s${i}, hash: "${hashApiKey(k, "scrypt")}", scopes: [kv.read] }`).join("\n");
    const t = app(`security:\n  apiKeys:\n${yaml}\n`);
    for (let i = 0; i < 50; i++) {
      expect((await t.request("/health", { headers: { "x-api-key": generateApiKey() } })).status).toBe(401);
    }
    const ring = t.app.security.service.policy().ring;
    expect(ring.kdfRuns()).toBe(0);
    for (let i = 0; i < 3; i++) expect((await t.request("/v4/keyvaluesnamespaces", { headers: { "x-api-key": keys[2]! } })).status).toBe(200);
    expect(ring.kdfRuns()).toBe(1);
  });
});
