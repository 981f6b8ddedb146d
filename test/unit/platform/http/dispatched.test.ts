// The pre-handler takes the runtime's request from Hono's getPath instead of c.req (dispatched.ts, issue 89): each
// handler must get its own request (a GET, a HEAD answered by the GET route, the not-found answer, a request
// dispatched again from inside a handler as X-HTTP-Method-Override does), and a context not dispatched through the
// hook its own request too.
import { expect, test } from "bun:test";
import { type Context, Hono } from "hono";
import { createDispatchedRequests } from "../../../../src/platform/http/dispatched";
import type { HttpEnv } from "../../../../src/platform/http/types";

function app() {
  const d = createDispatchedRequests();
  const hono = new Hono<HttpEnv>({ getPath: d.getPath });
  const seen: { url: string; method: string; same: boolean }[] = [];
  const record = (c: Context<HttpEnv>) => {
    const req = d.take(c);
    seen.push({ url: req.url, method: req.method, same: req === c.req.raw });
  };
  hono.get("/a", (c) => (record(c), c.text("a")));
  hono.post("/again", async (c) => {
    record(c);
    // As the method override does: a new request through the same app, with the same bindings.
    const inner = await hono.fetch(new Request("http://localhost/a", { method: "GET" }), c.env);
    return c.text(`again ${await inner.text()}`);
  });
  hono.notFound((c) => (record(c), c.text("none", 404)));
  return { d, hono, seen };
}

test("each handler gets the request it was dispatched with", async () => {
  const { hono, seen } = app();
  const env = { remoteAddress: "127.0.0.1" };
  expect(await (await hono.fetch(new Request("http://localhost/a"), env)).text()).toBe("a");
  expect((await hono.fetch(new Request("http://localhost/a", { method: "HEAD" }), env)).status).toBe(200);
  expect((await hono.fetch(new Request("http://localhost/nowhere?x=1"), env)).status).toBe(404);
  expect(await (await hono.fetch(new Request("http://localhost/again", { method: "POST" }), env)).text()).toBe("again a");
  expect(seen).toEqual([
    { url: "http://localhost/a", method: "GET", same: true },
    { url: "http://localhost/a", method: "HEAD", same: true },
    { url: "http://localhost/nowhere?x=1", method: "GET", same: true },
    { url: "http://localhost/again", method: "POST", same: true },
    { url: "http://localhost/a", method: "GET", same: true },
  ]);
});

test("a context with other bindings than the last dispatch, or one already taken, gets its own request", async () => {
  const { d, hono, seen } = app();
  // A request remembered by the hook whose handler never took it (a route of another kind), then a context of
  // another app with other bindings: its own request, not the remembered one.
  d.getPath(new Request("http://localhost/stale"), { env: { remoteAddress: "10.0.0.1" } });
  const other = new Hono<HttpEnv>();
  let got = "";
  other.get("/b", (c) => {
    got = d.take(c).url;
    return c.text("b");
  });
  // Taken once: a second take for the same context reads c.req.
  other.get("/twice", (c) => {
    d.getPath(new Request("http://localhost/stale-again"), { env: c.env });
    d.take(c);
    got = d.take(c).url;
    return c.text("t");
  });
  await other.fetch(new Request("http://localhost/b"), { remoteAddress: "127.0.0.1" });
  expect(got).toBe("http://localhost/b");
  await other.fetch(new Request("http://localhost/twice"), { remoteAddress: "127.0.0.1" });
  expect(got).toBe("http://localhost/twice");
  expect(seen).toEqual([]);
  void hono;
});
