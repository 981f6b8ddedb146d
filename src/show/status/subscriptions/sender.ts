// Sends the queued subscription mails through the email channel's SMTP server: each mail claimed in the store first
// (several Stewards on one store send it once), retried with growing delays on a temporary failure, given up on a
// permanent one (5xx) or after MAX_ATTEMPTS. In notify's test mode every mail goes to its test address instead. Woken
// when a mail is queued and every 30 s (retries, and mails a stopped Steward left). Every mail has List-Unsubscribe and List-Unsubscribe-Post (RFC 8058 one-click).
import type { Logger } from "pino";
import { type Clock, every } from "../../../platform/core/clock";
import { createSerialLook } from "../../../platform/core/serial-look";
import type { EmailChannelConfig } from "../../../tell/notify/channels/email/schema";
import { messageIdFor } from "../../../tell/notify/channels/email/message";
import { personalMailOptions } from "../../../tell/notify/channels/email/personal-mail";
import { createSmtpTransport, smtpOptions } from "../../../tell/notify/channels/email/transport";
import type { OutgoingMail, SubscriptionStore } from "./store";

const MAX_ATTEMPTS = 8;
const DELAYS_MS = [60_000, 5 * 60_000, 15 * 60_000, 30 * 60_000, 60 * 60_000, 2 * 3_600_000, 4 * 3_600_000];
/**
 * A claim is short and renewed while its send goes on (RENEW_MS), so a mail a stopped Steward left is sent by another
 * within a minute (the claim runs out, then the next look: LOOK_MS), while a slow SMTP server never has it sent twice.
 */
const HOLD_MS = 30_000;
const RENEW_MS = 10_000;
const LOOK_MS = 30_000;
const DAY_MS = 86_400_000;
/** Sent mails and requests never confirmed are kept a month (what went to whom), notices a quarter (the feed lists the latest 50). */
const KEEP_MAILS_MS = 30 * DAY_MS;
const KEEP_NOTICES_MS = 90 * DAY_MS;

export interface SenderDeps {
  store: SubscriptionStore;
  clock: Clock;
  log: Logger;
  channel: EmailChannelConfig;
  baseDir: string;
  /** notify.testMode.email while test mode is on: every mail goes there, its subscriber named in the subject. */
  testTarget?: string;
}

export function createSubscriptionSender(d: SenderDeps) {
  const options = smtpOptions(d.channel, d.baseDir);
  let transport: ReturnType<typeof createSmtpTransport> | undefined;
  let purgedAt = 0;

  const sendOne = async (m: OutgoingMail) => {
    transport ??= createSmtpTransport(options);
    await (await transport).sendMail(
      personalMailOptions(
        d.channel,
        {
          to: m.address,
          subject: m.subject,
          text: m.text,
          html: m.html,
          messageId: messageIdFor(`status-mail:${m.id}`, d.channel.from),
          headers: { "List-Unsubscribe": `<${m.unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
        },
        d.testTarget,
      ),
    );
  };

  const pass = async () => {
    if (d.clock.now() - purgedAt >= DAY_MS) {
      purgedAt = d.clock.now();
      await d.store.purge(purgedAt - KEEP_MAILS_MS, purgedAt - KEEP_NOTICES_MS);
    }
    for (;;) {
      const now = d.clock.now();
      const due = await d.store.dueMails(now, 20);
      if (due.length === 0) return;
      for (const m of due) {
        if (!(await d.store.claim(m.id, now, HOLD_MS))) continue;
        const stopRenewing = every(d.clock, RENEW_MS, () =>
          d.store
            .renewClaim(m.id, d.clock.now() + HOLD_MS)
            .catch((err: unknown) => d.log.warn({ mailId: m.id, err }, "could not hold a subscription mail's claim while sending it")),
        );
        try {
          await sendOne(m);
          stopRenewing();
          await d.store.sent(m.id);
        } catch (err) {
          stopRenewing();
          const e = err as { responseCode?: number; message?: string };
          const permanent = typeof e.responseCode === "number" && e.responseCode >= 500;
          const attempt = m.attempts + 1;
          const next = permanent || attempt >= MAX_ATTEMPTS ? undefined : d.clock.now() + DELAYS_MS[Math.min(attempt - 1, DELAYS_MS.length - 1)]!;
          d.log.warn(
            { mailId: m.id, attempt, permanent, err: e.message },
            next === undefined ? "subscription mail given up" : "subscription mail failed, will retry",
          );
          await d.store.failed(m.id, e.message ?? String(err), next);
        }
      }
    }
  };

  // A drain asked for while one runs (a mail queued meanwhile) runs once more after it.
  const loop = createSerialLook({
    clock: d.clock,
    label: "subscription mails",
    look: pass,
    onError: (err) => d.log.error({ err }, "subscription mails: the store could not be read"),
    nextDelayMs: () => LOOK_MS,
  });

  return {
    name: "status-subscription-mails",
    /** Sends what is due now (queued mails wake it). */
    drain: loop.run,
    start() {
      loop.start(LOOK_MS);
    },
    async stop() {
      await loop.stop();
      (await transport?.catch(() => undefined))?.close();
    },
  };
}
