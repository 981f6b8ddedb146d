// The listener hands the runtime's request over with the bindings (server.ts), and the pre-handler takes it from there
// once: reading `c.req.raw` made Hono build its request object for every request, which a ping otherwise never needs
// (issue 89). A request re-dispatched with the same bindings (the method override) is read from its own request, and
// the metrics still count each status of a route apart when the last series counted is remembered.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Context } from "hono";
import { methodOf } from "../../../../src/platform/http/request-state";
import type { HttpEnv } from "../../../../src/platform/http/types";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp;
let contextProto: object | undefined;
beforeAll(() => {
  t = createTestApp("http:\n  port: 0\n");
  const { router } = t.app.http;
  router.route(
    { method: "get", path: "/test/method", summary: "method", tags: ["test"], scope: "public", responses: { 200: { description: "x" } } },
    (c: Context<HttpEnv>) => {
      contextProto ??= Object.getPrototypeOf(c) as object;
      return c.json({ method: methodOf(c) });
    },
  );
  router.route(
    { method: "get", path: "/test/status/:code", summary: "status", tags: ["test"], scope: "public", responses: { 200: { description: "x" } } },
    (c: Context<HttpEnv>) => c.json({}, Number(c.req.param("code")) as 200),
  );
});
afterAll(() => t.close());

/** As the loopback listener hands a request over: the request itself with the bindings. */
const asListener = (req: Request) =>
  t.app.http.hono.fetch(req, { loopbackListener: true, remoteAddress: "127.0.0.1", request: req } as HttpEnv["Bindings"]) as Response | Promise<Response>;

/** Counts how often Hono's `c.req` is read while `fn` runs. */
async function countingRequestReads(fn: () => Promise<unknown>): Promise<number> {
  // Hono's Context class is not exported: its prototype is taken from a request a test route answered.
  await asListener(new Request("http://localhost/test/method"));
  const proto = contextProto!;
  const original = Object.getOwnPropertyDescriptor(proto, "req")!;
  let reads = 0;
  Object.defineProperty(proto, "req", {
    ...original,
    get(this: unknown) {
      reads++;
      return original.get!.call(this);
    },
  });
  try {
    await fn();
  } finally {
    Object.defineProperty(proto, "req", original);
  }
  return reads;
}

test("a ping handed over by the listener is answered without Hono's request object", async () => {
  let res: Response | undefined;
  const reads = await countingRequestReads(async () => {
    res = await asListener(new Request("http://localhost/v4/butlerping", { headers: { "X-Request-Id": "bound-1" } }));
  });
  expect(res!.status).toBe(200);
  expect(res!.headers.get("x-request-id")).toBe("bound-1");
  expect(reads).toBe(0);
});

test("the request is taken once: a re-dispatch with the same bindings reads its own (the method override)", async () => {
  const outer = new Request("http://localhost/test/method", { method: "POST", headers: { "X-HTTP-Method-Override": "GET" } });
  const res = await asListener(outer);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { method: string }).method).toBe("GET");
});

test("a body on a request handed over by the listener still passes the body limit", async () => {
  const big = "x".repeat(2 * 1024 * 1024);
  const res = await asListener(
    new Request("http://localhost/v4/keyvalues/limit", { method: "POST", headers: { "Content-Type": "application/json" }, body: big }),
  );
  expect(res.status).toBe(413);
});

test("a route's statuses are counted apart while the last series is remembered", async () => {
  const counted = async (status: number) => {
    const text = await (await t.request("/metrics")).text();
    const line = text
      .split("\n")
      .find((l) => l.startsWith("steward_http_requests_total{") && l.includes('route="/test/status/:code"') && l.includes(`status="${status}"`));
    return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
  };
  for (const code of [200, 200, 201, 200, 201, 201, 202]) expect((await asListener(new Request(`http://localhost/test/status/${code}`))).status).toBe(code);
  expect([await counted(200), await counted(201), await counted(202)]).toEqual([3, 3, 1]);
});
