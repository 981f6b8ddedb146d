// An approved action whose Steward dies mid-way, with two Stewards running as their own processes on one PostgreSQL
// (lease 3 s, QRS timeout 10 s, no retries). A reload fails with a connection error; key-anna asks for a retry on one
// member (two-person rule: it waits), key-bob confirms it on the other. The simulator holds the start request 8 s (a
// QRS slow to answer, Qlik's start still processed when it comes); while it is held the member that claimed the
// action and sent the start is killed (SIGKILL). The other member takes the action over once the claim is free:
// never while the start may still reach Qlik (past the lease, the claim is held for the start's timeout), so it finds
// the run the dead member started, adopts it and does not start the task again: one start, one run, the action ended.
// Before, it took the claim over at the lease (3 s), saw no new run yet and started the task a second time. Then, the
// killed member back: killed after claiming while QRS holds its read of the task (before any start), the other takes
// the claim over at the lease and starts the task once.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Simulator } from "../../../../src/sim";
import { generateApiKey, hashApiKey } from "../../../../src/platform/security/api-keys";
import {
  type ClusterMember,
  type MemberPorts,
  memberPorts,
  memberYaml,
  runOn,
  startClusterSimulator,
  startMember,
  startMemberProcess,
} from "../../../helpers/cluster-stewards";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { simControl } from "../../../helpers/sim-control";
import { createTempDir } from "../../../helpers/temp-dir";
import { wallLimit } from "../../../helpers/time-limit";
import { waitFor, waitForHttp } from "../../../helpers/wait-for";

const TASK = "d4e00000-0000-4000-8000-000000000001";
const CONNECTION = "Cannot connect to the data source crm-db.corp.example:1433: connection refused";
const HOLD_MS = 8_000;
const LEASE_MS = 3_000;
const KEYS = { anna: generateApiKey(), bob: generateApiKey() };
const site = (udp: number[]) => `
site: { name: Killed mid-action }
nodes:
  - { name: Central, hostName: sense1.test.example, central: true, udpTargets: [${udp.map((p) => `"127.0.0.1:${p}"`).join(", ")}] }
users:
  - { userDirectory: INTERNAL, userId: sa_scheduler }
apps:
  - { name: CRM, owner: INTERNAL\\sa_scheduler }
tasks:
  - { id: ${TASK}, name: Reload CRM, type: reload, app: CRM, maxRetries: 0, scriptError: "${CONNECTION}" }
`;

const dir = createTempDir("steward-remedy-killed-");
let pg: PostgresService;
let sim: Simulator;
const members = new Map<string, ClusterMember>();
/** The task's runs that ended in the simulator, after the failing one. */
let runs = 0;

type Action = { id: number; status: string; claimedBy: string | null; claims: number; qlikAnswer: string | null; outcome: string | null };
const call = (m: ClusterMember, path: string, key: string, method = "GET") =>
  fetch(`${m.base}${path}`, { method, headers: { "x-api-key": key, "content-type": "application/json" }, ...(method === "POST" ? { body: "{}" } : {}) });
const startRequests = () => sim.requests.list({ source: "qrs", method: "POST" }).filter((r) => r.path.toLowerCase().includes(`/task/${TASK}/start`)).length;

/** The task fails on Central; the incident its connection error opened, once the failing run has ended. */
async function failedIncident(m: ClusterMember, what: string): Promise<{ id: number }> {
  await runOn(sim, TASK, "Central", "fail");
  const incident = await waitFor(
    async () => {
      const list = (await (await call(m, "/v4/incidents?status=open", KEYS.anna)).json()) as { incidents: Array<{ id: number; errorClass: string | null }> };
      return list.incidents.find((i) => i.errorClass === "connection");
    },
    { what, timeoutMs: 30_000 },
  );
  await waitFor(() => !sim.tasks.isRunning(TASK), { what: "the failing run to end" });
  return incident;
}

/** The incident's action as `m` shows it, once `ready` holds for it. */
function actionWhen(m: ClusterMember, key: string, incidentId: number, ready: (x: Action) => boolean, what: string, timeoutMs?: number) {
  return waitFor(
    async () => {
      const [x] = ((await (await call(m, `/v4/incidents/${incidentId}/actions`, key)).json()) as { actions: Action[] }).actions;
      return x && ready(x) ? x : undefined;
    },
    { what, timeoutMs },
  );
}
const claimed = (x: Action) => x.status === "claimed" && !!x.claimedBy;
const ended = (x: Action) => x.status === "ended";

/** Kills (SIGKILL) the member holding `held`'s claim: it (the starter) and the other member (the survivor). */
async function killClaimer(held: Action): Promise<{ starter: ClusterMember; survivor: ClusterMember }> {
  const starter = [...members.values()].find((m) => held.claimedBy!.startsWith(`${m.name}-`))!;
  const survivor = [...members.values()].find((m) => m !== starter)!;
  process.kill(starter.proc.pid, "SIGKILL");
  await starter.proc.exited;
  return { starter, survivor };
}

