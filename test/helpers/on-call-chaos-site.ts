// The set-up of the on-call chaos scenario (issue 84): three Stewards on one PostgreSQL of the file's own (so it can be
// stopped), one per node of a simulated three-node site with many external-program tasks, each node's Scheduler
// sending to its own node's Steward; every Steward pages PagerDuty, Opsgenie, Jira Service Management (the strict
// local receivers of pagerduty-receiver.ts and opsgenie-receiver.ts) and a real Alertmanager. The scenario brings the
// load and the faults; this gives it the handles: the site's control API, the members (killed and started again by
// name), and who holds the site-wide duties.
import type { Simulator } from "../../src/sim";
import { alertmanagerAlerts, startAlertmanager } from "./alertmanager";
import { type ClusterMember, type MemberPorts, memberPorts, memberYaml, startClusterSimulator, startMember, startMemberProcess } from "./cluster-stewards";
import type { OnCallReceiver } from "./on-call-receiver";
import { type OpsgenieRequest, startOpsgenieReceiver } from "./opsgenie-receiver";
import { type PagerDutyEvent, startPagerDutyReceiver } from "./pagerduty-receiver";
import { type PostgresService, startPostgres, type TestService } from "./services";
import { simControl } from "./sim-control";
import { SITE_YAML } from "../integration/hear/intake/harness";
import { createTempDir } from "./temp-dir";
import { waitForHttp } from "./wait-for";
import { type HttpReceiver, startHttpReceiver } from "../integration/tell/notify/receivers";

export const NODES = ["Central", "Reload01", "Reload02"] as const;
const ROUTING_KEY = "C0123456789abcdef0123456789abcde";
const LEASE_MS = 3_000;

export interface ChaosMember extends ClusterMember {
  node: (typeof NODES)[number];
  /** Killed by the scenario and not started again yet: not asked anything. */
  down: boolean;
}

export interface OnCallChaosSite {
  pg: PostgresService;
  sim: Simulator;
  pd: OnCallReceiver<PagerDutyEvent>;
  og: OnCallReceiver<OpsgenieRequest>;
  jsm: OnCallReceiver<OpsgenieRequest>;
  am: TestService;
  /**
   * A webhook paged by a route of the failures run on Central only, and told recoveries by a route that takes only
   * them: it must get the recovery of each incident it was paged for, after the page, and no other.
   */
  hook: HttpReceiver;
  members: ChaosMember[];
  /** The site's task ids, external programs that fail or succeed as told. */
  tasks: string[];
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  /** The label steward_incident of each alert Alertmanager holds now (active, silenced or not yet processed). */
  alertmanagerLabels(): Promise<string[]>;
  /** The live member holding the most site-wide duties (steward_cluster_duty_held), with the duties it holds. */
  dutyHolder(): Promise<{ member: ChaosMember; duties: string[] } | undefined>;
  kill(m: ChaosMember): Promise<void>;
  restart(m: ChaosMember): Promise<void>;
  stop(): Promise<void>;
}

/** A task id of the site: 2b000000-…-<n>, external programs named Extract <n>. */
const taskId = (n: number) => `2b000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function siteYaml(ports: MemberPorts[], taskCount: number): string {
  const nodes = NODES.map(
    (node, i) => `  - { name: ${node}, hostName: sense${i + 1}.test.example${i === 0 ? ", central: true" : ""}, udpTargets: ["127.0.0.1:${ports[i]!.udp}"] }`,
  ).join("\n");
  const tasks = Array.from(
    { length: taskCount },
    (_, n) => `  - { id: ${taskId(n)}, name: Extract ${String(n).padStart(3, "0")}, type: externalProgram, path: "C:\\\\tools\\\\extract.cmd" }`,
  ).join("\n");
  // The harness's site, its nodes replaced, its tasks (the list ends the file) followed by the scenario's.
  return `${SITE_YAML.replace("  - { name: Central, hostName: sense1.test.example, central: true }", nodes).trimEnd()}\n${tasks}\n`;
}

export async function startOnCallChaosSite(taskCount: number): Promise<OnCallChaosSite> {
  const dir = createTempDir("steward-on-call-chaos-");
  const pg = await startPostgres({ own: true });
  const url = await pg.createDatabase("on_call_chaos");
  const pd = startPagerDutyReceiver();
  const og = startOpsgenieReceiver("og-key");
  const jsm = startOpsgenieReceiver("jsm-key", "/jsm/ops/integration");
  const am = await startAlertmanager();
  const hook = startHttpReceiver();
  const ports = await memberPorts(["node-a", "node-b", "node-c"]);
  const sim = await startClusterSimulator(dir.path, siteYaml(ports, taskCount));
  // Grouping off: each failure is its own incident, the unit the scenario counts.
  const body = `logging: { level: warn }
