// Every module's store tables, in the order they are migrated: one list for the embedded SQLite file and for
// the shared PostgreSQL store (and for the test that checks both end up with the same tables).
import { auditMigrations } from "./audit/audit-log";
import { coreMigrations } from "./store/core-migrations";
import type { MigrationSet } from "./store/database";
import { intakeMigrations } from "./intake";
import { kvMigrations } from "./kv";
import { controlMigrations } from "./control";
import { schedulerMigrations } from "./scheduler";
import { notifyMigrations } from "./notify";
import { channelStateMigrations } from "./notify/channel-state";
import { dashboardFeedMigrations, eventHistoryMigrations, runHistoryMigrations } from "./dashboard";
import { securityMigrations } from "./security";
import { siteMonitorMigrations } from "./site-monitor";
import { clusterMigrations } from "./cluster/migrations";
import { checksMigrations } from "./checks/check-store";
import { incidentMigrations } from "./incidents/migrations";
import { watchdogMigrations } from "./watchdog/watch-store";
import { cloudMigrations } from "./cloud/cloud-store";

export const STORE_MIGRATIONS: readonly MigrationSet[] = [
  coreMigrations,
  auditMigrations,
  kvMigrations,
  schedulerMigrations,
  controlMigrations,
  intakeMigrations,
  notifyMigrations,
  securityMigrations,
  eventHistoryMigrations,
  channelStateMigrations,
  siteMonitorMigrations,
  runHistoryMigrations,
  clusterMigrations,
  checksMigrations,
  incidentMigrations,
  dashboardFeedMigrations,
  watchdogMigrations,
  cloudMigrations,
  // ↑ feature modules append their MigrationSet above this line
];
