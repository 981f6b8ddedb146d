// Tables of a cluster of Stewards sharing one PostgreSQL store: who is running (with a heartbeat) and who holds
// which site-wide duty (a lease with an expiry), and the peer epoch: a counter bumped by a member's first heartbeat and
// by `steward schedules import`, which tells a Steward alone in the cluster that someone else may have written work
// for it (src/platform/cluster/peer-poll.ts). Created on SQLite too, where one Steward holds every duty.
import type { MigrationSet } from "../store/database";

export const clusterMigrations: MigrationSet = {
  module: "cluster",
  migrations: [
    {
      version: 1,
      name: "members and leases",
      sql: `CREATE TABLE cluster_members (
          instance_id TEXT PRIMARY KEY, name TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL,
          version TEXT NOT NULL, started_at INTEGER NOT NULL, heartbeat_at INTEGER NOT NULL);
        CREATE TABLE cluster_leases (
          duty TEXT PRIMARY KEY, holder TEXT NOT NULL, holder_name TEXT NOT NULL,
          acquired_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);`,
    },
    {
      version: 2,
      name: "peer epoch",
      sql: `CREATE TABLE cluster_epoch (id INTEGER PRIMARY KEY, epoch INTEGER NOT NULL);
        INSERT INTO cluster_epoch (id, epoch) VALUES (1, 0);`,
    },
  ],
};
