// The foundation's routes through app.request(): health, readiness, metrics, Butler ping and endpoint list,
// OpenAPI and docs, and the shared error handling (404, 400 naming the field, 413, never a stack trace).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { z } from "zod";
import { VERSION } from "../../../../src/platform/core/version";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp;
beforeAll(() => {
  t = createTestApp("http:\n  port: 0\n  bodyLimitBytes: 2048\n");
  // A route shaped like a feature route, to exercise validation and error paths of the shared layer.
  t.app.http.router.route(
    {
      method: "post",
      path: "/test/echo/:id",
      summary: "echo",
      tags: ["test"],
      scope: "admin",
      params: z.object({ id: z.uuid() }),
      query: z.object({ n: z.coerce.number().int().optional() }),
      body: z.object({ key: z.string().min(1), value: z.string() }),
      responses: { 200: { description: "ok" } },
    },
    (c, { params, query, body }) => c.json({ id: params.id, n: query.n, key: body.key }),
  );
  t.app.http.router.route(
    { method: "get", path: "/test/crash", summary: "crash", tags: ["test"], scope: "admin", responses: { 500: { description: "x" } } },
    () => {
      throw new Error("secret internal detail at /srv/x.ts:12");
    },
  );
});
afterAll(() => t.close());

const ID = "7552d9fc-d1bb-4975-9a38-18357de531ea";