beforeAll(async () => {
  pg = await startPostgres({ own: true });
  const url = await pg.createDatabase("remedy_killed");
  const ports = await memberPorts(["node-a", "node-b"]);
  sim = await startClusterSimulator(dir.path, site(ports.map((p) => p.udp)));
  const body = `remediation:
  lease: ${LEASE_MS / 1000}s
  pollInterval: 500ms
  approval: { retry: two-person }
security:
  apiKeys:
    - { name: key-anna, hash: "${hashApiKey(KEYS.anna)}", scopes: [read, tasks] }
    - { name: key-bob, hash: "${hashApiKey(KEYS.bob)}", scopes: [read, tasks] }
`;
  for (const p of ports as MemberPorts[]) members.set(p.name, await startMember(dir.path, p, memberYaml({ url, ports: p, sim, leaseMs: LEASE_MS, body })));
}, wallLimit(120_000));

afterAll(async () => {
  for (const m of members.values()) await m.proc.stop("SIGKILL", 1_000);
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

test("the member starting an approved retry is killed while QRS holds the start: the other completes it once", {
  timeout: wallLimit(120_000),
}, async () => {
  const [a, b] = [members.get("node-a")!, members.get("node-b")!];
  const incident = await failedIncident(a, "the connection error's incident");
  sim.tasks.onFinished((taskId) => {
    if (taskId.toLowerCase() === TASK) runs++;
  });
  await simControl(sim, "POST", "/faults", { target: "qrs", method: "POST", pathContains: `/task/${TASK}/start`, delayMs: HOLD_MS, count: 1 });

  const asked = await call(a, `/v4/incidents/${incident.id}/retry`, KEYS.anna, "POST");
  expect(asked.status).toBe(202);
  const { action } = (await asked.json()) as { action: Action };
  expect(action.status).toBe("awaiting");
  // The confirmation's answer comes once its member's look is over (its start answered): not awaited here.
  const confirming = call(b, `/v4/remediation/actions/${action.id}/confirm`, KEYS.bob, "POST").catch(() => undefined);

  // The start is on its way: the simulator took the fault (it holds that request) and a member holds the claim.
  await waitFor(async () => ((await simControl(sim, "GET", "/faults")) as unknown[]).length === 0 || undefined, { what: "the start request held" });
  const held = await actionWhen(b, KEYS.bob, incident.id, claimed, "the claim");
  const { starter, survivor } = await killClaimer(held);
  // Its member alive, the confirmation was answered; killed, its connection dropped.
  const answer = await confirming;
  if (starter !== b) expect(answer?.status).toBe(202);

  const done = await actionWhen(survivor, KEYS.bob, incident.id, ended, "the survivor to complete the action", 60_000);
  expect(done.claims).toBe(2);
  expect(done.claimedBy?.startsWith(`${survivor.name}-`)).toBe(true);
  expect(done.qlikAnswer).toContain("adopted the run");
  expect(done.outcome).toBe("succeeded");
  // Give a second start, were one coming, the time to show: two more looks of the survivor.
  await Bun.sleep(1_500);
  expect(startRequests()).toBe(1);
  expect(runs).toBe(1);
  // Back for the next test, under the same name.
  starter.proc = startMemberProcess(starter.config);
  await waitForHttp(`${starter.base}/health`, { timeoutMs: 30_000 });
});

test("the member is killed after claiming, while QRS holds its look at the task: the other starts it, once", {
  timeout: wallLimit(120_000),
}, async () => {
  const [a, b] = [members.get("node-a")!, members.get("node-b")!];
  const incident = await failedIncident(a, "the new failure's incident");
  runs = 0;
  const startsBefore = startRequests();
  // Every read of a task in QRS answers 8 s late: the claimer is stuck before its start.
  const fault = (await simControl(sim, "POST", "/faults", { target: "qrs", method: "GET", pathContains: "/task/full", delayMs: HOLD_MS })) as { id: string };
  const { action } = (await (await call(b, `/v4/incidents/${incident.id}/retry`, KEYS.bob, "POST")).json()) as { action: Action };
  const confirming = call(a, `/v4/remediation/actions/${action.id}/confirm`, KEYS.anna, "POST").catch(() => undefined);
  const held = await actionWhen(a, KEYS.anna, incident.id, claimed, "the claim");
  const { survivor } = await killClaimer(held);
  await confirming;
  await simControl(sim, "DELETE", `/faults/${fault.id}`);

  const done = await actionWhen(survivor, KEYS.bob, incident.id, ended, "the survivor to complete the action", 60_000);
  expect(done.claims).toBe(2);
  expect(done.claimedBy?.startsWith(`${survivor.name}-`)).toBe(true);
  expect(done.qlikAnswer).toContain("Qlik started the task");
  expect(done.outcome).toBe("succeeded");
  await Bun.sleep(1_500);
  expect(startRequests()).toBe(startsBefore + 1);
  expect(runs).toBe(1);
});
