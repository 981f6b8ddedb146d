// The one config schema, assembled by the composition root from the section each feature owns (its config.ts).
// Every object is strict, so a misspelt key is an error with a "did you mean" hint.
import { z } from "zod";
import { loggingSchema } from "../platform/core/logging-config";
import { httpSchema } from "../platform/http/config";
import { udpSchema } from "../hear/intake/config";
import { QlikSchema } from "../platform/qlik/config";
import { intakeSchema } from "../hear/intake/config";
import { controlSchema } from "../start/control/config";
import { MqttSchema } from "../start/mqtt/config";
import { kvSchema } from "../keep/kv/config";
import { FilesSchema } from "../keep/files/config";
import { schedulerSchema } from "../start/scheduler/config";
import { channelsSchema, routesSchema, notifySchema, checkNotifyReferences } from "../tell/notify/config";
import { OnCallSchema } from "../tell/oncall/config";
import { securitySchema } from "../platform/security/config";
import { checkSsoReferences } from "../platform/security/sso-config";
import { auditSchema } from "../platform/audit/config";
import { serviceMonitorSchema } from "../watch/services/config";
import { HeartbeatSchema, UptimeMonitorSchema, checkUptimeReferences } from "../watch/heartbeat/config";
import { NewRelicSchema, checkNewRelicReferences } from "../tell/newrelic/config";
import { storeSchema } from "../platform/store/config";
import { incidentsSchema } from "../tell/incidents/config";
import { LicenseMonitorSchema, LicenseReleaseSchema, VersionMonitorSchema, checkSiteMonitorReferences } from "../watch/site-monitor/config";
import { DataChecksSchema, checkDataCheckReferences } from "../watch/checks/config";
import { WatchdogSchema, checkWatchdogReferences } from "../watch/watchdog/config";
import { QlikCloudSchema } from "../hear/cloud/config";
import { engineReloadsSchema } from "../hear/engine/config";
import { CheckinsSchema } from "../watch/checkins/config";
import { FreshnessSchema } from "../watch/freshness/config";
import { ReportsSchema } from "../show/report/config";
import { McpSchema } from "../show/assistant/config";
import { maintenanceSchema } from "../tell/maintenance/config";
import { groupingSchema } from "../tell/grouping/config";
import { actionLinksSchema } from "../tell/ack-links/config";
import { checkStatusReferences, StatusSchema } from "../show/status/config";
import { RemediationSchema } from "../start/remediation/config";

/**
 * The blocks every config has, with their defaults. The reader (config.ts) builds each only when the file (or a
 * STEWARD_… variable) has it; an absent one takes its defaults from config-defaults.json, which
 * scripts/gen-config-reference.ts writes from these builders (section-defaults.test.ts fails while it differs).
 */
export const DEFAULTED_SECTIONS = {
  store: () => storeSchema().prefault({}),
  logging: () => loggingSchema().prefault({}),
  http: () => httpSchema().prefault({}),
  udp: () => udpSchema().prefault({}),
  intake: () => intakeSchema().prefault({}),
  engineReloads: () => engineReloadsSchema().prefault({}),
  control: () => controlSchema().prefault({}),
  kv: () => kvSchema().prefault({}),
  scheduler: () => schedulerSchema().prefault({}),
  notify: () => notifySchema().prefault({}),
  incidents: () => incidentsSchema().prefault({}),
  security: () => securitySchema().prefault({}),
  audit: () => auditSchema().prefault({}),
  maintenance: () => maintenanceSchema().prefault({}),
  grouping: () => groupingSchema().prefault({}),
  actionLinks: () => actionLinksSchema().prefault({}),
};
export type DefaultedSections = typeof DEFAULTED_SECTIONS;

/**
 * Puts a block of DEFAULTED_SECTIONS in the schema: built in place, or a schema standing for it that takes and
 * gives the same values (the reader's defaultedSection, a z.lazy: typed as the block, which it parses with).
 */
