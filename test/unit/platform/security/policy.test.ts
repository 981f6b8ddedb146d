// Scope grants, loopback detection, and who a request is (header key, client certificate, query key, nobody).
import { describe, expect, test } from "bun:test";
import { SecuritySchema } from "../../../../src/platform/security/config";
import { createManualClock } from "../../../../src/platform/core/clock";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import { identify } from "../../../../src/platform/security/identify";
import { buildPolicy, grants, isLoopbackHost } from "../../../../src/platform/security/policy";

const clock = createManualClock(0);

describe("policy", () => {
  test("admin implies every scope; others grant exactly themselves", () => {
    expect(grants(["admin"], "files")).toBe(true);
    expect(grants(["kv.write"], "kv.read")).toBe(false);
    expect(grants(["kv.read"], "kv.read")).toBe(true);
    expect(grants([], "public")).toBe(true);
    expect(grants("all", "tasks")).toBe(true);
  });

  test("loopback listen addresses", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ["0.0.0.0", "::", "10.0.0.1", "sense1.corp.example"]) expect(isLoopbackHost(h)).toBe(false);
  });

  test("identify: header key, certificate rule, query key, anonymous", async () => {
    const key = generateApiKey();
    const cfg = SecuritySchema.parse({
      apiKeys: [{ name: "k", hash: hashApiKey(key), scopes: ["tasks"] }],
      tls: { certFile: "s.pem", keyFile: "s.key", caFile: "ca.pem" },
      clientCerts: [
        { name: "etl", subjectCN: "etl-host", scopes: ["files"] },
        { name: "pinned", fingerprint256: "AB".repeat(32), scopes: ["admin"] },
      ],
      queryKey: { enabled: true, routes: ["PUT /v4/reloadtask/:taskId/start"] },
    });
    const p = buildPolicy(cfg, { clock });
    const none = new Headers();
    const route = "GET /x";
    expect(await identify(p, { headers: new Headers({ "x-api-key": key }), routeRef: route })).toMatchObject({
      ok: true,
      via: "header",
      principal: { kind: "apiKey", name: "k" },
    });
    expect(await identify(p, { headers: none, routeRef: route, clientCert: { authorized: true, subjectCN: "etl-host", fingerprint256: "00" } })).toMatchObject({
      ok: true,
      principal: { kind: "clientCert", name: "etl", scopes: ["files"] },
    });
    expect(
      await identify(p, { headers: none, routeRef: route, clientCert: { authorized: true, subjectCN: "x", fingerprint256: "AB".repeat(32) } }),
    ).toMatchObject({ principal: { name: "pinned" } });
    expect(
      await identify(p, { headers: none, routeRef: route, clientCert: { authorized: false, subjectCN: "etl-host", error: "UNABLE_TO_GET_ISSUER_CERT" } }),
    ).toEqual({ ok: false, reason: "client certificate not trusted (UNABLE_TO_GET_ISSUER_CERT)" });
    // A trusted certificate without a rule is nobody in particular.
    expect(await identify(p, { headers: none, routeRef: route, clientCert: { authorized: true, subjectCN: "other" } })).toMatchObject({
      ok: true,
      principal: { kind: "anonymous", scopes: [] },
    });
    expect(await identify(p, { headers: none, routeRef: "PUT /v4/reloadtask/:taskId/start", queryKey: key })).toMatchObject({ ok: true, via: "query" });
    expect(await identify(p, { headers: none, routeRef: route, queryKey: key })).toMatchObject({ ok: false });
    expect(await identify(p, { headers: new Headers({ "x-api-key": "stw_x" }), routeRef: route })).toEqual({ ok: false, reason: "unknown or revoked API key" });
  });

  test("with nothing configured, anonymous callers get every scope (the listen rule confines that to loopback)", async () => {
    const p = buildPolicy(SecuritySchema.parse({}), { clock });
    expect(p.authConfigured).toBe(false);
    expect(await identify(p, { headers: new Headers(), routeRef: "GET /x" })).toMatchObject({ principal: { kind: "anonymous", scopes: "all" } });
  });

  test("config errors name the key", () => {
    const r = SecuritySchema.safeParse({
      clientCerts: [{ name: "x", subjectCN: "y", scopes: ["tasks"] }],
      apiKeys: [{ name: "a", hash: `sha256:${"0".repeat(64)}`, scopes: ["nope"] }],
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join("."));
    expect(paths).toContain("apiKeys.0.scopes.0");
    const r2 = SecuritySchema.safeParse({ clientCerts: [{ name: "x", subjectCN: "y", scopes: ["tasks"] }] });
    expect(r2.error!.issues.map((i) => i.path.join("."))).toEqual(["clientCerts"]);
  });
});
