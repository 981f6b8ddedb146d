// Public surface of the cluster module: membership and leader leases (PostgreSQL) or a single Steward (SQLite).
export * from "./cluster";
export { clusterMigrations } from "./migrations";
