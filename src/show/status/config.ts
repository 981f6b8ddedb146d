// Config of the business's subscriptions (status.subscriptions): people subscribe from /status with an e-mail address
// to be told when a promised app will be late and when it is fresh again (docs/status.md#subscriptions).
import { z } from "zod";
import { DurationSchema } from "../../platform/core/duration";

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export const StatusSubscriptionsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Offer subscriptions on /status."),
    channel: z
      .string()
      .min(1)
      .describe("The email channel (a name under channels:) that sends the confirmations and the notices: its SMTP server and From address."),
    allowedDomains: z
      .array(z.string().regex(DOMAIN, 'expected a mail domain like "corp.example"'))
      .min(1)
      .describe(
        "Mail domains people may subscribe with (the part after @; subdomains are not included). Any other address is refused, so /status cannot send mail to outsiders.",
      ),
    confirmWithin: DurationSchema.prefault("2d").describe("How long the link in a confirmation mail stays valid."),
    perAddress: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe(
        "Subscription requests (and so confirmation mails) one mailbox may receive per `window`: an address with a +tag counts as the address without it (anna+x@corp.example is anna@corp.example).",
      ),
    perClient: z.number().int().min(1).max(1000).default(20).describe("Subscription requests one client address may make per `window`."),
    window: DurationSchema.prefault("1h").describe("The period `perAddress` and `perClient` count over."),
  })
  .describe("Subscriptions from /status: an e-mail when a promised app will be late and when it is fresh again, with double opt-in and one-click unsubscribe.");

export const StatusSchema = z
  .strictObject({
    subscriptions: StatusSubscriptionsSchema.optional(),
  })
  .describe("The business's status page (/status): subscriptions by e-mail and the Atom feed.");

export type StatusSubscriptionsConfig = z.infer<typeof StatusSubscriptionsSchema>;
export type StatusConfig = z.infer<typeof StatusSchema>;

/** status.subscriptions.channel names an email channel, and the status page needs freshness promises to speak of. */
export function checkStatusReferences(
  config: {
    status?: StatusConfig | undefined;
    channels: Record<string, { type: string }>;
    freshness?: unknown;
    http: { publicUrl?: string | undefined };
    actionLinks: { publicBaseUrl?: string | undefined };
  },
  ctx: z.RefinementCtx,
): void {
  const s = config.status?.subscriptions;
  if (!s?.enabled) return;
  const channel = config.channels[s.channel];
  const emails = Object.entries(config.channels)
    .filter(([, c]) => c.type === "email")
    .map(([n]) => n);
  if (channel?.type !== "email") {
    ctx.addIssue({
      code: "custom",
      path: ["status", "subscriptions", "channel"],
      message: `${channel ? `channel "${s.channel}" is a ${channel.type} channel` : `no channel named "${s.channel}"`}: name an email channel${emails.length ? ` (${emails.join(", ")})` : " (none is defined under channels:)"}`,
    });
  }
  if (!config.http.publicUrl && !config.actionLinks.publicBaseUrl) {
    ctx.addIssue({
      code: "custom",
      path: ["status", "subscriptions"],
      message: "the mails' confirm and unsubscribe links need the address people reach Steward at: set http.publicUrl (or actionLinks.publicBaseUrl)",
    });
  }
  if (config.freshness === undefined) {
    ctx.addIssue({ code: "custom", path: ["status", "subscriptions"], message: "subscriptions tell of freshness promises: define freshness.promises first" });
  }
}
