// Several Stewards run as their own processes on one PostgreSQL, beside one simulated site: the set-up the cluster
// tests share (a member's config with its lease and heartbeat, the site whose nodes send their datagrams to chosen
// members, a member started and waited for). Each test keeps what it is about (its channels, routes and faults).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startSimulator, type Simulator } from "../../src/sim";
import { IDS, SITE_YAML } from "../integration/hear/intake/harness";
import { startProcess, type RunningProcess } from "./child-process";
import { freeTcpPort, freeUdpPort } from "./free-port";
import { simCertDir } from "./sim-certs";
import { simControl } from "./sim-control";
import { waitFor, waitForHttp } from "./wait-for";

const REPO = join(import.meta.dir, "../..");
const CENTRAL = "  - { name: Central, hostName: sense1.test.example, central: true }";

export { IDS };

export interface MemberPorts {
  name: string;
  http: number;
  udp: number;
}

export interface ClusterMember {
  name: string;
  base: string;
  config: string;
  proc: RunningProcess;
}

/** A free HTTP and UDP port for each member name. */
export async function memberPorts(names: string[]): Promise<MemberPorts[]> {
  const out: MemberPorts[] = [];
  for (const name of names) out.push({ name, http: await freeTcpPort(), udp: await freeUdpPort() });
  return out;
}

const targetList = (ports: number[]) => `[${ports.map((p) => `"127.0.0.1:${p}"`).join(", ")}]`;

/**
 * The harness's site, its Scheduler on Central sending to `central`'s UDP ports; with `reload01`, a second node
 * Reload01 that sends to those. A node sending to every member is a site whose appender names each Steward.
 */
export function siteSendingTo(central: number[], reload01?: number[]): string {
  const nodes = [`  - { name: Central, hostName: sense1.test.example, central: true, udpTargets: ${targetList(central)} }`];
  if (reload01) nodes.push(`  - { name: Reload01, hostName: sense2.test.example, udpTargets: ${targetList(reload01)} }`);
  return SITE_YAML.replace(CENTRAL, nodes.join("\n"));
}

/** The simulator the cluster tests run against: no schedules of its own, runs of 60 ms unless a test says otherwise. */
export function startClusterSimulator(dir: string, site: string): Promise<Simulator> {
  return startSimulator({
    site,
    certDir: simCertDir(join(dir, "certs")),
    qrsPort: 0,
    enginePort: 0,
    controlPort: 0,
    schedules: false,
    settings: { timing: { durationOverrideMs: 60 } },
  });
}

export interface MemberYaml {
  url: string;
  ports: MemberPorts;
  sim: Simulator;
  leaseMs: number;
  heartbeatMs?: number;
  /** store.postgres.statementTimeoutMs: a test holding a lock the member waits on longer than the default (10 s). */
  statementTimeoutMs?: number;
  /** The member's channels, routes and anything else it needs, as YAML at the top level. */
  body: string;
}

/** A member's steward.yaml: its ports, its lease on the shared PostgreSQL, the site's QRS, then `body`. */
export function memberYaml(o: MemberYaml): string {
  return `dataDir: ./data
http: { host: 127.0.0.1, port: ${o.ports.http} }
udp: { host: 127.0.0.1, port: ${o.ports.udp} }
store:
  postgres: { url: ${JSON.stringify(o.url)}, instanceName: ${o.ports.name}, leaseTtlMs: ${o.leaseMs}, heartbeatIntervalMs: ${o.heartbeatMs ?? 500}, connectTimeoutMs: 2000${
    o.statementTimeoutMs ? `, statementTimeoutMs: ${o.statementTimeoutMs}` : ""
  } }
qlik:
  host: 127.0.0.1
  qrsPort: ${o.sim.ports.qrs}
  certDir: ${JSON.stringify(o.sim.certDir)}
  timeoutMs: 10000
  retries: 0
${o.body}`;
}

/** Writes the member's config in its own folder under `dir` and starts it; resolves once it answers /health. */
export async function startMember(dir: string, ports: MemberPorts, yaml: string): Promise<ClusterMember> {
  const folder = join(dir, ports.name);
  mkdirSync(folder, { recursive: true });
  const config = join(folder, "steward.yaml");
  writeFileSync(config, yaml);
  const proc = startMemberProcess(config);
  const base = `http://127.0.0.1:${ports.http}`;
  await waitForHttp(`${base}/health`, { timeoutMs: 30_000 });
  return { name: ports.name, base, config, proc };
}

/** Starts Steward from source on `config` (again, after a kill, under the same name). */
export function startMemberProcess(config: string): RunningProcess {
  return startProcess(process.execPath, ["src/main.ts", "run", "--config", config, "--log-format", "json"], { cwd: REPO });
}

/** Runs `taskId` once on `node` with `outcome`, after it is idle; resolves with the run's execution id. */
export async function runOn(sim: Simulator, taskId: string, node: string, outcome: "fail" | "succeed"): Promise<string> {
  await waitFor(async () => !((await simControl(sim, "GET", `/tasks/${taskId}`)) as { running: boolean }).running, { what: `task ${taskId} to be idle` });
  const { executionId } = (await simControl(sim, "POST", `/tasks/${taskId}/run`, { outcome, durationMs: 60, node })) as { executionId: string };
  return executionId;
}
