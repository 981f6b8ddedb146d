// The kinds of site event (events/types.ts): conditions of the whole site rather than of one task, and Steward's own.
import { QLIK_CLOUD_SITE_EVENT_KINDS } from "./cloud-events";

/** Site-wide conditions the site monitors raise (license, version), and Steward's own (InfluxDB refusing its points, a cause resolved by hand, a remediation action's outcome told on its own). */
export const SITE_EVENT_KINDS = [
  "license.expiring",
  "license.expired",
  "license.low_availability",
  "license.released",
  "qliksense.version_changed",
  "influxdb.field_conflict",
  ...QLIK_CLOUD_SITE_EVENT_KINDS,
  "steward.degraded",
  "steward.recovered",
  "intake.node_silent",
  "intake.node_recovered",
  "report.morning",
  "report.weekly",
  "maintenance.summary",
  "cause.resolved",
  "remediation.action_update",
] as const;
export type SiteEventKind = (typeof SITE_EVENT_KINDS)[number];
