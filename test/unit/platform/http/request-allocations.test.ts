// What a ping leaves on the heap beyond what Hono itself makes for it (issue 89): the request's path through every
// check (request id, Host, IP gate, browser guard, access guard, deadline, metrics) made a closure and its scope for
// the deadline's call and another for the access guard's `next`, per request. Counted as heap cells by type (JSC's
// per-type counts include cells allocated since the last collection), not by time: the same on a busy machine.
import { heapStats } from "bun:jsc";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Hono } from "hono";
import { createTestApp, type TestApp } from "../../../helpers/app";

let t: TestApp;
beforeAll(() => {
  t = createTestApp("http:\n  port: 0\n");
});
afterAll(() => t.close());

const REQUESTS = 2_000;

/** Heap cells of each type made per call of `fetch`, after warming it up; the counts are read without a collection between. */
function cellsPerRequest(fetch: (req: Request) => Response | Promise<Response>): Record<string, number> {
  const req = new Request("http://127.0.0.1:8080/v4/butlerping", { headers: { host: "127.0.0.1:8080" } });
  const call = () => {
    const res = fetch(req);
    if (!(res instanceof Response) || res.status !== 200) throw new Error("the ping was not answered 200 synchronously");
  };
  for (let i = 0; i < 30_000; i++) call();
  Bun.gc(true);
  const before = heapStats().objectTypeCounts as Record<string, number>;
  for (let i = 0; i < REQUESTS; i++) call();
  const after = heapStats().objectTypeCounts as Record<string, number>;
  const out: Record<string, number> = {};
  for (const k of Object.keys(after)) out[k] = ((after[k] ?? 0) - (before[k] ?? 0)) / REQUESTS;
  return out;
}

test("a ping makes at most one function more than bare Hono's", () => {
  const bare = new Hono();
  bare.get("/v4/butlerping", (c) => c.json({ response: "Butler reporting for duty", butlerVersion: "16.0.4" }));
  const floor = cellsPerRequest((req) => bare.fetch(req));
  const steward = cellsPerRequest((req) => t.app.http.hono.fetch(req, { loopbackListener: true, remoteAddress: "127.0.0.1" }));
  // Before: three more (the deadline's closure and the guard's `next`). Their scopes vary with the JIT's tier, so are not counted.
  expect((steward.Function ?? 0) - (floor.Function ?? 0)).toBeLessThanOrEqual(1.5);
});
