// What every stage of the composition root (src/app.ts) shares: the config, the process-wide services and the
// store and cluster they run on. Each stage in this folder builds its part from it, in start order.
import type { Logger } from "pino";
import type { DutyGate } from "../platform/cluster/gate";
import type { Cluster } from "../platform/cluster";
import type { LoadedConfig } from "./config";
import type { Config } from "./config-schema";
import type { EventBus } from "../platform/core/bus";
import type { Clock } from "../platform/core/clock";
import type { Lifecycle } from "../platform/core/lifecycle";
import type { MetricsRegistry } from "../platform/core/metrics";
import type { Readiness } from "../platform/core/readiness";
import type { DomainEvents } from "../platform/events/types";
import type { ClusterStore } from "../platform/store/cluster-store";
import type { Store } from "../platform/store/database";

/** The process-wide services, built before the store is open. */
export interface CoreServices {
  loaded: LoadedConfig;
  config: Config;
  log: Logger;
  /** This machine's clock (the cluster's clock corrects it, see StoreWiring.clock). */
  localClock: Clock;
  startedAt: number;
  metrics: MetricsRegistry;
  readiness: Readiness;
  bus: EventBus<DomainEvents>;
  lifecycle: Lifecycle;
  /** How the Qlik nodes' host names are resolved (AppOptions.resolve); the system's resolver when left out. */
  resolve?: (name: string) => Promise<string[]>;
}

/** The stores and the cluster, and what the modules of a cluster are given to share the work. */
export interface StoreWiring {
  /** The local SQLite store (instance lock, run marker; everything else too for a single Steward). */
  store: Store;
  /** The store the modules share: the local one, or the cluster's PostgreSQL (store.postgres). */
  shared: Store;
  pg: Config["store"]["postgres"];
  clusterStore?: ClusterStore;
  instanceName: string;
  cluster: Cluster;
  /** Time of the shared store: in a cluster the database's time, else this machine's. */
  clock: Clock;
  gate?: DutyGate;
  memberDown?: () => Promise<boolean>;
  /** In a cluster: whether these members are certainly still alive, without a statement (member-down.ts). */
  stillLive?: (ids: Iterable<string>) => boolean;
  /** In a cluster: the pace of a look for other Stewards' work that would come every `ms` (src/platform/cluster/peer-poll.ts). */
  peerPace?: (ms: number) => number;
  clusterWiring: { instanceId: string; liveInstances?: () => Promise<string[]> };
}

export type Wiring = CoreServices & StoreWiring;
