// A read on a loopback listener is handed over without its peer's address, which is asked of the runtime only when a
// check needs it: under Bun each ask is a getpeername call and a formatted address, about a tenth of a ping's CPU
// (issue 69). Every caller of a loopback listener is a process on this server, which the allowlist always admits;
// the address is still asked for, and judged, when loopback callers do not pass the per-IP limit freely.
import { afterEach, describe, expect, test } from "bun:test";
import type { HttpEnv } from "../../../../src/platform/http/types";
import { createTestApp, type TestApp } from "../../../helpers/app";

const open: TestApp[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});
const app = (yaml: string) => {
  const t = createTestApp(yaml);
  open.push(t);
  return t;
};

/** As server.ts hands a loopback read over, counting the reads of the peer's address. */
function loopbackRead(address: string | undefined) {
  const env = {
    reads: 0,
    loopbackListener: true as const,
    get remoteAddress() {
      env.reads++;
      return address;
    },
  };
  return env;
}

const get = (t: TestApp, path: string, env: HttpEnv["Bindings"]) => Promise.resolve(t.app.http.hono.request(path, {}, env));

describe("a read on a loopback listener", () => {
  test("asks for no peer address when loopback callers pass the IP gate freely (the default policy)", async () => {
    const t = app("http: { host: 127.0.0.1, port: 0 }\n");
    const env = loopbackRead("127.0.0.1");
    const r = await get(t, "/v4/butlerping", env);
    expect(r.status).toBe(200);
    expect(env.reads).toBe(0);
  });

  test("is counted against the per-IP limit by its address when loopback is not exempt", async () => {
    const t = app("http: { host: 127.0.0.1, port: 0 }\nsecurity:\n  rateLimit:\n    perIp: { requests: 2, window: 1h }\n    exemptLoopback: false\n");
    const statuses: number[] = [];
    let reads = 0;
    for (let i = 0; i < 3; i++) {
      const env = loopbackRead("127.0.0.1");
      statuses.push((await get(t, "/v4/butlerping", env)).status);
      reads += env.reads;
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(reads).toBeGreaterThanOrEqual(3);
  });

  test("whose connection was reset is refused when the gate needs its address", async () => {
    const t = app("http: { host: 127.0.0.1, port: 0 }\nsecurity:\n  rateLimit:\n    exemptLoopback: false\n");
    const r = await get(t, "/v4/butlerping", loopbackRead(undefined));
    expect(r.status).toBe(403);
    expect(((await r.json()) as { details: { check: string } }).details.check).toBe("peerAddress");
  });

  test("is judged by its address when a proxy's X-Forwarded-For is believed", async () => {
    const t = app("http: { host: 127.0.0.1, port: 0 }\nsecurity:\n  trustedProxies: [127.0.0.1/32]\n");
    const env = loopbackRead("127.0.0.1");
    expect((await get(t, "/v4/butlerping", env)).status).toBe(200);
    expect(env.reads).toBeGreaterThanOrEqual(1);
  });
});

describe("over a real loopback listener", () => {
  test("reads are answered, and limited per address when loopback is not exempt", async () => {
    const t = app("http: { host: 127.0.0.1, port: 0 }\nsecurity:\n  rateLimit:\n    perIp: { requests: 2, window: 1h }\n    exemptLoopback: false\n");
    await t.app.start();
    const url = `${t.app.server!.url()}/v4/butlerping`;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(url)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  test("a read with the default policy is answered with its request id", async () => {
    const t = app("http: { host: 127.0.0.1, port: 0 }\n");
    await t.app.start();
    const r = await fetch(`${t.app.server!.url()}/v4/butlerping`, { headers: { "x-request-id": "loopback-read-1" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("x-request-id")).toBe("loopback-read-1");
  });
});
