// An on-call product across a failover: two Stewards on one PostgreSQL, beside a site whose Scheduler tells both,
// the first one sending to the product alone until the test kills it, the second started after (so it cannot take
// the delivery first). Shared by the PagerDuty and Opsgenie / JSM failover tests: each brings its channels.
import postgres from "postgres";
import type { Simulator } from "../../src/sim";
import type { RunningProcess } from "./child-process";
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
} from "./cluster-stewards";
import { startPostgres, type PostgresService } from "./services";
import { createTempDir } from "./temp-dir";
import { waitFor } from "./wait-for";

const LEASE_MS = 3_000;

export interface FailoverSite {
  /** The first Steward (node-a) and the one taking over (node-b), started with `channels` (YAML under channels:). */
  startSteward(which: "a" | "b"): Promise<ClusterMember>;
  /** Runs the site's reload task once on Central. */
  runTask(outcome: "fail" | "succeed"): Promise<string>;
  /** SIGKILL, awaited. */
  kill(member: ClusterMember): Promise<void>;
  /** Stops every Steward still running (between tests): the next test starts its own. */
  stopStewards(): Promise<void>;
  /** A client of the Stewards' database, for what only the store shows (the outbox, locks held by the test). */
  sql: postgres.Sql;
  /** Resolves once node-a waits for a lock the test holds, in a statement naming `table`. */
  waitingOnLock(table: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startFailoverSite(name: string, channels: string): Promise<FailoverSite> {
  const dir = createTempDir(`steward-${name}-`);
  const pg: PostgresService = await startPostgres();
  const url = await pg.createDatabase(name.replaceAll("-", "_"));
  const ports: MemberPorts[] = await memberPorts(["node-a", "node-b"]);
  // The node's Scheduler tells both Stewards (udpTargets): whichever is alive hears the run.
  const sim: Simulator = await startClusterSimulator(dir.path, siteSendingTo(ports.map((p) => p.udp)));
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const procs: RunningProcess[] = [];
  const body = `channels:
${channels}
routes:
  - { on: [task.failed, task.recovered], to: [${[...channels.matchAll(/^ {2}([a-z-]+):/gm)].map((m) => m[1]).join(", ")}] }
notify:
  outbox: { concurrency: 2, initialBackoff: 200ms, maxBackoff: 1s }
`;
  return {
    async startSteward(which) {
      const p = ports[which === "a" ? 0 : 1]!;
      const member = await startMember(dir.path, p, memberYaml({ url, ports: p, sim, leaseMs: LEASE_MS, body }));
      procs.push(member.proc);
      return member;
    },
    runTask: (outcome) => runOn(sim, IDS.reload, "Central", outcome),
    async kill(member) {
      process.kill(member.proc.pid, "SIGKILL");
      await member.proc.exited;
    },
    async stopStewards() {
      for (const p of procs.splice(0)) await p.stop("SIGTERM", 10_000);
    },
    sql,
    async waitingOnLock(table) {
      await waitFor(
        async () =>
          (
            await sql`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'steward node-a'
              AND wait_event_type = 'Lock' AND query ILIKE ${`%${table}%`}`
          ).length > 0,
        { what: `node-a to wait for the test's lock on ${table}` },
      );
    },
    async stop() {
      for (const p of procs) await p.stop("SIGKILL", 1_000);
      await sql.end();
      await sim.stop();
      await pg.stop();
      dir.remove();
    },
  };
}
