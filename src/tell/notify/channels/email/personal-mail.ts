// A mail to one person through an email channel's SMTP server (the rota's notices, status subscriptions): the
// channel's From and Reply-To, marked auto-generated so out-of-office replies stay away, and in notify's test mode
// sent to the test address instead, its person named in the subject.
import type { SendMailOptions } from "nodemailer";
import type { EmailChannelConfig } from "./schema";
import { createSmtpTransport, smtpOptions } from "./transport";

export interface PersonalMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  messageId?: string;
  /** Headers besides Auto-Submitted (List-Unsubscribe, …). */
  headers?: Record<string, string>;
}

/** The message as nodemailer sends it; `testTarget`: notify.testMode.email while test mode is on. */
export function personalMailOptions(channel: EmailChannelConfig, m: PersonalMail, testTarget?: string): SendMailOptions {
  return {
    from: channel.from,
    ...(channel.replyTo ? { replyTo: channel.replyTo } : {}),
    to: testTarget ?? m.to,
    subject: testTarget ? `[TEST for ${m.to}] ${m.subject}` : m.subject,
    text: m.text,
    ...(m.html !== undefined ? { html: m.html } : {}),
    ...(m.messageId !== undefined ? { messageId: m.messageId } : {}),
    headers: { ...m.headers, "Auto-Submitted": "auto-generated" },
  };
}

/** Sends one mail on a transport of its own, closed after: for notices a few a day, where a pool kept open is waste. */
export async function sendPersonalMail(channel: EmailChannelConfig, baseDir: string, m: PersonalMail, testTarget?: string): Promise<void> {
  const transport = await createSmtpTransport(smtpOptions(channel, baseDir));
  try {
    await transport.sendMail(personalMailOptions(channel, m, testTarget));
  } finally {
    transport.close();
  }
}
