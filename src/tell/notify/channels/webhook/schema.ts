// YAML block of a `webhook` channel: target URL and method, custom headers, optional HMAC-SHA256 signature
// and a private CA.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { channelCommonShape } from "../common-schema";

export const WebhookChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("webhook"),
      ...channelCommonShape,
      url: z.string().url().describe("Target URL (http or https)."),
      method: z.enum(["POST", "PUT", "GET"]).default("POST").describe("POST and PUT send a JSON body; GET sends the Butler fields as query parameters."),
      headers: z.record(z.string().min(1), z.string()).default({}).describe("Extra request headers, e.g. an Authorization header from ${env:…}."),
      hmac: z
        .strictObject({
          secret: z.string().min(8).describe("Shared secret; use ${env:…} or ${file:…}."),
          header: z.string().min(1).default("X-Steward-Signature").describe("Name of the header that carries the signature."),
        })
        .optional()
        .describe(
          "Sign each request: header = sha256=<hex HMAC-SHA256 of `<timestamp>.<body>`>, with the Unix timestamp (seconds) in " +
            "X-Steward-Timestamp. For GET the signed body is the query string.",
        ),
      ca: z
        .string()
        .min(1)
        .optional()
        .describe("PEM file (relative to the config file) of a private CA for an https URL.")
        .meta({ examples: ["./certs/corp-root-ca.pem"] }),
      rejectUnauthorized: z.boolean().default(true).describe("Verify the server certificate. Turn off only knowingly."),
      testTarget: z.string().url().optional().describe("URL used instead of url while notify.testMode is on."),
    })
    .describe("Outgoing webhooks: Butler's payload fields plus the full Steward event."),
);

export type WebhookChannelConfig = z.infer<typeof WebhookChannelSchema>;
