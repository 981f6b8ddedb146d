// A network cut between Steward and PostgreSQL that closes nothing (a proxy that stops forwarding, as a firewall
// dropping packets does): REST calls that need the store are answered 503 with Retry-After within the statement
// time limit instead of hanging for the whole cut, /ready says not ready, and once the network is back writes are
// answered 201 again. A write answered 503 because its answer never came is reported with outcome "unknown", not
// as failed: the cut may still deliver it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { startTcpProxy, type TcpProxy } from "../../../helpers/tcp-proxy";
import { createTestApp, type TestApp } from "../../../helpers/app";
import { waitFor } from "../../../helpers/wait-for";

const STATEMENT_TIMEOUT_MS = 2_000;
/** The statement limit, Steward's 2 s of grace past it, and room for a loaded machine. */
const BOUND_MS = STATEMENT_TIMEOUT_MS + 2_000 + 4_000;

let pg: PostgresService;
let proxy: TcpProxy;
let t: TestApp;
const json = { "content-type": "application/json" };

beforeAll(async () => {
  pg = await startPostgres({ durableCommits: true });
  const url = await pg.createDatabase("silent_cut");
  proxy = await startTcpProxy({ host: pg.host, port: pg.port });
  const viaProxy = url.replace(`:${pg.port}/`, `:${proxy.port}/`);
  t = createTestApp(`store:
  postgres: { url: ${JSON.stringify(viaProxy)}, instanceName: cut, leaseTtlMs: 2000, heartbeatIntervalMs: 300, connectTimeoutMs: 1000, statementTimeoutMs: ${STATEMENT_TIMEOUT_MS} }
`);
  await t.app.start();
}, 60_000);

afterAll(async () => {
  proxy?.cut(false);
  await t?.close();
  await proxy?.close();
  await pg?.stop();
});

const write = (key: string) => t.request("/v4/keyvalues/cut", { method: "POST", headers: json, body: JSON.stringify({ key, value: key }) });
const read = (key: string) => t.request(`/v4/keyvalues/cut?key=${key}`);

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

test("a silent cut: requests answer 503 with Retry-After within the time limit, /ready says not ready, writes work again after", {
  timeout: 90_000,
}, async () => {
  expect((await write("before")).status).toBe(201);
  proxy.cut(true);
  try {
    const w = await timed(() => write("during"));
    console.log(`write during the cut answered ${w.value.status} after ${Math.round(w.ms)} ms`);
    expect(w.value.status).toBe(503);
    expect(w.ms).toBeLessThan(BOUND_MS);
    expect(w.value.headers.get("retry-after")).toBe("5");
    const body = (await w.value.json()) as { code: string; details: { store: string; outcome: string } };
    expect(body.code).toBe("STORE_UNAVAILABLE");
    expect(body.details).toEqual({ store: "postgres", outcome: "unknown" });

    const r = await timed(() => read("before"));
    console.log(`read during the cut answered ${r.value.status} after ${Math.round(r.ms)} ms`);
    expect(r.ms).toBeLessThan(BOUND_MS);
    expect(r.value.status).toBe(503);
    expect(r.value.headers.get("retry-after")).toBe("5");

    const ready = await waitFor(
      async () => {
        const res = await t.request("/ready");
        return res.status === 503 ? ((await res.json()) as { components: Record<string, { ok: boolean }> }) : undefined;
      },
      { timeoutMs: BOUND_MS, what: "/ready to say not ready" },
    );
    expect(ready.components["shared-store"]?.ok).toBe(false);
  } finally {
    proxy.cut(false);
  }
  // Back: writes are acknowledged again, and every one acknowledged is there.
  await waitFor(async () => (await write("after")).status === 201, { timeoutMs: 30_000, what: "writes to be acknowledged after the cut" });
  expect((await read("before")).status).toBe(200);
  expect((await read("after")).status).toBe(200);
  // The write answered "unknown" may or may not have reached PostgreSQL when the network came back (it did if it was
  // on the wire before the cut's timeout dropped its connection); repeated, as its answer says, it is acknowledged.
  console.log(`the write of unknown outcome ${(await read("during")).status === 200 ? "landed" : "did not land"}`);
  expect((await write("during")).status).toBe(201);
  expect(await (await read("during")).json()).toEqual({ namespace: "cut", key: "during", value: "during" });
  await waitFor(async () => (await t.request("/ready")).status === 200, { timeoutMs: 30_000, what: "/ready to say ready again" });
});