describe("core routes", () => {
  test("GET /health", async () => {
    const r = await t.request("/health");
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: "ok", version: VERSION, runtime: { name: "bun", version: Bun.version } });
    expect(r.headers.get("x-request-id")).toBeTruthy();
  });

  test("GET /ready lists components and is 200 when all required are up", async () => {
    const r = await t.request("/ready");
    expect(r.status).toBe(200);
    const body = (await r.json()) as { ready: boolean; components: Record<string, { ok: boolean; required: boolean }> };
    expect(body.ready).toBe(true);
    expect(body.components.store).toMatchObject({ ok: true, required: true });
  });

  test("GET /ready is 503 when a required component is down", async () => {
    const off = t.app.readiness.register({ name: "qrs-test", required: true, check: () => ({ ok: false, detail: "connection refused" }) });
    const r = await t.request("/ready");
    off();
    expect(r.status).toBe(503);
    expect(((await r.json()) as { components: Record<string, unknown> }).components["qrs-test"]).toEqual({
      ok: false,
      detail: "connection refused",
      required: true,
    });
  });

  test("GET /metrics has process memory, uptime and HTTP counts by route and status", async () => {
    await t.request("/health");
    const r = await t.request("/metrics");
    expect(r.headers.get("content-type")).toContain("text/plain");
    const text = await r.text();
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(text).toMatch(/^process_uptime_seconds \d+$/m);
    // The conventional process metrics of Prometheus' client libraries, with their types.
    expect(text).toContain("# TYPE process_cpu_seconds_total counter");
    expect(text).toMatch(/^process_cpu_seconds_total \d+(\.\d+)?$/m);
    expect(Number(/^process_start_time_seconds (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(Date.now() / 1000 - 3600);
    expect(text).toContain(`steward_info{version="${VERSION}",runtime="bun",runtime_version="${Bun.version}"} 1`);
    expect(text).toMatch(/^steward_http_requests_total\{method="GET",route="\/health",status="200"\} \d+$/m);
    expect(text).toContain('steward_http_request_duration_seconds_bucket{method="GET",route="/health",le="+Inf"}');
  });

  test("GET /v4/butlerping answers like Butler", async () => {
    const r = await t.request("/v4/butlerping");
    expect(await r.json()).toEqual({ response: "Butler reporting for duty", butlerVersion: VERSION });
  });

  test("GET /v4/configfile/endpointsenabled lists Butler flags of registered routes", async () => {
    const r = await t.request("/v4/configfile/endpointsenabled");
    const flags = (await r.json()) as string[];
    expect(flags).toContain("butlerping");
    expect(flags).toContain("apiListEnabledEndpoints");
    expect([...flags].sort()).toEqual(flags);
  });

  test("GET /openapi.json describes the routes with their schemas", async () => {
    const doc = (await (await t.request("/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: unknown; "x-steward-scope"?: string }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/v4/butlerping"]?.get).toBeDefined();
    const echo = doc.paths["/test/echo/{id}"]?.post;
    expect(echo?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(["path:id", "query:n"]);
    expect(echo?.requestBody).toBeDefined();
    expect(echo?.["x-steward-scope"]).toBe("admin");
  });

  test("/docs and /documentation render the reference", async () => {
    for (const path of ["/docs", "/documentation"]) {
      const r = await t.request(path);
      expect(r.headers.get("content-type")).toContain("text/html");
      expect(await r.text()).toContain("/v4/butlerping");
    }
  });
});

describe("error handling", () => {
  test("unknown route → 404 JSON with Steward's fields and Butler's (statusCode, message)", async () => {
    const r = await t.request("/v4/nothing-here");
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({
      error: "no route for GET /v4/nothing-here",
      code: "NOT_FOUND",
      statusCode: 404,
      message: "no route for GET /v4/nothing-here",
    });
  });

  test("an unknown route passes the same checks as a declared one: request id, Host check, counted as unmatched", async () => {
    const r = await t.request("/v4/nothing-here", { headers: { "x-request-id": "probe-404" } });
    expect(r.status).toBe(404);
    expect(r.headers.get("x-request-id")).toBe("probe-404");
    // The listener's verdict on the Host header is answered before routing, for unknown paths too.
    const bad = await t.app.http.hono.request("/v4/nothing-here", {}, { remoteAddress: "127.0.0.1", hostProblem: "the Host header is empty" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { details: unknown }).details).toEqual([{ field: "header.host", message: "the Host header is empty" }]);
    expect(bad.headers.get("x-request-id")).toMatch(/^[a-z0-9]+-[a-z0-9]+$/);
    const metrics = await (await t.request("/metrics")).text();
    expect(metrics).toMatch(/^steward_http_requests_total\{method="GET",route="unmatched",status="404"\} \d+$/m);
    expect(metrics).toMatch(/^steward_http_requests_total\{method="GET",route="unmatched",status="400"\} \d+$/m);
    // A declared route is counted under its declared path, with HEAD answered by its GET.
    expect((await t.request("/v4/butlerping", { method: "HEAD" })).status).toBe(200);
    expect(await (await t.request("/metrics")).text()).toMatch(/^steward_http_requests_total\{method="HEAD",route="\/v4\/butlerping",status="200"\} 1$/m);
  });

  test("valid request reaches the handler with typed input", async () => {
    const r = await t.request(`/test/echo/${ID}?n=3`, {
      method: "POST",
      body: JSON.stringify({ key: "k", value: "v" }),
      headers: { "content-type": "application/json" },
    });
    expect(await r.json()).toEqual({ id: ID, n: 3, key: "k" });
  });

  test("400 names the offending field: path, query, body", async () => {
    const bad = async (url: string, body: unknown) => {
      const r = await t.request(url, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) });
      expect(r.status).toBe(400);
      return (await r.json()) as { error: string; code: string; details: Array<{ field: string }> };
    };
    expect((await bad("/test/echo/not-a-guid", { key: "k", value: "v" })).details[0]!.field).toBe("path.id");
    expect((await bad(`/test/echo/${ID}?n=x`, { key: "k", value: "v" })).details[0]!.field).toBe("query.n");
    const missing = await bad(`/test/echo/${ID}`, { value: "v" });
    expect(missing.code).toBe("BAD_REQUEST");
    expect(missing.error).toStartWith("body.key:");
    expect((await bad(`/test/echo/${ID}`, "{not json")).error).toStartWith("body: not valid JSON");
  });

  test("413 above the body limit", async () => {
    const r = await t.request(`/test/echo/${ID}`, { method: "POST", body: JSON.stringify({ key: "k", value: "x".repeat(5000) }) });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { code: string }).code).toBe("PAYLOAD_TOO_LARGE");
  });

  test("500 never carries a stack trace or internal message", async () => {
    const r = await t.request("/test/crash");
    expect(r.status).toBe(500);
    const text = await r.text();
    expect(text).not.toContain("secret internal detail");
    expect(JSON.parse(text)).toMatchObject({ code: "INTERNAL" });
  });
});
