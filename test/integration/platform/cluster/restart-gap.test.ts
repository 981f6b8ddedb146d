// One Steward per node of a two-node site, on one PostgreSQL, with reconciliation at its defaults (a pass every
// 300 s, runs younger than 60 s left to datagrams). One Steward is killed and started again; it rejoins the cluster
// before it listens for datagrams (seconds, longer on a busy machine). Here its node's datagrams still reach nobody
// after it is back (it listens on another port), as in that gap: a failure on that node must be alerted within
// seconds through QRS, not at the next five-minute pass because the member looks alive again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import postgres from "postgres";
import type { Simulator } from "../../../../src/sim";
import {
  type ClusterMember,
  IDS,
  memberPorts,
  memberYaml,
  runOn,
  siteSendingTo,
  startClusterSimulator,
  startMember,
  startMemberProcess,
} from "../../../helpers/cluster-stewards";
import { freeUdpPort } from "../../../helpers/free-port";
import { startPostgres, type PostgresService } from "../../../helpers/services";
import { mailsOfRun, oneMailPerNode } from "./one-mail-per-node";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor, waitForHttp } from "../../../helpers/wait-for";
import { startSmtpReceiver, type SmtpReceiver } from "../../tell/notify/receivers";

const dir = createTempDir("steward-restart-gap-");
const LEASE_MS = 3_000;

let pg: PostgresService;
let sim: Simulator;
let smtp: SmtpReceiver;
const stewards: Array<ClusterMember & { node: string; udpPort: number }> = [];

beforeAll(async () => {
  pg = await startPostgres();
  const url = await pg.createDatabase("restart_gap");
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
  - { on: [task.failed], to: [mail], renotify: every }   # the tests fail the same task again: every failure pages
notify:
  outbox: { concurrency: 2, initialBackoff: 200ms, maxBackoff: 1s }
`;
  // Both at once: each waits on its own start, not on the other's.
  const started = await Promise.all(
    (
      [
        [ports[0]!, "Central"],
        [ports[1]!, "Reload01"],
      ] as const
    ).map(async ([p, node]) => ({ ...(await startMember(dir.path, p, memberYaml({ url, ports: p, sim, leaseMs: LEASE_MS, body }))), node, udpPort: p.udp })),
  );
  stewards.push(...started);
  dbUrl = url;
});

let dbUrl = "";
/** node-b's members as the database sees them: how long ago each instance was heard from, by its own clock. */
async function heartbeatAges(name: string): Promise<number[]> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) - heartbeat_at AS age FROM cluster_members WHERE name = ${name}`;
    return rows.map((r) => Number(r.age));
  } finally {
    await sql.end({ timeout: 1 });
  }
}

afterAll(async () => {
  for (const s of stewards) await s.proc.stop("SIGKILL", 1_000);
  await smtp?.stop();
  await sim?.stop();
  await pg?.stop();
  dir.remove();
});

const mailsOf = (executionId: string) => mailsOfRun(smtp, executionId);

const failOn = (taskId: string, node: string) => runOn(sim, taskId, node, "fail");

test("a failure on the node of a killed Steward that is back but not yet listening is alerted within seconds", { timeout: 120_000 }, async () => {
  const [a, b] = stewards as [(typeof stewards)[number], (typeof stewards)[number]];
  const warm = await oneMailPerNode(sim, smtp, a, b);

  await b.proc.stop("SIGKILL", 1_000);
  // Started again (a new instance under the same name), listening where its node's appender does not send.
  const elsewhere = await freeUdpPort();
  writeFileSync(b.config, readFileSync(b.config, "utf8").replace(`port: ${b.udpPort} }`, `port: ${elsewhere} }`));
  b.proc = startMemberProcess(b.config);
  await waitForHttp(`${b.base}/health`, { timeoutMs: 30_000 });
  // Its heartbeat is in and the killed instance's is older than the lease: the member looks alive again, its
  // killed instance dead (what the sleep of a lease time after the start waited for).
  await waitFor(
    async () => {
      const ages = await heartbeatAges(b.name);
      return (ages.some((age) => age <= LEASE_MS) && ages.some((age) => age > LEASE_MS)) || undefined;
    },
    { what: `${b.name}'s new instance alive and its killed one past the lease`, timeoutMs: 30_000, intervalMs: 100 },
  );
  const onDeafNode = await failOn(IDS.reload, b.node);
  await waitFor(() => mailsOf(onDeafNode).length >= 1 || undefined, {
    what: `the mail for ${onDeafNode} on the restarted Steward's node`,
    timeoutMs: LEASE_MS + 20_000,
  });
  await Bun.sleep(2_000); // a duplicate would come now
  expect([...warm, onDeafNode].map((id) => mailsOf(id).length)).toEqual([1, 1, 1]);
});
