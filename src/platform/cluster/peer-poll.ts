// How often a Steward of a cluster looks in the shared store for work another Steward wrote there (deliveries,
// escalation timers, changed schedules, distribution polls, dashboard events, a member gone silent), since that
// Steward cannot wake it directly: every `ms` while the cluster has other members, and at the heartbeat's pace
// while this Steward is alone in it. Alone, nobody else writes such work, and the heartbeat is where it learns of a
// new member anyway; a look every second or two would only cost queries (and, in a stepped simulation of days,
// hundreds of thousands of timers).
import type { Cluster } from "./cluster";

/** The pace of a look that comes every `ms` while the cluster has other members. */
export function peerPace(cluster: Pick<Cluster, "alone">, heartbeatMs: number): (ms: number) => number {
  return (ms) => (cluster.alone() ? Math.max(ms, heartbeatMs) : ms);
}

export function peerPollMs(cluster: Pick<Cluster, "alone">, ms: number, heartbeatMs: number): () => number {
  const pace = peerPace(cluster, heartbeatMs);
  return () => pace(ms);
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
