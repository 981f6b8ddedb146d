// Store and cluster: with store.postgres every module's state lives in the shared PostgreSQL store (connected and
// migrated first at start); the local file keeps the instance lock and the run marker.
import { hostname } from "node:os";
import { createPostgresCluster, createSingleCluster, dutyGate, registerClusterObservability, type Cluster } from "../platform/cluster";
import { createLiveMembers } from "../platform/cluster/live-members";
import { createAgedMembers, createMemberDownCheck, stillLive } from "../platform/cluster/member-down";
import { aloneSleepMs, peerLookGate, peerLookMs, peerPace, slowPeerLookMs } from "../platform/cluster/peer-poll";
import type { PeerLooks } from "../tell/notify/worker";
import { isStepped } from "../platform/core/stepped-clock";
import { offsetClock } from "../platform/core/clock";
import { VERSION } from "../platform/core/version";
import { createClusterStore } from "../platform/store/cluster-store";
import type { Store } from "../platform/store/database";
import { STORE_MIGRATIONS } from "../store-migrations";
import type { CoreServices, StoreWiring } from "./wiring";

/** In a cluster: how often the outbox looks for deliveries another Steward queued (it cannot wake this one). */
export function outboxPeerPoll(w: Pick<StoreWiring, "pg" | "cluster">): { peerPollMs?: () => number; memberGraceMs?: number; peers?: PeerLooks } {
  // Two heartbeats, half the lease at least: a member alive through a store outage beats again once it has its
  // connection back, which takes longer than a heartbeat on a busy machine.
  if (!w.pg) return {};
  const memberGraceMs = Math.max(2 * w.pg.heartbeatIntervalMs, w.pg.leaseTtlMs / 2);
  const { cluster } = w;
  const peers: PeerLooks = { alone: () => cluster.alone(), onPeerEpoch: (fn) => cluster.onPeerEpoch(fn), gate: peerLookGate(cluster) };
  return { peerPollMs: peerLookMs(cluster, w.pg), memberGraceMs, peers };
}

/**
 * In a cluster: how often the escalation timers are looked at for ones another Steward armed. Alone in the cluster,
 * only its own timers' next due and the safety net of a store of its own (an hour), woken when another Steward may
 * have armed one.
 */
export function escalationPeerPoll(w: Pick<StoreWiring, "pg" | "cluster">): { pollMs?: () => number; onPeerEpoch?: (fn: () => void) => () => void } {
  if (!w.pg) return {};
  const { cluster } = w;
  return { pollMs: aloneSleepMs(cluster, slowPeerLookMs(cluster, w.pg), 3_600_000), onPeerEpoch: (fn) => cluster.onPeerEpoch(fn) };
}

/** In a cluster: how often the dashboard reads the events other Stewards wrote, and the gate that skips it alone. */
export function dashboardPeerPoll(w: Pick<StoreWiring, "pg" | "cluster">): { pollMs?: () => number; lookGate?: ReturnType<typeof peerLookGate> } {
  return w.pg ? { pollMs: peerLookMs(w.cluster, w.pg), lookGate: peerLookGate(w.cluster) } : {};
}

export function wireStoreAndCluster(core: CoreServices, store: Store): StoreWiring {
  const { config, loaded, log, lifecycle, localClock, readiness, metrics } = core;
  const pg = config.store.postgres;
  const instanceName = pg?.instanceName ?? hostname();
  const clusterStore = pg ? createClusterStore(pg, loaded.baseDir, STORE_MIGRATIONS, instanceName, localClock, log.child({ module: "store" })) : undefined;
  if (clusterStore) lifecycle.add(clusterStore.component);
  const shared: Store = clusterStore ? { ...store, sql: clusterStore.db } : store;
  const clusterLog = log.child({ module: "cluster" });
  const cluster: Cluster =
    pg && clusterStore
      ? createPostgresCluster(
          { leaseTtlMs: pg.leaseTtlMs, heartbeatMs: pg.heartbeatIntervalMs, maxClockOffsetMs: pg.maxClockOffsetMs, connectTimeoutMs: pg.connectTimeoutMs },
          { db: clusterStore.db, log: clusterLog, clock: localClock, version: VERSION, instanceName },
        )
      : createSingleCluster(instanceName);
  lifecycle.add(cluster);
  // In a cluster every time written to the shared store (schedule fires, audit, TTLs, claims) is the database's
  // time: this machine's clock corrected by the offset each heartbeat measures, so a node whose clock runs
  // ahead or behind fires schedules with the others, not early or late.
  // Not on a stepped clock: a simulation's time is its own (the offset, measured on wall time, would only add a few
  // milliseconds of noise), and its work in flight is counted on the stepped clock itself.
  const clock = pg && !isStepped(localClock) ? offsetClock(localClock, () => cluster.clockOffsetMs()) : localClock;
  const gate = pg ? dutyGate(cluster, clusterLog) : undefined;
  // Every read of the members refreshes the list the looks that only need "still alive" answer from.
  const members = pg ? createAgedMembers(() => cluster.members(), clock, pg.leaseTtlMs) : undefined;
  const liveInstances =
    pg && members
      ? createLiveMembers(
          () => members.read(),
          () => cluster.storeSettling(),
          pg.leaseTtlMs,
        )
      : undefined;
  // A member silent past its lease but not yet forgotten (a day), or killed and started again a moment ago: its
  // node may be deaf (src/platform/cluster/member-down.ts).
  const memberDown = pg && members ? createMemberDownCheck(members, clock, pg.leaseTtlMs) : undefined;
  const stillLiveMembers = pg && members ? (ids: Iterable<string>) => stillLive(members, ids, pg.leaseTtlMs) : undefined;
  const clusterWiring = { instanceId: cluster.instanceId, ...(liveInstances ? { liveInstances } : {}) };
  registerClusterObservability(cluster, {
    readiness,
    metrics,
    ...(clusterStore ? { pgStore: clusterStore.db, pgHealth: clusterStore.writeHealth } : {}),
  });
  return {
    store,
    shared,
    pg,
    ...(clusterStore ? { clusterStore } : {}),
    instanceName,
    cluster,
    clock,
    ...(gate ? { gate } : {}),
    ...(memberDown ? { memberDown } : {}),
    ...(stillLiveMembers ? { stillLive: stillLiveMembers } : {}),
    ...(pg ? { peerPace: peerPace(cluster, pg.heartbeatIntervalMs) } : {}),
    clusterWiring,
  };
}
