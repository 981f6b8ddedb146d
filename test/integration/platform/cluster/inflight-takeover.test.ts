// A dead member's sends in flight are taken over when its lease ends (issue 75, F2). Two Stewards on one PostgreSQL
// (lease 3 s), a webhook at the channel's default timeout (30 s) that holds every request open. A run fails: one
// Steward claims the alert and its request hangs. While both are alive the other leaves it alone (no second request
// for longer than two leases). Then the sending Steward is killed (SIGKILL): the other sends the alert again about a
// lease later. Before, it waited until the claim was older than the channel timeout (30 s) and looked every 15 s.
// First, PostgreSQL stopped for longer than the lease with a send in flight: every heartbeat is late when it is back,
// yet no member takes the other's send (a member alive at the last look is given two heartbeats to show up again).
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import type { Simulator } from "../../../../src/sim";
import {
  type ClusterMember,
  IDS,
  type MemberPorts,
  memberPorts,
  memberYaml,
  runOn,
  siteSendingTo,
  startClusterSimulator,
  startMember,
} from "../../../helpers/cluster-stewards";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { wallLimit } from "../../../helpers/time-limit";

const dir = createTempDir("steward-inflight-takeover-");
const LEASE_MS = 3_000;
const CHANNEL_TIMEOUT_MS = 30_000;

let pg: PostgresService;
let sim: Simulator;
let url: string;
const stewards = new Map<string, ClusterMember>();

