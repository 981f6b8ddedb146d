// Email channel: one pooled SMTP transport per channel instance, one mail per delivery.
import type { ChannelDefinition } from "../../types";
import { deliveryError } from "../../../../platform/http/delivery-error";
import { composeMail } from "./message";
import { EmailChannelSchema } from "./schema";
import { createSmtpTransport, smtpOptions } from "./transport";

/** SMTP 5xx answers to the envelope or message are final (unknown mailbox, rejected content); the rest may pass later. */
function classify(err: unknown): Error {
  const e = err as { responseCode?: number; code?: string; message?: string };
  const permanent = typeof e.responseCode === "number" && e.responseCode >= 500 && (e.code === "EENVELOPE" || e.code === "EMESSAGE");
  return deliveryError(`SMTP: ${e.message ?? String(err)}`, { permanent, cause: err, status: e.responseCode });
}

export const emailChannel: ChannelDefinition<"email"> = {
  type: "email",
  schema: EmailChannelSchema,
  addressable: true,
  supportsDigest: true,
  templateParts: ["subject", "html", "text"],
  preview(cfg, n, deps) {
    const mail = composeMail(cfg, n, deps.templates, deps.strictTemplates).value;
    const attachments = (mail.attachments ?? []).map((a) => ({ filename: a.filename, bytes: Buffer.byteLength(String(a.content ?? "")) }));
    return {
      from: mail.from,
      to: mail.to,
      cc: mail.cc,
      bcc: mail.bcc,
      subject: mail.subject,
      priority: mail.priority,
      html: mail.html,
      text: mail.text,
      attachments,
    };
  },
  create(cfg, deps) {
    // Made at the first send (the pool connects on demand anyway), so a start does not load nodemailer. One
    // promise, taken synchronously, so concurrent first sends share one pooled transport.
    let pending: ReturnType<typeof createSmtpTransport> | undefined;
    let closed = false;
    // Built now: a CA file that cannot be read fails the channel at start, not at its first alert.
    const options = smtpOptions(cfg, deps.baseDir);
    return {
      async send(n, signal) {
        const { value: mail, fallback } = composeMail(cfg, n, deps.templates);
        try {
          pending ??= createSmtpTransport(options);
          const transport = await pending;
          if (closed) throw new Error("the channel was closed");
          await transport.sendMail({ ...mail, signal } as typeof mail);
        } catch (err) {
          throw classify(err);
        }
        return { fallback };
      },
      async close() {
        closed = true;
        (await pending?.catch(() => undefined))?.close();
      },
    };
  },
};
