// YAML block of an `email` channel: SMTP connection (with TLS mode actually enforced), sender, static
// recipients, priority and whether a failed task's script log is attached.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { z } from "zod";
import { channelCommonShape } from "../common-schema";

export const EmailAddressSchema = z.string().regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, "expected an e-mail address like ops@corp.example");

export const SmtpSchema = z.lazy(() =>
  z
    .strictObject({
      host: z.string().min(1).describe("SMTP server host name or address."),
      port: z.number().int().min(1).max(65535).optional().describe("Defaults to 465 for security: tls, 587 for starttls, else 25."),
      security: z
        .enum(["tls", "starttls", "opportunistic", "none"])
        .default("starttls")
        .describe(
          "tls: implicit TLS from the first byte (usually port 465). starttls: STARTTLS is required; a server that does not offer " +
            "it is refused. opportunistic: STARTTLS when offered, else plain. none: never TLS.",
        ),
      auth: z
        .strictObject({
          user: z.string().min(1).describe("SMTP user name."),
          password: z.string().describe("Use ${env:…} or ${file:…}."),
        })
        .optional()
        .describe("SMTP AUTH credentials; omit for relays that need none."),
      ca: z
        .string()
        .min(1)
        .optional()
        .describe("PEM file (relative to the config file) of the CA that signed the SMTP server's certificate.")
        .meta({ examples: ["./certs/corp-root-ca.pem"] }),
      rejectUnauthorized: z.boolean().default(true).describe("Verify the server certificate. Turn off only knowingly."),
      servername: z.string().min(1).optional().describe("TLS server name, when it differs from host."),
      clientName: z.string().min(1).optional().describe("Name sent in EHLO; defaults to this machine's host name."),
      maxConnections: z.number().int().min(1).max(20).default(2).describe("Pooled SMTP connections kept open and reused."),
    })
    .describe("How to reach the SMTP server. One pooled transport per channel is built at start and reused."),
);

export const EmailChannelSchema = z.lazy(() =>
  z
    .strictObject({
      type: z.literal("email"),
      ...channelCommonShape,
      smtp: SmtpSchema,
      from: z.string().min(3).describe('Sender, e.g. "Qlik Sense <steward@corp.example>".'),
      replyTo: z.string().min(3).optional().describe("Reply-To address of the mails."),
      to: z.array(EmailAddressSchema).default([]).describe("Static recipients; each gets a mail of their own. Routes can add more."),
      cc: z.array(EmailAddressSchema).default([]).describe("Copied on every mail (dropped in test mode)."),
      bcc: z.array(EmailAddressSchema).default([]).describe("Blind-copied on every mail (dropped in test mode)."),
      priority: z
        .enum(["high", "normal", "low"])
        .optional()
        .describe("Mail priority; by default high for failures, normal otherwise.")
        .meta({ examples: ["high"] }),
      attachScriptLog: z.boolean().default(true).describe("Attach the script log as a file to mails about failed or aborted tasks."),
    })
    .describe("Alerts by e-mail (nodemailer)."),
);

export type EmailChannelConfig = z.infer<typeof EmailChannelSchema>;