/** A webhook that answers nothing while `holding`: each request it gets is recorded with the time it came. */
function startHoldingHook() {
  let holding = true;
  const waiting: Array<() => void> = [];
  const requests: Array<{ at: number; body: { kind?: string; event?: { id?: string } } }> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(req) {
      requests.push({ at: Date.now(), body: (await req.json()) as (typeof requests)[number]["body"] });
      if (holding) await new Promise<void>((r) => waiting.push(r));
      return new Response("ok");
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/alerts`,
    requests,
    release() {
      holding = false;
      for (const r of waiting.splice(0)) r();
    },
    hold() {
      holding = true;
    },
    stop: () => server.stop(true),
  };
}
let hook: ReturnType<typeof startHoldingHook>;

async function startSteward(p: MemberPorts): Promise<void> {
  const body = `channels:
  hook: { type: webhook, url: "${hook.url}", timeout: ${CHANNEL_TIMEOUT_MS / 1000}s }
routes:
  - { on: [task.failed], to: [hook], renotify: every }   # each test fails the same task again: every failure pages
`;
  stewards.set(p.name, await startMember(dir.path, p, memberYaml({ url, ports: p, sim, leaseMs: LEASE_MS, body })));
}

beforeAll(async () => {
  pg = await startPostgres({ own: true });
  url = await pg.createDatabase("inflight_takeover");
  hook = startHoldingHook();
  const ports = await memberPorts(["node-a", "node-b"]);
  // The node's Scheduler tells both Stewards: whichever claims the alert sends it.
  sim = await startClusterSimulator(dir.path, siteSendingTo(ports.map((p) => p.udp)));
  for (const p of ports) await startSteward(p);
}, wallLimit(120_000));

afterAll(async () => {
  hook?.release();
  for (const s of stewards.values()) await s.proc.stop("SIGKILL", 1_000);
  await hook?.stop();
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

/** The alert deliveries as a Steward lists them: their status. */
async function deliveries(base: string): Promise<string[]> {
  const r = (await (await fetch(`${base}/v4/deliveries?channel=hook&limit=10`)).json()) as { deliveries: Array<{ status: string }> };
  return r.deliveries.map((d) => d.status);
}

/**
 * The tail of a test whose alert in flight nobody may send twice: still one request, then the hook answers, the alert
 * is recorded as delivered and a second later there is still one request. Whatever it finds, the hook's requests are
 * forgotten and it holds again for the next test (a failure here is this test's alone, not the next ones').
 */
async function releasedDeliveredStillOne(): Promise<void> {
  const inFlight = hook.requests.length;
  hook.release();
  try {
    expect(inFlight).toBe(1);
    const base = [...stewards.values()][0]!.base;
    // Every delivery the member lists (an earlier test's too, on the same store), and at least this one.
    const allDelivered = async () => {
      const statuses = await deliveries(base);
      return statuses.length > 0 && statuses.every((s) => s === "delivered") ? true : undefined;
    };
    await waitFor(allDelivered, { what: "the alerts recorded as delivered", timeoutMs: 30_000 });
    await Bun.sleep(1_000);
    expect(hook.requests).toHaveLength(1);
  } finally {
    hook.requests.length = 0;
    hook.hold();
  }
}

async function failAndWaitInFlight(n: number): Promise<void> {
  await runOn(sim, IDS.reload, "Central", "fail");
  await waitFor(() => hook.requests.length >= n || undefined, { what: "the alert in flight", timeoutMs: 30_000 });
}

test("PostgreSQL stopped for longer than the lease with an alert in flight: when it is back, nobody sends it a second time", {
  timeout: wallLimit(120_000),
}, async () => {
  await failAndWaitInFlight(1);
  await pg.halt();
  await Bun.sleep(LEASE_MS + 2_000);
  await pg.resume();
  // Every heartbeat was older than the lease when the store came back; the members look every second meanwhile.
  await Bun.sleep(LEASE_MS + 1_000);
  await releasedDeliveredStillOne();
});

/** The member whose claim the alert in flight is (PostgreSQL must be up). */
async function senderOfInFlight(): Promise<ClusterMember> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<Array<{ claimed_by: string }>>`SELECT claimed_by FROM notify_deliveries WHERE status = 'sending'`;
    const name = [...stewards.keys()].find((n) => row?.claimed_by.startsWith(`${n}-`));
    expect(name).toBeDefined();
    return stewards.get(name!)!;
  } finally {
    await sql.end();
  }
}

test("PostgreSQL back, the sending member slow to beat again (stopped 3 s more): nobody sends its alert a second time", {
  timeout: wallLimit(120_000),
}, async () => {
  await failAndWaitInFlight(1);
  const sender = await senderOfInFlight();
  await pg.halt();
  await Bun.sleep(LEASE_MS + 2_000);
  // The other member is back with the store at once; the sender has its heartbeat back only 3 s later. Before, the
  // other gave it half a lease (1.5 s) from its first look and sent the alert again.
  process.kill(sender.proc.pid, "SIGSTOP");
  try {
    await pg.resume();
    await Bun.sleep(3_000);
  } finally {
    process.kill(sender.proc.pid, "SIGCONT");
  }
  await Bun.sleep(LEASE_MS + 1_000);
  await releasedDeliveredStillOne();
});

test("the member sending an alert dies with the request open: the other sends it about a lease later, not after the channel timeout", {
  timeout: wallLimit(120_000),
}, async () => {
  await failAndWaitInFlight(1);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<Array<{ claimed_by: string }>>`SELECT claimed_by FROM notify_deliveries WHERE status = 'sending'`;
    const sender = [...stewards.keys()].find((n) => row?.claimed_by.startsWith(`${n}-`));
    expect(sender).toBeDefined();
    // Both alive for more than two leases: the claim stays the sender's, nobody sends the alert a second time.
    await Bun.sleep(2 * LEASE_MS + 1_000);
    expect(hook.requests).toHaveLength(1);

    const dying = stewards.get(sender!)!;
    process.kill(dying.proc.pid, "SIGKILL");
    await dying.proc.exited;
    const killedAt = Date.now();
    hook.release();
    await waitFor(() => hook.requests.length >= 2 || undefined, { what: "the alert sent again by the surviving member", timeoutMs: 60_000 });
    const delay = hook.requests[1]!.at - killedAt;
    // About the lease (3 s) and a look; loosely bounded: well under the channel timeout it waited for before.
    expect(delay).toBeLessThan(CHANNEL_TIMEOUT_MS / 2);
    expect(hook.requests[1]!.body).toEqual(hook.requests[0]!.body);

    const survivor = [...stewards.entries()].find(([n]) => n !== sender)![1];
    await waitFor(async () => ((await deliveries(survivor.base)).every((s) => s === "delivered") ? true : undefined), {
      what: "the delivery recorded as delivered",
    });
    await Bun.sleep(1_000);
    expect(hook.requests).toHaveLength(2);
  } finally {
    await sql.end();
  }
});
