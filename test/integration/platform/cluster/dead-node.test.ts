// One Steward per node of a two-node site, on one PostgreSQL, with reconciliation at its defaults (a pass every
// 300 s, runs younger than 60 s left to datagrams). One Steward is killed: its node's datagrams now reach nobody,
// so a failure on that node is heard only through QRS. The surviving Steward must alert it within the lease time
// plus a few seconds, not at the next five-minute pass; and a failure on its own node is still mailed once.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Simulator } from "../../../../src/sim";
import { type ClusterMember, IDS, memberPorts, memberYaml, runOn, siteSendingTo, startClusterSimulator, startMember } from "../../../helpers/cluster-stewards";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { mailsOfRun, oneMailPerNode } from "./one-mail-per-node";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { startSmtpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";

const dir = createTempDir("steward-dead-node-");
const LEASE_MS = 3_000;

let pg: PostgresService;
let sim: Simulator;
let smtp: SmtpReceiver;
const stewards: Array<ClusterMember & { node: string }> = [];

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("dead_node");
  smtp = await startSmtpReceiver();
  const ports = await memberPorts(["node-a", "node-b"]);
  sim = await startClusterSimulator(dir.path, siteSendingTo([ports[0]!.udp], [ports[1]!.udp]));
  const body = `channels:
  mail:
    type: email
    smtp: { host: 127.0.0.1, port: ${smtp.port}, security: none, maxConnections: 1 }
    from: steward@corp.example
    to: [ops@corp.example]
    timeout: 10s
routes:
  - { on: [task.failed], to: [mail], renotify: every }
notify:
  outbox: { concurrency: 2, initialBackoff: 200ms, maxBackoff: 1s }
`;
  for (const [p, node] of [
    [ports[0]!, "Central"],
    [ports[1]!, "Reload01"],
  ] as const)
    stewards.push({ ...(await startMember(dir.path, p, memberYaml({ url, ports: p, sim, leaseMs: LEASE_MS, body }))), node });
});

afterAll(async () => {
  for (const s of stewards) await s.proc.stop("SIGKILL", 1_000);
  await smtp?.stop();
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

const mailsOf = (executionId: string) => mailsOfRun(smtp, executionId);

const failOn = (taskId: string, node: string) => runOn(sim, taskId, node, "fail");

test("a failure on the node of a killed Steward is alerted within the lease time plus seconds, with reconciliation every 300 s", {
  timeout: 90_000,
}, async () => {
  const [a, b] = stewards as [(typeof stewards)[number], (typeof stewards)[number]];
  // Both Stewards hear their own node, and mail it.
  const warm = await oneMailPerNode(sim, smtp, a, b);
  await b.proc.stop("SIGKILL", 1_000);
  const onDeadNode = await failOn(IDS.reload, b.node);
  // Lease (3 s) + a check every 2 s + runs younger than 3 s left to datagrams + QRS and SMTP: far below the
  // default five-minute pass, which is what a Steward did before.
  await waitFor(() => mailsOf(onDeadNode).length >= 1 || undefined, {
    what: `the mail for ${onDeadNode} on the dead Steward's node`,
    timeoutMs: LEASE_MS + 15_000,
  }).catch((err) => {
    console.error(
      a.proc
        .output()
        .split("\n")
        .filter((l) => /reconcil|cluster|lead/i.test(l))
        .slice(-20)
        .join("\n"),
    );
    throw err;
  });
  const onLiveNode = await failOn(IDS.userSync, a.node);
  await waitFor(() => mailsOf(onLiveNode).length >= 1 || undefined, { what: "the mail for the live node's failure", timeoutMs: 20_000 });
  await Bun.sleep(2_000); // a duplicate would come now
  expect([...warm, onDeadNode, onLiveNode].map((id) => mailsOf(id).length)).toEqual([1, 1, 1, 1]);
  // The live node's run came by its datagram; the dead node's through QRS.
  expect(a.proc.output()).toContain("a Steward of the cluster is down");
});
