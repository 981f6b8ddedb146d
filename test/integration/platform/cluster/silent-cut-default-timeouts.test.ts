// A silent network cut to PostgreSQL (the proxy stops forwarding for 30 s, closing nothing) on the DEFAULT time
// limits: every request that needs the store, of every kind (key-value reads, writes and deletes, task starts with a
// key-value item, the deliveries list, the namespaces list), sent throughout the cut over real HTTP, is answered
// within the documented bound (STORE_ANSWER_BOUND_MS), and never by a closed connection: the server's idle timeout
// closes a request whose handler wrote nothing for 8–12 s, so a store wait longer than that left callers without an
// answer (issue 58).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { STORE_ANSWER_BOUND_MS } from "../../../../src/platform/core/deadline";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { startTcpProxy, type TcpProxy } from "../../../helpers/tcp-proxy";
import { waitFor } from "../../../helpers/wait-for";
import { startHarness, T, type Harness } from "../../start/control/harness";
import { wallLimit } from "../../../helpers/time-limit";

const CUT_MS = 30_000;
/** A new round of requests this often during the cut. */
const ROUND_MS = 1_500;

let pg: PostgresService;
let proxy: TcpProxy;
let h: Harness;
let base: string;

beforeAll(async () => {
  pg = await startPostgres({ durableCommits: true });
  const url = await pg.createDatabase("silent_cut_defaults");
  proxy = await startTcpProxy({ host: pg.host, port: pg.port });
  const viaProxy = url.replace(`:${pg.port}/`, `:${proxy.port}/`);
  // No statementTimeoutMs nor connectTimeoutMs: the defaults are what is under test.
  h = await startHarness(`store:\n  postgres: { url: ${JSON.stringify(viaProxy)}, instanceName: cut }\n`);
  base = h.t.app.server!.url();
}, wallLimit(60_000));

// Stopping waits for the work the cut held (its connections end within the store's own limits): more than 5 s.
afterAll(async () => {
  proxy?.cut(false);
  await h?.close();
  await proxy?.close();
  await pg?.stop();
}, wallLimit(30_000));

interface Kind {
  name: string;
  write: boolean;
  send(i: number): Promise<Response>;
}

const json = { "content-type": "application/json" };
const KINDS: Kind[] = [
  { name: "kv get", write: false, send: (i) => fetch(`${base}/v4/keyvalues/cut?key=k${i}`) },
  {
    name: "kv set",
    write: true,
    send: (i) => fetch(`${base}/v4/keyvalues/cut`, { method: "POST", headers: json, body: JSON.stringify({ key: `k${i}`, value: `v${i}` }) }),
  },
  { name: "kv delete", write: true, send: (i) => fetch(`${base}/v4/keyvalues/cut/k${i - 1}`, { method: "DELETE" }) },
  { name: "kv namespaces", write: false, send: () => fetch(`${base}/v4/keyvaluesnamespaces`) },
  {
    name: "task start with a kv item",
    write: true,
    send: (i) =>
      fetch(`${base}/v4/reloadtask/-/start`, {
        method: "POST",
        headers: json,
        body: JSON.stringify([
          { type: "keyvaluestore", payload: { namespace: "chain", key: `run${i}`, value: "x", ttl: 60_000 } },
          { type: "starttaskid", payload: { taskId: T.salesReload } },
        ]),
      }),
  },
  { name: "deliveries list", write: false, send: () => fetch(`${base}/v4/deliveries`) },
];

interface Outcome {
  kind: string;
  ms: number;
  status?: number;
  closed?: string;
  code?: string;
  outcome?: string;
  retryAfter?: string | null;
}

async function sendTimed(kind: Kind, i: number): Promise<Outcome> {
  const started = performance.now();
  try {
    const res = await kind.send(i);
    const text = await res.text();
    const ms = performance.now() - started;
    const body = (text.startsWith("{") ? JSON.parse(text) : {}) as { code?: string; details?: { outcome?: string } };
    return { kind: kind.name, ms, status: res.status, code: body.code, outcome: body.details?.outcome, retryAfter: res.headers.get("retry-after") };
  } catch (err) {
    // The connection closed without an answer.
    return { kind: kind.name, ms: performance.now() - started, closed: String(err) };
  }
}

test("a 30 s silent cut on the default time limits: every request is answered within the bound, none is left without an answer", {
  timeout: wallLimit(120_000),
}, async () => {
  for (const kind of KINDS) expect((await sendTimed(kind, 0)).status).toBeLessThan(500);
  proxy.cut(true);
  const pending: Promise<Outcome>[] = [];
  const cutStarted = performance.now();
  let i = 1;
  try {
    while (performance.now() - cutStarted < CUT_MS) {
      for (const kind of KINDS) pending.push(sendTimed(kind, i));
      i++;
      await Bun.sleep(ROUND_MS);
    }
  } finally {
    proxy.cut(false);
  }
  const outcomes = await Promise.all(pending);
  const slowest = Math.max(...outcomes.map((o) => o.ms));
  const unavailable = outcomes.filter((o) => o.status === 503).length;
  console.log(`${outcomes.length} requests during the cut: ${unavailable} answered 503, the slowest after ${Math.round(slowest)} ms`);
  const wrong = outcomes.filter(
    (o) => o.closed !== undefined || o.ms >= STORE_ANSWER_BOUND_MS || o.status === undefined || (o.status >= 500 && o.status !== 503),
  );
  expect(wrong).toEqual([]);
  for (const o of outcomes.filter((x) => x.status === 503)) {
    expect(o.code).toBe("STORE_UNAVAILABLE");
    expect(o.retryAfter).toBe("5");
    if (KINDS.find((k) => k.name === o.kind)!.write) expect(["notApplied", "unknown"]).toContain(o.outcome!);
  }
  // The cut made the store unreachable for most of it: the requests were not all answered from elsewhere.
  expect(unavailable).toBeGreaterThan(outcomes.length / 2);
  // Back: writes are acknowledged again.
  await waitFor(async () => (await sendTimed(KINDS[1]!, 999)).status === 201, { timeoutMs: 30_000, what: "writes to be acknowledged after the cut" });
});
