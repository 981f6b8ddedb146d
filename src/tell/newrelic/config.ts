// Config of New Relic: the accounts (Butler's thirdPartyToolsCredentials.newRelic) that newrelic channels and
// Butler's POST /v4/newrelic/metric and /v4/newrelic/event routes send to, and the API endpoints of the region.
// Built on first use (lazySection): a config that leaves the block out never builds its schema.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";

const AccountSchema = z.lazy(() =>
  z.strictObject({
    name: z.string().min(1).describe("Name channels and routes use to pick this account (Butler's accountName)."),
    accountId: z
      .union([z.string().regex(/^\d+$/), z.number().int().positive()])
      .transform(String)
      .describe("New Relic account id."),
    insertApiKey: z.string().min(1).describe("License/insert key sent as Api-Key; use ${env:…}."),
  }),
);

const ForwardSchema = z.lazy(() =>
  z.strictObject({
    accounts: z
      .array(z.string().min(1))
      .describe("Accounts each call is forwarded to (Butler's destinationAccount); with none the route answers 503 until one is named."),
    headers: z
      .record(z.string().min(1), z.string())
      .default({})
      .describe("Extra request headers.")
      .meta({ examples: [{ "X-Source": "qlik-sense" }] }),
    attributes: z
      .record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()]))
      .default({})
      .describe("Static attributes added to every metric or event."),
  }),
);

export const NewRelicSchema = lazySection(() =>
  z
    .strictObject({
      accounts: z
        .array(AccountSchema)
        .min(1)
        .describe("The accounts, each with a name that channels and the api block refer to (Butler's thirdPartyToolsCredentials.newRelic)."),
      eventUrl: z
        .string()
        .url()
        .default("https://insights-collector.eu01.nr-data.net")
        .describe("Event API base (US: https://insights-collector.newrelic.com)."),
      metricUrl: z
        .string()
        .url()
        .default("https://metric-api.eu.newrelic.com/metric/v1")
        .describe("Metric API URL (US: https://metric-api.newrelic.com/metric/v1)."),
      logUrl: z.string().url().default("https://log-api.eu.newrelic.com/log/v1").describe("Log API URL (US: https://log-api.newrelic.com/log/v1)."),
      timeout: z.number().int().min(100).max(120_000).default(10_000).describe("Milliseconds one call to New Relic may take."),
      api: z
        .strictObject({
          metric: ForwardSchema.optional().describe("POST /v4/newrelic/metric (Butler's postNewRelicMetric); the route is off without it."),
          event: ForwardSchema.optional().describe("POST /v4/newrelic/event (Butler's postNewRelicEvent); the route is off without it."),
        })
        .prefault({})
        .describe("Butler's /v4/newrelic routes: which accounts each forwards to."),
    })
    .describe("New Relic accounts and endpoints, for newrelic channels and Butler's /v4/newrelic routes."),
);

export type NewRelicConfig = z.infer<typeof NewRelicSchema>;
export type NewRelicAccount = NewRelicConfig["accounts"][number];

/** Every account name used by the API forwarding or a newrelic channel must exist in newRelic.accounts. */
export function checkNewRelicReferences(
  config: { newRelic?: NewRelicConfig; channels: Record<string, { type: string; accounts?: string[] }> },
  ctx: z.RefinementCtx,
): void {
  const known = new Set((config.newRelic?.accounts ?? []).map((a) => a.name));
  const check = (names: string[] | undefined, path: (string | number)[]) =>
    (names ?? []).forEach((n, i) => {
      if (!known.has(n))
        ctx.addIssue({
          code: "custom",
          path: [...path, i],
          message: `no New Relic account named "${n}" in newRelic.accounts${known.size ? ` (known: ${[...known].join(", ")})` : ""}`,
        });
    });
  check(config.newRelic?.api.metric?.accounts, ["newRelic", "api", "metric", "accounts"]);
  check(config.newRelic?.api.event?.accounts, ["newRelic", "api", "event", "accounts"]);
  for (const [name, ch] of Object.entries(config.channels)) {
    if (ch.type !== "newrelic") continue;
    if (!config.newRelic)
      ctx.addIssue({ code: "custom", path: ["channels", name], message: "a newrelic channel needs the newRelic: section with its accounts" });
    else check(ch.accounts, ["channels", name, "accounts"]);
  }
}
