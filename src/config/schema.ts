// The one config schema: sections are declared in sections/ (or by their module) and composed here.
// Every object is strict, so a misspelt key is an error with a "did you mean" hint.
import { z } from "zod";
import { LoggingSchema, HttpSchema, UdpSchema } from "./sections/core";
import { QlikSchema } from "./sections/qlik";
import { IntakeSchema } from "./sections/intake";
import { ControlSchema } from "./sections/control";
import { MqttSchema } from "./sections/mqtt";
import { KvSchema } from "./sections/kv";
import { FilesSchema } from "./sections/files";
import { SchedulerSchema } from "./sections/scheduler";
import { ChannelsSchema, RoutesSchema, NotifySchema, checkNotifyReferences } from "./sections/notify";
import { SecuritySchema } from "./sections/security";
import { AuditSchema } from "./sections/audit";
import { ServiceMonitorSchema } from "./sections/services";
import { HeartbeatSchema, UptimeMonitorSchema, checkUptimeReferences } from "./sections/heartbeat";
import { NewRelicSchema, checkNewRelicReferences } from "./sections/newrelic";
import { StoreSchema } from "./sections/store";
import { IncidentsSchema } from "./sections/incidents";
import { LicenseMonitorSchema, LicenseReleaseSchema, VersionMonitorSchema, checkSiteMonitorReferences } from "./sections/site-monitor";
import { DataChecksSchema, checkDataCheckReferences } from "./sections/data-checks";
import { WatchdogSchema, checkWatchdogReferences } from "./sections/watchdog";
import { QlikCloudSchema } from "./sections/qlik-cloud";
import { CheckinsSchema } from "./sections/checkins";
import { FreshnessSchema } from "./sections/freshness";
import { MaintenanceSchema } from "./sections/maintenance";
import { GroupingSchema } from "./sections/grouping";
import { ActionLinksSchema } from "./sections/action-links";

export const ConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path or URL of the JSON Schema, for editors."),
    dataDir: z.string().min(1).default("./data").describe("Where the store database lives; relative to the config file."),
    store: StoreSchema.prefault({}),
    logging: LoggingSchema.prefault({}),
    http: HttpSchema.prefault({}),
    udp: UdpSchema.prefault({}),
    qlik: QlikSchema.optional(),
    intake: IntakeSchema.prefault({}),
    control: ControlSchema.prefault({}),
    mqtt: MqttSchema.optional(),
    kv: KvSchema.prefault({}),
    files: FilesSchema.optional(),
    scheduler: SchedulerSchema.prefault({}),
    channels: ChannelsSchema,
    routes: RoutesSchema,
    notify: NotifySchema.prefault({}),
    incidents: IncidentsSchema.prefault({}),
    security: SecuritySchema.prefault({}),
    audit: AuditSchema.prefault({}),
    serviceMonitor: ServiceMonitorSchema.optional(),
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
    maintenance: MaintenanceSchema.prefault({}),
    grouping: GroupingSchema.prefault({}),
    actionLinks: ActionLinksSchema.prefault({}),
  })
  .superRefine(checkNotifyReferences)
  .superRefine(checkUptimeReferences)
  .superRefine(checkNewRelicReferences)
  .superRefine(checkSiteMonitorReferences)
  .superRefine(checkDataCheckReferences)
  .superRefine(checkWatchdogReferences)
  .describe("Steward configuration. An empty file is valid: every feature beyond the REST API and UDP intake is opt-in.");

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
