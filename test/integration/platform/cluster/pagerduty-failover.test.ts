// PagerDuty across a failover: two Stewards on one PostgreSQL, a run failing on the site. The Steward sending the
// incident's trigger is killed (SIGKILL) while PagerDuty has the request and has not answered; the other one (started
// after it, so it cannot take the delivery first) sends the trigger again when it takes over the delivery. PagerDuty dedups on the key, so it is still one alert: the receiver
// (checking every request against the Events API v2 schema) sees one dedup key for the incident, and the acknowledge
// and resolve that follow from the surviving Steward carry the same key.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Simulator } from "../../../../src/sim";
import type { RunningProcess } from "../../../helpers/child-process";
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
import { startPagerDutyReceiver, type OnCallReceiver, type PagerDutyEvent } from "../../tell/notify/on-call-receivers";

const dir = createTempDir("steward-pd-failover-");
const LEASE_MS = 3_000;
const ROUTING_KEY = "F0123456789abcdef0123456789abcde";

let pg: PostgresService;
let sim: Simulator;
let pd: OnCallReceiver<PagerDutyEvent>;
let url: string;
const procs: RunningProcess[] = [];
let ports: MemberPorts[] = [];

async function startSteward(p: MemberPorts): Promise<ClusterMember> {
  const body = `channels:
  oncall: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue", timeout: 5s }
routes:
  - { on: [task.failed, task.recovered], to: [oncall] }
notify:
  outbox: { concurrency: 2, initialBackoff: 200ms, maxBackoff: 1s }
`;
  const member = await startMember(dir.path, p, memberYaml({ url, ports: p, sim, leaseMs: LEASE_MS, body }));
  procs.push(member.proc);
  return member;
}

beforeAll(async () => {
  pg = await startPostgres();
  url = await pg.createDatabase("pd_failover");
  pd = startPagerDutyReceiver();
  ports = await memberPorts(["node-a", "node-b"]);
  // The node's Scheduler tells both Stewards (udpTargets): whichever is alive hears the run.
  sim = await startClusterSimulator(dir.path, siteSendingTo(ports.map((p) => p.udp)));
}, 60_000);

afterAll(async () => {
  pd?.release();
  for (const p of procs) await p.stop("SIGKILL", 1_000);
  await pd?.stop();
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

const runTask = (outcome: "fail" | "succeed") => runOn(sim, IDS.reload, "Central", outcome);

test("the Steward sending a trigger dies before PagerDuty answers: the other sends it again under the same dedup key, then acknowledges and resolves", {
  timeout: 120_000,
}, async () => {
  // Only A runs: it hears the failure, opens the incident and sends the trigger, which PagerDuty holds.
  const a = await startSteward(ports[0]!);
  pd.hold();
  await runTask("fail");
  await waitFor(() => pd.accepted.length >= 1 || undefined, { what: "the trigger in flight", timeoutMs: 30_000 });
  const first = pd.accepted[0]!.body;
  expect(first.event_action).toBe("trigger");
  const key = first.dedup_key!;
  expect(key).toMatch(/^steward-incident-\d+$/);
  process.kill(a.proc.pid, "SIGKILL");
  await a.proc.exited;
  pd.release();

  // B takes over the delivery A left in sending once A's lease is gone, and sends it again.
  const b = await startSteward(ports[1]!);
  await waitFor(() => pd.accepted.filter((r) => r.body.event_action === "trigger").length >= 2 || undefined, {
    what: "the trigger sent again by the surviving Steward",
    timeoutMs: 60_000,
  });
  const id = Number(key.slice("steward-incident-".length));
  const ack = await fetch(`${b.base}/v4/incidents/${id}/acknowledge`, { method: "POST", body: "{}" });
  expect(ack.status).toBe(200);
  await waitFor(() => pd.accepted.some((r) => r.body.event_action === "acknowledge") || undefined, { what: "the acknowledge" });
  await runTask("succeed");
  await waitFor(() => pd.accepted.some((r) => r.body.event_action === "resolve") || undefined, { what: "the resolve", timeoutMs: 30_000 });
  await Bun.sleep(1_000); // anything more would come now

  expect(pd.rejected).toEqual([]);
  // One incident, one dedup key: PagerDuty holds one alert however often the trigger came.
  expect([...new Set(pd.accepted.map((r) => r.body.dedup_key))]).toEqual([key]);
  const actions = pd.accepted.map((r) => r.body.event_action);
  expect(actions.slice(-2)).toEqual(["acknowledge", "resolve"]);
  expect(actions.filter((x) => x === "trigger").length).toBe(2);
  // The delivery was sent by B and recorded as delivered once.
  const deliveries = (await (await fetch(`${b.base}/v4/deliveries?channel=oncall&limit=20`)).json()) as { deliveries: Array<{ status: string; kind: string }> };
  expect(deliveries.deliveries.map((d) => [d.kind, d.status]).sort()).toEqual([
    ["alert.acknowledge", "delivered"],
    ["task.failed", "delivered"],
    ["task.recovered", "delivered"],
  ]);
});
