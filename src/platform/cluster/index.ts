// Public surface of the cluster module: membership and leader leases (PostgreSQL) or a single Steward (SQLite).
export * from "./cluster";
export { clusterMigrations } from "./migrations";
export { dutyGate, noGate, type DutyGate } from "./gate";
export { registerClusterObservability, describeCluster } from "./observability";
