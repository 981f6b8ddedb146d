// Every module's store tables, in the order they are migrated: one list for the embedded SQLite file and for
// the shared PostgreSQL store (and for the test that checks both end up with the same tables).
import { auditMigrations } from "./audit/audit-log";
import { coreMigrations } from "./store/core-migrations";
import type { MigrationSet } from "./store/database";
import { intakeMigrations } from "./intake";
import { kvMigrations } from "./kv";
import { controlMigrations } from "./control";
import { schedulerMigrations } from "./scheduler";
import { scheduleFileImportMigrations } from "./scheduler/import-on-start";
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
import { checkinMigrations } from "./checkins/checkin-store";
import { freshnessMigrations } from "./freshness/freshness-store";
import { silenceMigrations } from "./silences/migrations";
import { maintenanceMigrations } from "./maintenance/migrations";
import { groupingMigrations } from "./grouping/migrations";
import { ackLinkMigrations } from "./ack-links/migrations";
import { escalationMigrations } from "./escalation/migrations";

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
  scheduleFileImportMigrations,
  checkinMigrations,
  freshnessMigrations,
  silenceMigrations,
  maintenanceMigrations,
  groupingMigrations,
  ackLinkMigrations,
  escalationMigrations,
  // ↑ feature modules append their MigrationSet above this line
];
