// The one config schema: sections are declared in sections/ (or by their module) and composed here.
// Every object is strict, so a misspelt key is an error with a "did you mean" hint.
import { z } from "zod";
import { loggingSchema, httpSchema, udpSchema } from "./sections/core";
import { QlikSchema } from "./sections/qlik";
import { intakeSchema } from "./sections/intake";
import { controlSchema } from "./sections/control";
import { MqttSchema } from "./sections/mqtt";
import { kvSchema } from "./sections/kv";
import { FilesSchema } from "./sections/files";
import { schedulerSchema } from "./sections/scheduler";
import { channelsSchema, routesSchema, notifySchema, checkNotifyReferences } from "../../tell/notify/config";
import { securitySchema } from "./sections/security";
import { auditSchema } from "./sections/audit";
import { serviceMonitorSchema } from "./sections/services";
import { HeartbeatSchema, UptimeMonitorSchema, checkUptimeReferences } from "./sections/heartbeat";
import { NewRelicSchema, checkNewRelicReferences } from "./sections/newrelic";
import { storeSchema } from "./sections/store";
import { incidentsSchema } from "./sections/incidents";
import { LicenseMonitorSchema, LicenseReleaseSchema, VersionMonitorSchema, checkSiteMonitorReferences } from "./sections/site-monitor";
import { DataChecksSchema, checkDataCheckReferences } from "../../watch/checks/config";
import { WatchdogSchema, checkWatchdogReferences } from "./sections/watchdog";
import { QlikCloudSchema } from "./sections/qlik-cloud";
import { CheckinsSchema } from "../../watch/checkins/config";
import { FreshnessSchema } from "./sections/freshness";
import { maintenanceSchema } from "../../tell/maintenance/config";
import { groupingSchema } from "./sections/grouping";
import { actionLinksSchema } from "./sections/action-links";

export const configSchema = () =>
  z
    .strictObject({
      $schema: z.string().optional().describe("Path or URL of the JSON Schema, for editors."),
      dataDir: z.string().min(1).default("./data").describe("Where the store database lives; relative to the config file."),
      store: storeSchema().prefault({}),
      logging: loggingSchema().prefault({}),
      http: httpSchema().prefault({}),
      udp: udpSchema().prefault({}),
      qlik: QlikSchema.optional(),
      intake: intakeSchema().prefault({}),
      control: controlSchema().prefault({}),
      mqtt: MqttSchema.optional(),
      kv: kvSchema().prefault({}),
      files: FilesSchema.optional(),
      scheduler: schedulerSchema().prefault({}),
      channels: channelsSchema(),
      routes: routesSchema(),
      notify: notifySchema().prefault({}),
      incidents: incidentsSchema().prefault({}),
      security: securitySchema().prefault({}),
      audit: auditSchema().prefault({}),
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
      maintenance: maintenanceSchema().prefault({}),
      grouping: groupingSchema().prefault({}),
      actionLinks: actionLinksSchema().prefault({}),
    })
    .superRefine(checkNotifyReferences)
    .superRefine(checkUptimeReferences)
    .superRefine(checkNewRelicReferences)
    .superRefine(checkSiteMonitorReferences)
    .superRefine(checkDataCheckReferences)
    .superRefine(checkWatchdogReferences)
    .describe("Steward configuration. An empty file is valid: every feature beyond the REST API and UDP intake is opt-in.");

/** For tests and scripts: built on first use and kept. Steward builds it per parse (configSchema()), so it is dropped after. */
export const ConfigSchema = z.lazy(configSchema);

export type Config = z.infer<ReturnType<typeof configSchema>>;
export type ConfigInput = z.input<ReturnType<typeof configSchema>>;