export type PlaceSection = <K extends keyof DefaultedSections>(key: K, build: DefaultedSections[K]) => ReturnType<DefaultedSections[K]>;

const inPlace: PlaceSection = (_key, build) => build() as ReturnType<typeof build>;

/** What each block of DEFAULTED_SECTIONS is when the file leaves it out, from its schema: what config-defaults.json holds. */
export function sectionDefaults(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(DEFAULTED_SECTIONS).map(([key, build]) => [key, build().parse(undefined, { jitless: true })]));
}

export const configSchema = (place: PlaceSection = inPlace) =>
  z
    .strictObject({
      $schema: z.string().optional().describe("Path or URL of the JSON Schema, for editors."),
      dataDir: z.string().min(1).default("./data").describe("Where the store database lives; relative to the config file."),
      store: place("store", DEFAULTED_SECTIONS.store),
      logging: place("logging", DEFAULTED_SECTIONS.logging),
      http: place("http", DEFAULTED_SECTIONS.http),
      udp: place("udp", DEFAULTED_SECTIONS.udp),
      qlik: QlikSchema.optional(),
      intake: place("intake", DEFAULTED_SECTIONS.intake),
      engineReloads: place("engineReloads", DEFAULTED_SECTIONS.engineReloads),
      control: place("control", DEFAULTED_SECTIONS.control),
      mqtt: MqttSchema.optional(),
      kv: place("kv", DEFAULTED_SECTIONS.kv),
      files: FilesSchema.optional(),
      scheduler: place("scheduler", DEFAULTED_SECTIONS.scheduler),
      channels: channelsSchema(),
      routes: routesSchema(),
      oncall: OnCallSchema.optional(),
      notify: place("notify", DEFAULTED_SECTIONS.notify),
      incidents: place("incidents", DEFAULTED_SECTIONS.incidents),
      security: place("security", DEFAULTED_SECTIONS.security),
      audit: place("audit", DEFAULTED_SECTIONS.audit),
      serviceMonitor: serviceMonitorSchema().optional(),
      heartbeat: HeartbeatSchema.optional(),
      uptimeMonitor: UptimeMonitorSchema.optional(),
      newRelic: NewRelicSchema.optional(),
      licenseMonitor: LicenseMonitorSchema.optional(),
      licenseRelease: LicenseReleaseSchema.optional(),
      versionMonitor: VersionMonitorSchema.optional(),
      dataChecks: DataChecksSchema.optional(),
      watchdog: WatchdogSchema.optional(),
      qlikCloud: QlikCloudSchema.optional(),
      checkins: CheckinsSchema.optional(),
      freshness: FreshnessSchema.optional(),
      status: StatusSchema.optional(),
      reports: ReportsSchema.optional(),
      mcp: McpSchema.optional(),
      maintenance: place("maintenance", DEFAULTED_SECTIONS.maintenance),
      grouping: place("grouping", DEFAULTED_SECTIONS.grouping),
      actionLinks: place("actionLinks", DEFAULTED_SECTIONS.actionLinks),
      remediation: RemediationSchema.optional(),
    })
    .superRefine(checkNotifyReferences)
    .superRefine(checkUptimeReferences)
    .superRefine(checkNewRelicReferences)
    .superRefine(checkSiteMonitorReferences)
    .superRefine(checkDataCheckReferences)
    .superRefine(checkWatchdogReferences)
    .superRefine(checkStatusReferences)
    .superRefine(checkSsoReferences)
    .describe("Steward configuration. An empty file is valid: every feature beyond the REST API and UDP intake is opt-in.");

/** For tests and scripts: built on first use and kept. Steward builds it per parse (configSchema()), so it is dropped after. */
export const ConfigSchema = z.lazy(configSchema);

export type Config = z.infer<ReturnType<typeof configSchema>>;
export type ConfigInput = z.input<ReturnType<typeof configSchema>>;
