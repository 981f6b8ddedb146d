// The ping's cheaper path (issue 89): its answer is made with the request's id on it (jsonAnswer), and its route is
// declared store-free, so its requests enter no async context for the store's deadline. What each may not change: a
// route that may wait on the store still runs under the deadline; headers a guard set for the answer (the per-IP
// rate limit's, CORS) still reach the ping's answer beside its id.
import { afterEach, expect, test } from "bun:test";
import { currentDeadline } from "../../../../src/platform/core/deadline";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp | undefined;
afterEach(() => {
  t?.close();
  t = undefined;
});

/** As the listener hands a request over on a loopback listener: the peer's address, no in-process mark. */
const fromNetwork = async (app: TestApp, path: string, init?: RequestInit) =>
  (await app.app.http.hono.fetch(new Request(`http://localhost${path}`, init), { remoteAddress: "127.0.0.1" })) as Response;

test("a store-free route's handler runs without the store's deadline; any other route's under it", async () => {
  t = createTestApp("http:\n  port: 0\n");
  const seen: Record<string, boolean> = {};
  for (const [path, storeFree] of [
    ["/test/store-free", true],
    ["/test/store", false],
  ] as const) {
    t.app.http.router.route(
      { method: "get", path, summary: path, tags: ["test"], scope: "public", storeFree, responses: { 200: { description: "x" } } },
      (c) => {
        seen[path] = currentDeadline() !== undefined;
        return c.json({});
      },
    );
  }
  expect((await fromNetwork(t, "/test/store-free")).status).toBe(200);
  expect((await fromNetwork(t, "/test/store")).status).toBe(200);
  expect(seen).toEqual({ "/test/store-free": false, "/test/store": true });
});

test("the ping's answer is made with its request id, its type and its body", async () => {
  t = createTestApp("http:\n  port: 0\n");
  const res = await fromNetwork(t, "/v4/butlerping", { headers: { "X-Request-Id": "ping-a" } });
  expect(res.status).toBe(200);
  expect([...res.headers.keys()].filter((k) => k === "x-request-id")).toHaveLength(1);
  expect(res.headers.get("x-request-id")).toBe("ping-a");
  expect(res.headers.get("content-type")).toBe("application/json");
  expect(await res.json()).toEqual({ response: "Butler reporting for duty", butlerVersion: expect.any(String) });
  // Without an id sent, the answer carries the one Steward made.
  const made = await fromNetwork(t, "/v4/butlerping");
  expect(made.headers.get("x-request-id")).toMatch(/^[a-z0-9]+-[a-z0-9]+$/);
});

test("a per-IP limit that applies to loopback callers puts its numbers on the ping's answer beside the request id", async () => {
  t = createTestApp("http: { host: 127.0.0.1, port: 0 }\nsecurity:\n  rateLimit:\n    perIp: { requests: 5, window: 1h }\n    exemptLoopback: false\n");
  const res = await fromNetwork(t, "/v4/butlerping", { headers: { "X-Request-Id": "ping-limited" } });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-request-id")).toBe("ping-limited");
  expect(res.headers.get("ratelimit-limit")).toBe("5");
  expect(res.headers.get("content-type")).toBe("application/json");
});

test("with CORS on, a browser's ping is answered with the allowed origin beside the request id", async () => {
  t = createTestApp("http:\n  port: 0\ncontrol:\n  cors: { enabled: true, allowOrigins: ['https://sense.example'] }\n");
  const res = await fromNetwork(t, "/v4/butlerping", { headers: { Origin: "https://sense.example", "X-Request-Id": "ping-cors" } });
  expect(res.status).toBe(200);
  expect(res.headers.get("access-control-allow-origin")).toBe("https://sense.example");
  expect(res.headers.get("x-request-id")).toBe("ping-cors");
});
