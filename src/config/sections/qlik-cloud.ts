// Config of Qlik Cloud tenants watched outbound only (src/cloud/): Steward polls each tenant's Reloads API with an
// API key and announces its reloads as the same task events as on-premise runs. Off unless the block is present.
import { z } from "zod";
import { lazySection } from "../lazy-section";
import { DurationSchema } from "../../notify/duration";

const TenantSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https$/, error: "must be the tenant's https:// address, e.g. https://acme.eu.qlikcloud.com" })
      .describe("The tenant's address, as in the browser: https://<tenant>.<region>.qlikcloud.com.")
      .meta({ examples: ["https://acme.eu.qlikcloud.com"] }),
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-'")
      .optional()
      .describe("Name in alerts, metrics and /ready (default: the tenant's host name). Changing it makes Steward see the tenant anew."),
    apiKey: z
      .string()
      .min(1)
      .optional()
      .describe(
        "API key of a tenant admin (profile → API keys); from ${env:…} or ${file:…}, never written in the file. Give apiKey or oauth. See docs/qlik-cloud.md.",
      )
      .meta({ examples: ["${env:QLIK_CLOUD_API_KEY}"] }),
    oauth: z
      .strictObject({
        clientId: z
          .string()
          .min(1)
          .describe("The OAuth client's id.")
          .meta({ examples: ["3f0a9c2e5b1d4e7f8a6b"] }),
        clientSecret: z
          .string()
          .min(1)
          .describe("The OAuth client's secret, from ${env:…} or ${file:…}.")
          .meta({ examples: ["${env:QLIK_CLOUD_CLIENT_SECRET}"] }),
        scope: z
          .string()
          .min(1)
          .optional()
          .describe("Scopes to ask for (space-separated); left out, the client's own.")
          .meta({ examples: ["user_default"] }),
      })
      .optional()
      .describe("A machine-to-machine OAuth client (Management Console → OAuth) instead of an API key: Steward fetches and renews its access tokens."),
    caFile: z
      .string()
      .min(1)
      .optional()
      .describe("PEM file of a certificate authority to trust besides the system's (a TLS-inspecting proxy, the simulator's root.pem)."),
    spaces: z
      .array(z.string().min(1))
      .max(500)
      .optional()
      .describe("Watch only apps in these spaces (names or ids); personal apps have no space. Default: every app."),
    apps: z.array(z.string().min(1)).max(5_000).optional().describe("Watch only these apps (names or ids). With spaces too, an app in either is watched."),
    pollInterval: DurationSchema.prefault("1m").describe("How often the tenant's reloads are read (one request when nothing new happened)."),
    lookBack: DurationSchema.prefault("15m").describe(
      "On the first start, reloads that ended this long ago are still announced; older history is not replayed. Later starts go on from where the last poll was.",
    ),
    maxPages: z.number().int().min(1).max(100).default(10).describe("Pages of 100 reloads read per poll at most; the rest waits for the next poll."),
    timeout: DurationSchema.prefault("30s").describe("Per-request timeout."),
  })
  .superRefine((t, ctx) => {
    if ((t.apiKey === undefined) === (t.oauth === undefined))
      ctx.addIssue({ code: "custom", path: ["apiKey"], message: "give either apiKey or oauth (a machine-to-machine OAuth client), not both and not neither" });
  })
  .describe("One Qlik Cloud tenant.");

export const QlikCloudSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Watch the tenants. Off: the section is kept but not used."),
      tenants: z.array(TenantSchema).min(1).max(50).describe("The tenants to watch."),
      mqttTopic: z
        .string()
        .min(1)
        .optional()
        .describe("Messages here start Cloud reloads: the JSON body of POST /v4/cloud/reloads; the answer goes to <topic>/result. Needs mqtt:.")
        .meta({ examples: ["qlikcloud/reload"] }),
    })
    .superRefine((c, ctx) => {
      const seen = new Map<string, number>();
      c.tenants.forEach((t, i) => {
        const name = tenantName(t);
        const first = seen.get(name);
        if (first !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["tenants", i, "name"],
            message: `tenant name '${name}' is also tenant ${first}'s: give each tenant its own name`,
          });
        else seen.set(name, i);
      });
    })
    .describe("Qlik Cloud tenants watched outbound only: their reloads become the same task events as on-premise runs (docs/qlik-cloud.md)."),
);
export type QlikCloudConfig = z.infer<typeof QlikCloudSchema>;
export type CloudTenantConfig = QlikCloudConfig["tenants"][number];

/** The name a tenant goes by: its `name`, else its host name. */
export function tenantName(t: { name?: string | undefined; url: string }): string {
  if (t.name) return t.name;
  try {
    return new URL(t.url).hostname;
  } catch {
    return t.url;
  }
}

/** Cloud reload starts over MQTT need the broker connection. */
export function checkQlikCloudReferences(config: { qlikCloud?: QlikCloudConfig; mqtt?: unknown }, ctx: z.RefinementCtx): void {
  if (config.qlikCloud?.mqttTopic && !config.mqtt)
    ctx.addIssue({
      code: "custom",
      path: ["qlikCloud", "mqttTopic"],
      message: "starting Cloud reloads from MQTT needs the broker: configure mqtt: or remove mqttTopic",
    });
}
