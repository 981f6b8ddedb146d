// What a cluster shows about itself: a /ready entry with the members, their last heartbeat and who leads which
// duty; the shared store's reachability (required: without it a Steward of a cluster cannot do its work); and
// metrics labelled with this instance.
import type { MetricsRegistry } from "../core/metrics";
import type { Readiness } from "../core/readiness";
import type { SqlDb } from "../store/sql";
import type { WriteHealth } from "../store/write-health";
import { DUTIES, type Cluster, type ClusterView } from "./cluster";

export function describeCluster(v: ClusterView): string {
  if (v.mode === "single") return `single Steward ${v.self.name} on its own store; it runs every site-wide duty`;
  const members = v.members.map((m) => `${m.name}${m.self ? " (this one)" : ""}: heartbeat ${(m.heartbeatAgeMs / 1000).toFixed(1)} s ago`).join("; ");
  const leaders = DUTIES.map((d) => `${d}: ${v.leaders.find((l) => l.duty === d)?.name ?? "nobody"}`).join(", ");
  return `${v.members.length} member${v.members.length === 1 ? "" : "s"} — ${members}. Leaders — ${leaders}`;
}

export function registerClusterObservability(
  cluster: Cluster,
  deps: { readiness: Readiness; metrics: MetricsRegistry; pgStore?: SqlDb; pgHealth?: WriteHealth },
): void {
  // A single Steward has no cluster to report on: no "cluster" row in /ready and on the dashboard.
  if (deps.pgStore)
    deps.readiness.register({
      name: "cluster",
      required: false,
      async check() {
        try {
          return { ok: true, detail: describeCluster(await cluster.view()) };
        } catch (err) {
          return { ok: false, detail: `cannot read the cluster from the store: ${(err as Error).message}` };
        }
      },
    });
  if (deps.pgStore) {
    const db = deps.pgStore;
    const health = deps.pgHealth;
    deps.readiness.register({
      name: "shared-store",
      required: true,
      async check() {
        // It answers reads while its disk refuses writes: that is not a store Steward can work with.
        const writes = health?.status();
        if (writes && !writes.ok) return writes;
        try {
          await db.get("SELECT 1 AS ok");
          return { ok: true, detail: "PostgreSQL answers" };
        } catch (err) {
          return { ok: false, detail: `PostgreSQL does not answer (store.postgres.url): ${(err as Error).message}` };
        }
      },
    });
  }
  if (deps.pgHealth) {
    const health = deps.pgHealth;
    deps.metrics.counterFn(
      "steward_shared_store_disk_full_writes_total",
      "Writes the shared PostgreSQL store refused because its server's disk was full (SQLSTATE 53100); /ready says so while it lasts.",
      () => health.diskFullWrites,
    );
  }
  const instance = cluster.instanceName;
  deps.metrics.gaugeFn("steward_instance_info", "This Steward in its cluster (mode single or cluster).", () => [
    { labels: { instance, mode: cluster.mode }, value: 1 },
  ]);
  deps.metrics.gaugeFn("steward_cluster_duty_held", "1 for each site-wide duty this Steward leads now, else 0.", () =>
    DUTIES.map((duty) => ({ labels: { duty, instance }, value: cluster.holds(duty) ? 1 : 0 })),
  );
  if (cluster.mode === "cluster") {
    deps.metrics.gaugeFn(
      "steward_cluster_clock_offset_seconds",
      "The database's clock minus this machine's, measured at each heartbeat; schedules and audit use the corrected time.",
      () => [{ labels: { instance }, value: cluster.clockOffsetMs() / 1000 }],
    );
    deps.readiness.register({
      name: "cluster-clock",
      required: false,
      check: () => {
        const refusal = cluster.dutyRefusal();
        const offset = `${(cluster.clockOffsetMs() / 1000).toFixed(3)} s`;
        return refusal ? { ok: false, detail: refusal } : { ok: true, detail: `offset to the database's clock ${offset}, corrected` };
      },
    });
    deps.metrics.gaugeFnAsync(
      "steward_cluster_member_heartbeat_age_seconds",
      "Seconds since each cluster member's last heartbeat (by the store's clock).",
      async () => (await cluster.view()).members.map((m) => ({ labels: { member: m.name, instance }, value: m.heartbeatAgeMs / 1000 })),
    );
  }
}
