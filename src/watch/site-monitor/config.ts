// Config of the site monitors: Qlik Sense license usage and expiry (Butler's qlikSenseLicense.licenseMonitor
// and serverLicenseMonitor), license release for inactive users (licenseRelease) and the Qlik Sense version
// (qlikSenseVersion.versionMonitor). All need qlik: and are off unless their block is present.
// Built on first use (lazySection): a config that leaves the block out never builds its schema.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";
import { DurationSchema } from "../../platform/core/duration";

const influxChannelRef = () => z.string().min(1).optional().describe("Name of an influxdb channel to write Butler's measurements to.");

export const LicenseMonitorSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Read the license. Off: the section is kept but not used."),
      interval: DurationSchema.prefault("6h").describe("How often license usage and expiry are read from QRS."),
      influxChannel: influxChannelRef(),
      alerts: z
        .strictObject({
          expiryDays: z.number().int().min(1).max(3650).default(60).describe("license.expiring once when this few days are left (Butler's thresholdDays)."),
          professionalAvailableBelow: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe("license.low_availability when fewer professional allocations are available."),
          analyzerAvailableBelow: z.number().int().min(1).optional().describe("license.low_availability when fewer analyzer allocations are available."),
          tokensAvailableBelow: z
            .number()
            .min(0)
            .optional()
            .describe("license.low_availability when fewer tokens are available.")
            .meta({ examples: [20] }),
        })
        .prefault({})
        .describe("When license.* events are raised; each once per crossing."),
    })
    .describe("License usage and expiry from QRS; writes qlik_sense_license and qlik_sense_server_license, raises license.* events."),
);

const triState = () => z.enum(["ignore", "yes", "no"]);

export const LicenseReleaseSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Run license release. Off: the section is kept but not used."),
      interval: DurationSchema.prefault("1d").describe("Time between two release runs."),
      dryRun: z.boolean().default(true).describe("List what would be released (log, audit, /v4/license/release/last) without releasing. Turn off knowingly."),
      inactiveDays: z
        .number()
        .int()
        .min(1)
        .max(3650)
        .default(30)
        .describe("Release allocations not used for more days than this (Butler's releaseThresholdDays)."),
      accessTypes: z
        .array(z.enum(["professional", "analyzer"]))
        .min(1)
        .default(["professional", "analyzer"])
        .describe("Which kinds of allocation may be released."),
      inactiveDaysByType: z
        .strictObject({
          professional: z
            .number()
            .int()
            .min(1)
            .max(3650)
            .optional()
            .describe("Days without use after which a professional allocation is released.")
            .meta({ examples: [45] }),
          analyzer: z.number().int().min(1).max(3650).optional().describe("Days without use after which an analyzer allocation is released."),
        })
        .prefault({})
        .describe("Per access type, instead of inactiveDays (Butler's licenseType.<type>.releaseThresholdDays)."),
      maxPerRun: z.number().int().min(1).max(10_000).default(50).describe("Upper bound of releases per run; the rest wait for the next run."),
      influxChannel: influxChannelRef(),
      neverRelease: z
        .strictObject({
          users: z
            .array(z.string().regex(/^[^\\]+\\[^\\]+$/, "expected DIRECTORY\\userId"))
            .default([])
            .describe("Users (DIRECTORY\\userId) who keep their allocation."),
          userDirectories: z.array(z.string().min(1)).default([]).describe("User directories whose users keep their allocation."),
          tags: z.array(z.string().min(1)).default([]).describe("Users with any of these tags keep their allocation."),
          customProperties: z
            .array(z.strictObject({ name: z.string().min(1).describe("Custom property name."), value: z.string().describe("Custom property value.") }))
            .default([])
            .describe("Users with any of these custom property values keep their allocation."),
          inactive: triState()
            .default("ignore")
            .describe('"yes": users marked inactive in QRS keep theirs; "no": active users keep theirs; "ignore": not considered.'),
          blocked: triState().default("ignore").describe('The same for users blocked in QRS ("yes": blocked users keep theirs).'),
          removedExternally: triState().default("ignore").describe('The same for users removed from their directory ("yes": they keep theirs).'),
        })
        .prefault({})
        .describe("Users who keep their allocation whatever its age."),
    })
    .describe("Releases professional and analyzer allocations of users inactive for longer than inactiveDays."),
);

export const VersionMonitorSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Read the version. Off: the section is kept but not used."),
      interval: DurationSchema.prefault("1h").describe("Time between two version readings."),
      port: z.number().int().min(1).max(65535).default(9032).describe("Port of the repository's /v1/systeminfo endpoint."),
      influxChannel: influxChannelRef(),
    })
    .describe("Qlik Sense version from /v1/systeminfo; writes qlik_sense_version and raises qliksense.version_changed."),
);

export type LicenseMonitorConfig = z.infer<typeof LicenseMonitorSchema>;
export type LicenseReleaseConfig = z.infer<typeof LicenseReleaseSchema>;
export type VersionMonitorConfig = z.infer<typeof VersionMonitorSchema>;

type SiteMonitorSections = { licenseMonitor?: LicenseMonitorConfig; licenseRelease?: LicenseReleaseConfig; versionMonitor?: VersionMonitorConfig };

/** The monitors need qlik:, and their influxChannel must name an influxdb channel. */
export function checkSiteMonitorReferences(
  config: SiteMonitorSections & { qlik?: unknown; channels: Record<string, { type: string }> },
  ctx: z.RefinementCtx,
): void {
  for (const key of ["licenseMonitor", "licenseRelease", "versionMonitor"] as const) {
    const section = config[key];
    if (!section?.enabled) continue;
    if (!config.qlik)
      ctx.addIssue({ code: "custom", path: [key], message: `${key} reads Qlik Sense: configure qlik: (host and certificates) or remove ${key}` });
    const name = section.influxChannel;
    if (name !== undefined && config.channels[name]?.type !== "influxdb") {
      ctx.addIssue({ code: "custom", path: [key, "influxChannel"], message: `no influxdb channel named "${name}"` });
    }
  }
}
