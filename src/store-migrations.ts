// Every module's store tables, in the order they are migrated: one list for the embedded SQLite file and for
// the shared PostgreSQL store (and for the test that checks both end up with the same tables).
import { handoverNoticeMigrations } from "./show/handover-notice/migrations";
import { auditMigrations } from "./platform/audit/audit-log";
import { coreMigrations } from "./platform/store/core-migrations";
import type { MigrationSet } from "./platform/store/database";
import { heldAttemptMigrations, intakeMigrations, nodeSilenceMigrations } from "./hear/intake";
import { kvMigrations } from "./keep/kv";
import { controlMigrations } from "./start/control";
import { schedulerMigrations } from "./start/scheduler";
import { scheduleFileImportMigrations } from "./start/scheduler/import-on-start";
import { notifyMigrations } from "./tell/notify";
import { channelStateMigrations } from "./tell/notify/channel-state";
import { dashboardFeedMigrations, eventHistoryMigrations, runHistoryMigrations } from "./show/dashboard";
import { securityMigrations } from "./platform/security";
import { ssoMigrations } from "./platform/security/sso";
import { siteMonitorMigrations } from "./watch/site-monitor";
import { clusterMigrations } from "./platform/cluster/migrations";
import { checksMigrations } from "./watch/checks/check-store";
import { incidentMigrations } from "./tell/incidents/migrations";
import { watchdogMigrations } from "./watch/watchdog/watch-store";
import { cloudMigrations } from "./hear/cloud/cloud-store";
import { cloudAutomationMigrations } from "./hear/cloud/automation-store";
import { engineReloadMigrations } from "./hear/engine/reload-store";
import { checkinMigrations } from "./watch/checkins/checkin-store";
import { freshnessMigrations } from "./watch/freshness/freshness-store";
import { silenceMigrations } from "./tell/silences/migrations";
import { maintenanceMigrations } from "./tell/maintenance/migrations";
import { groupingMigrations } from "./tell/grouping/migrations";
import { ackLinkMigrations } from "./tell/ack-links/migrations";
import { escalationMigrations } from "./tell/escalation/migrations";
import { onCallWebhookMigrations } from "./tell/on-call/migrations";
import { remediationMigrations } from "./start/remediation/migrations";
import { statusSubscriptionMigrations } from "./show/status/subscriptions/migrations";
import { onCallMigrations } from "./tell/oncall/migrations";
import { feedGuardMigrations } from "./tell/oncall/feed-guard";

export const STORE_MIGRATIONS: readonly MigrationSet[] = [
  coreMigrations,
  auditMigrations,
  kvMigrations,
  schedulerMigrations,
  controlMigrations,
  intakeMigrations,
  nodeSilenceMigrations,
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
  engineReloadMigrations,
  cloudAutomationMigrations,
  heldAttemptMigrations,
  onCallWebhookMigrations,
  remediationMigrations,
  statusSubscriptionMigrations,
  ssoMigrations,
  handoverNoticeMigrations,
  onCallMigrations,
  feedGuardMigrations,
  // ↑ feature modules append their MigrationSet above this line
];
