// How often a Steward of a cluster looks in the shared store for work another Steward wrote there (deliveries,
// escalation timers, changed schedules, distribution polls, dashboard events, a member gone silent), since that
// Steward cannot wake it directly: every `ms` while the cluster has other members, and at the heartbeat's pace
// while this Steward is alone in it. Alone, nobody else writes such work, and the heartbeat is where it learns of a
// new member anyway; a look every second or two would only cost queries (and, in a stepped simulation of days,
// hundreds of thousands of timers).
//
// Alone, most of those looks are skipped altogether (peerLookGate): nobody else can have written work while the peer
// epoch (Cluster.peerEpoch) stands still. It moves when a member's first heartbeat lands (a member that starts, writes
// and stops between two of this Steward's heartbeats is still seen), when `steward schedules import` wrote the store,
// and when this Steward becomes alone (a member that stopped may have written just before its row went: one more look
// finds it). "Alone" keeps its meaning: no other member heard from within a day, so a crashed member's sends are
// still taken over.
import type { SqlDb } from "../store/sql";
import type { Cluster } from "./cluster";

/**
 * Moves the peer epoch from outside the cluster (`steward schedules import` writing the shared store while it runs):
 * each Steward's next heartbeat sees it and its looks run once, alone in the cluster or not.
 */
export async function bumpPeerEpoch(db: SqlDb): Promise<void> {
  await db.run("UPDATE cluster_epoch SET epoch = epoch + 1 WHERE id = 1");
}

/** Asked before each look for other Stewards' work: true when it is needed (the call then counts as the look). */
export type PeerLookGate = () => boolean;

/**
 * One gate per module: a look is skipped while this Steward is alone and the peer epoch is where it was at the
 * module's last look. A look that failed should call `missed()` on the returned gate so the next one runs.
 */
export function peerLookGate(cluster: Pick<Cluster, "alone" | "peerEpoch">): PeerLookGate & { missed(): void } {
  let lookedAt: number | undefined;
  const gate = () => {
    const epoch = cluster.peerEpoch();
    if (cluster.alone() && epoch === lookedAt) return false;
    lookedAt = epoch;
    return true;
  };
  return Object.assign(gate, {
    missed() {
      lookedAt = undefined;
    },
  });
}

/** The pace of a look that comes every `ms` while the cluster has other members. */
export function peerPace(cluster: Pick<Cluster, "alone">, heartbeatMs: number): (ms: number) => number {
  return (ms) => (cluster.alone() ? Math.max(ms, heartbeatMs) : ms);
}

export function peerPollMs(cluster: Pick<Cluster, "alone">, ms: number, heartbeatMs: number): () => number {
  const pace = peerPace(cluster, heartbeatMs);
  return () => pace(ms);
}

/**
 * The sleep of a module that reads its own next due from the store as it looks for others' work (the outbox, the
 * escalation timers): `ms` while the cluster has other members, `aloneMs` while this Steward is alone in it, where
 * only its own work can be due and a change of the peer epoch (Cluster.onPeerEpoch) wakes it.
 */
export function aloneSleepMs(cluster: Pick<Cluster, "alone">, ms: () => number, aloneMs: number): () => number {
  return () => (cluster.alone() ? aloneMs : ms());
}

/** The pace setting of store.postgres (peerPollIntervalMs) with the heartbeat that caps it. */
interface PeerPollConfig {
  peerPollIntervalMs: number;
  heartbeatIntervalMs: number;
}

/** Looks whose work waits on them (deliveries another Steward queued, dashboard events): every peerPollIntervalMs. */
export function peerLookMs(cluster: Pick<Cluster, "alone">, pg: PeerPollConfig): () => number {
  return peerPollMs(cluster, pg.peerPollIntervalMs, pg.heartbeatIntervalMs);
}

/** Looks that can wait a little longer (escalation timers, schedules changed elsewhere): twice that, a heartbeat at most. */
export function slowPeerLookMs(cluster: Pick<Cluster, "alone">, pg: PeerPollConfig): () => number {
  return peerPollMs(cluster, Math.min(2 * pg.peerPollIntervalMs, pg.heartbeatIntervalMs), pg.heartbeatIntervalMs);
}
