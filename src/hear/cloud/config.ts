// Config of Qlik Cloud tenants watched outbound only (src/hear/cloud/): each tenant's URL and API key, which apps or
// spaces to watch, and how often to ask. Off unless the block is present.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";
import { DurationSchema } from "../../platform/core/duration";

/** One tenant's schema, built by QlikCloudSchema's lazySection: a config without qlikCloud builds neither. */
const tenantSchema = () =>
  z
    .strictObject({
      name: z.string().min(1).max(100).optional().describe("Shown in alerts and metrics (default: the tenant's host name)."),
      url: z
        .string()
        .url()
        .refine((u) => u.startsWith("https://"), "the tenant URL must be https://")
        .describe("The tenant, e.g. https://corp.eu.qlikcloud.com"),
      apiKey: z
        .string()
        .min(1)
        .optional()
        .describe("API key of a tenant admin (developer role with API keys enabled); write ${env:QLIK_CLOUD_API_KEY} and keep the key in steward.env.")
        .meta({ examples: ["${env:QLIK_CLOUD_API_KEY}"] }),
      oauth: z
        .strictObject({
          clientId: z.string().min(1).describe("The OAuth client's id (Management Console → OAuth, a machine-to-machine client)."),
          clientSecret: z.string().min(1).describe("Its secret: write ${env:QLIK_CLOUD_CLIENT_SECRET} and keep it in steward.env."),
        })
        .optional()
        .describe("An OAuth machine-to-machine client instead of an API key: Steward gets and renews its access tokens itself."),
      caFile: z
        .string()
        .min(1)
        .optional()
        .describe("PEM file of a private CA the tenant's certificate is signed by (a proxy, the simulator).")
        .meta({ examples: ["./certs/proxy-ca.pem"] }),
      apps: z.array(z.string().min(1)).max(1_000).optional().describe("Only these app ids (default: every app in the tenant; needs a tenant admin's key)."),
      spaces: z.array(z.string().min(1)).max(1_000).optional().describe("Only apps in these space ids."),
      pollInterval: DurationSchema.prefault("30s").describe(
        "How often the tenant's reloads are read (one call per 100 new reloads; Qlik allows 1,000 a minute).",
      ),
      lookBack: DurationSchema.prefault("15m").describe("On the first start, reloads that ended this long ago are announced; older history is not replayed."),
      maxPages: z.number().int().min(1).max(1_000).default(20).describe("Pages of 100 reloads read per poll at most (a bound if the tenant keeps paging)."),
      automations: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Watch the automations. Off: the block is kept but not used."),
          only: z
            .array(z.string().min(1).max(200))
            .max(1_000)
            .optional()
            .describe("Only these automations, by id or by name (default: every automation the key may list; a tenant admin's key lists all)."),
          runListsPerPoll: z
            .number()
            .int()
            .min(1)
            .max(500)
            .default(20)
            .describe("Automations whose runs are read per poll at most (only those that ran since the last poll are read; the rest wait for the next)."),
        })
        .optional()
        .describe(
          "Qlik Automate automations: a failed run (and the run that finishes after it), one finished with warnings and an automation disabled (and enabled again) raise cloud.automation.* events. Needs a Tenant Admin's key (docs/qlik-cloud.md#qlik-automate-automations).",
        ),
      dataTasks: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Watch the data tasks. Off: the block is kept but not used."),
          only: z
            .array(z.string().min(1).max(200))
            .max(1_000)
            .optional()
            .describe("Only these data tasks, by id or by name (default: every data task of every data project the key may read)."),
          interval: DurationSchema.prefault("1m").describe(
            "How often the data tasks' runtime state is read (one call per project and per data task; at most this often, within the tenant's poll).",
          ),
          maxTasks: z.number().int().min(1).max(2_000).default(200).describe("Data tasks whose runtime state is read per look at most."),
        })
        .optional()
        .describe(
          "Qlik Talend Cloud data tasks: a run that failed or was stopped raises cloud.datatask.failed naming the apps its datasets feed (their on-dataset-updated tasks), and the run that completes after it cloud.datatask.recovered (docs/qlik-cloud.md#qlik-talend-cloud-data-tasks).",
        ),
      keyExpiryWarning: DurationSchema.prefault("14d").describe(
        "Raise qlikcloud.key_expiring this long before the API key expires (read from the key, or asked of the tenant twice a day).",
      ),
    })
    .superRefine((t, ctx) => {
      if ((t.apiKey === undefined) === (t.oauth === undefined))
        ctx.addIssue({ code: "custom", path: ["apiKey"], message: "give either apiKey or oauth (clientId and clientSecret), not both and not neither" });
    });

export const QlikCloudSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Watch the tenants. Off: the section is kept but not used."),
      tenants: z.array(tenantSchema()).min(1).max(50).describe("The Qlik Cloud tenants to watch."),
    })
    .describe("Qlik Cloud tenants watched outbound only: their reloads become task events like on-premise ones (docs/qlik-cloud.md)."),
);
export type QlikCloudConfig = z.infer<typeof QlikCloudSchema>;
export type QlikCloudTenantConfig = QlikCloudConfig["tenants"][number];
