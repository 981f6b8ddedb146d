// HTTPS with certificate and key files, and mutual TLS: a client certificate matched by subject CN or by
// fingerprint authenticates with its rule's scopes; an unknown CA is refused; requireClientCert refuses the
// handshake itself; API keys keep working next to certificates.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { createTempDir } from "../../../helpers/temp-dir";
import { createPki, type Pki } from "./certs";
import { keysPerScope } from "./keys";

const tmp = createTempDir();
let pki: Pki;
beforeAll(() => {
  pki = createPki(tmp.path);
});
afterAll(() => tmp.remove());

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function get(
  url: string,
  opts: { cert?: { cert: string; key: string }; headers?: Record<string, string>; method?: string; body?: string; forgedHost?: boolean } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // A forged Host header would otherwise be checked against the server certificate's names by the client.
    const identity = opts.forgedHost ? { checkServerIdentity: () => undefined } : {};
    const req = request(
      url,
      { method: opts.method ?? "GET", ca: pki.caPem, agent: false, headers: opts.headers, ...(opts.cert ?? {}), ...identity, timeout: 10_000 },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

let appSeq = 0;
const appDir = () => {
  const dir = join(tmp.path, `app-${++appSeq}`);
  mkdirSync(dir);
  return dir;
};

async function started(yaml: string): Promise<TestApp> {
  const t = createTestApp(yaml, { dir: appDir() });
  await t.app.start();
  return t;
}

describe("HTTPS", () => {
  test("serves TLS with the configured certificate; plain HTTP on the same port fails", async () => {
    const t = await started(`security:\n  tls: { certFile: ${pki.files.serverCert}, keyFile: ${pki.files.serverKey} }\n`);
    try {
      const url = t.app.server!.url();
      expect(url.startsWith("https://127.0.0.1:")).toBe(true);
      const r = await get(`${url}/health`);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body).status).toBe("ok");
      await expect(fetch(`${url.replace("https:", "http:")}/health`, { signal: AbortSignal.timeout(5000) }).then((x) => x.status)).rejects.toThrow();
    } finally {
      await t.close();
    }
  });

  test("a missing certificate file is a config error naming the key", () => {
    expect(() => createTestApp(`security:\n  tls: { certFile: ./nope.pem, keyFile: ./nope.key }\n`, { dir: appDir() })).toThrow("security.tls.certFile");
  });
});

describe("mutual TLS", () => {
  let t: TestApp;
  let url: string;
  const { keys, yaml } = keysPerScope();
  beforeAll(async () => {
    const pinned = pki.client("pinned-client");
    t = await started(
      `security:\n${yaml}\n  tls: { certFile: ${pki.files.serverCert}, keyFile: ${pki.files.serverKey}, caFile: ${pki.files.ca} }\n` +
        `  clientCerts:\n    - { name: etl, subjectCN: etl-client, scopes: [kv.read, kv.write] }\n    - { name: pinned, fingerprint256: "${pinned.fingerprint256}", scopes: [admin] }\n`,
    );
    url = t.app.server!.url();
  });
  afterAll(() => t.close());

  test("a certificate matched by CN gets its rule's scopes, and is the audit actor", async () => {
    const cert = pki.client("etl-client");
    let r = await get(`${url}/v4/keyvalues/mtls`, {
      cert,
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: "a", value: "b" }),
    });
    expect(r.status).toBe(201);
    r = await get(`${url}/v4/keyvalues/mtls?key=a`, { cert });
    expect(JSON.parse(r.body)).toEqual({ namespace: "mtls", key: "a", value: "b" });
    r = await get(`${url}/v4/audit`, { cert });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error).toContain('etl lacks scope "read"');
    const write = (await t.app.audit.query({ action: "api.write" }))[0]!;
    expect(write.actor).toMatchObject({ kind: "clientCert", name: "etl", ip: "127.0.0.1" });
  });

  test("a certificate pinned by fingerprint", async () => {
    const r = await get(`${url}/v4/audit`, { cert: pki.client("pinned-client") });
    expect(r.status).toBe(200);
  });

  test("no certificate: public routes work, scoped routes need a key", async () => {
    expect((await get(`${url}/health`)).status).toBe(200);
    expect((await get(`${url}/v4/keyvaluesnamespaces`)).status).toBe(401);
    expect((await get(`${url}/v4/keyvaluesnamespaces`, { headers: { "x-api-key": keys["kv.read"] } })).status).toBe(200);
  });

  test("a certificate from another CA is refused (401), one without a rule is anonymous", async () => {
    const r = await get(`${url}/v4/keyvaluesnamespaces`, { cert: pki.client("rogue-client") });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error).toContain("client certificate not trusted");
    expect((await get(`${url}/health`, { cert: pki.client("rogue-client") })).status).toBe(401);
    expect((await get(`${url}/v4/keyvaluesnamespaces`, { cert: pki.client("nobody-client") })).status).toBe(401);
  });

  test("response headers and bodies pass through the bridge (rate-limit headers, 404 JSON)", async () => {
    const r = await get(`${url}/v4/keyvaluesnamespaces`, { cert: pki.client("etl-client") });
    expect(r.headers["ratelimit-limit"]).toBe("600");
    expect(r.headers["x-request-id"]).toBeDefined();
    const nf = await get(`${url}/nowhere`, { cert: pki.client("etl-client") });
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body).code).toBe("NOT_FOUND");
  });

  test("a malformed Host header is a 400 naming it, not a 500 from the bridge", async () => {
    const cert = pki.client("etl-client");
    for (const host of ["a/b", "@evil", "127.0.0.1:99999", "a b", "[::1"]) {
      const r = await get(`${url}/v4/keyvalues/hosts`, {
        cert,
        forgedHost: true,
        method: "POST",
        headers: { host, "content-type": "application/json" },
        body: JSON.stringify({ key: "k", value: 1 }),
      });
      expect({ host, status: r.status }).toEqual({ host, status: 400 });
      expect(JSON.parse(r.body)).toMatchObject({ code: "BAD_REQUEST", details: [{ field: "header.host" }] });
    }
    expect(await t.app.kv!.keys("hosts")).toBeUndefined();
  });
});

describe("requireClientCert", () => {
  test("the handshake fails without a valid certificate", async () => {
    const t = await started(
      `security:\n  tls: { certFile: ${pki.files.serverCert}, keyFile: ${pki.files.serverKey}, caFile: ${pki.files.ca}, requireClientCert: true }\n` +
        `  clientCerts: [{ name: etl, subjectCN: etl-client, scopes: [kv.read] }]\n`,
    );
    try {
      const url = t.app.server!.url();
      await expect(get(`${url}/health`)).rejects.toThrow();
      await expect(get(`${url}/health`, { cert: pki.client("rogue-client") })).rejects.toThrow();
      expect((await get(`${url}/v4/keyvaluesnamespaces`, { cert: pki.client("etl-client") })).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