intake: { reconcile: { intervalSeconds: 1, settleSeconds: 2 } }
grouping: { enabled: false }
channels:
  pd: { type: pagerduty, routingKey: "${ROUTING_KEY}", url: "${pd.url}/v2/enqueue", timeout: 10s }
  og: { type: opsgenie, apiKey: og-key, url: "${og.url}", timeout: 10s }
  jsm: { type: opsgenie, apiKey: jsm-key, url: "${jsm.url}/jsm/ops/integration", timeout: 10s }
  am: { type: alertmanager, urls: ["${am.url}"], resendEvery: 5s, timeout: 10s }
  hook: { type: webhook, url: "${hook.url}/hook", timeout: 10s }
routes:
  - { on: [task.failed, task.recovered], to: [pd, og, jsm, am] }
  - { name: central-pages, on: [task.failed], to: [hook], hosts: [sense1.test.example] }
  - { name: recoveries-only, on: [task.recovered], to: [hook] }
notify:
  outbox: { concurrency: 4, initialBackoff: 200ms, maxBackoff: 2s }
`;
  const members: ChaosMember[] = [];
  const stop = async () => {
    for (const m of members) await m.proc.stop("SIGKILL", 1_000);
    await sim.stop();
    for (const r of [pd, og, jsm]) await r.stop();
    await hook.stop();
    await am.stop();
    await pg.stop();
    dir.remove();
  };
  try {
    for (const [i, p] of ports.entries()) {
      const m = await startMember(dir.path, p, memberYaml({ url, ports: p, sim, leaseMs: LEASE_MS, body }));
      members.push({ ...m, node: NODES[i]!, down: false });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const metrics = (m: ChaosMember) =>
    fetch(`${m.base}/metrics`, { signal: AbortSignal.timeout(3_000) })
      .then((r) => r.text())
      .catch(() => "");
  return {
    pg,
    sim,
    pd,
    og,
    jsm,
    am,
    hook,
    members,
    tasks: Array.from({ length: taskCount }, (_, n) => taskId(n)),
    control: (method, path, b) => simControl(sim, method, path, b),
    alertmanagerLabels: async () => (await alertmanagerAlerts(am)).map((a) => a.labels.steward_incident ?? `(no steward_incident: ${a.labels.alertname})`),
    async dutyHolder() {
      let best: { member: ChaosMember; duties: string[] } | undefined;
      for (const m of members.filter((x) => !x.down)) {
        const duties = [...(await metrics(m)).matchAll(new RegExp(`steward_cluster_duty_held\\{duty="([^"]+)",instance="${m.name}"\\} 1`, "g"))].map(
          (x) => x[1]!,
        );
        if (!best || duties.length > best.duties.length) best = { member: m, duties };
      }
      return best;
    },
    async kill(m) {
      m.down = true;
      m.proc.signal("SIGKILL");
      await m.proc.exited;
    },
    async restart(m) {
      m.proc = startMemberProcess(m.config);
      // Up to a minute: a Steward started while PostgreSQL is stopped waits for it.
      await waitForHttp(`${m.base}/health`, { timeoutMs: 60_000 });
      m.down = false;
    },
    stop,
  };
}
