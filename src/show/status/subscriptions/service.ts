// The subscriptions' work: a request from /status (refused outside the allowed domains or past the rate limits; a
// confirmation mail with a signed link, nothing else until it is followed), and each freshness event the business is
// told of (words.ts): recorded once as a notice (the Atom feed lists them) and queued once per confirmed subscription
// that covers it. A "fresh again" goes only to the subscriptions that were told "late" in the same episode.
import { randomBytes } from "node:crypto";
import type { Clock } from "../../../platform/core/clock";
import { AppError } from "../../../platform/core/errors";
import { clockText } from "../../../platform/core/site-clock";
import type { WatchdogEvent } from "../../../platform/events/types";
import type { StatusSubscriptionsConfig } from "../config";
import { confirmUrl, unsubscribeUrl } from "./links";
import { alreadyMail, confirmationMail, noticeMail } from "./mails";
import type { Subscription, SubscriptionStore } from "./store";
import { type NoticeText, noticeOf } from "./words";

export interface SubscriptionRequest {
  email: string;
  /** The app (an id), or "" for every app of the promise. */
  appId: string;
  /** A promise's name, or "" for every promise of the app. */
  promise: string;
  /** The caller's address, for the rate limit. */
  client: string;
}

export interface ServiceDeps {
  store: SubscriptionStore;
  clock: Clock;
  /** The address people reach Steward at (links in the mails). */
  baseUrl: string;
  timeZone(): string;
  /** What the target is called, or undefined when no promise covers it. */
  labelOf(appId: string, promise: string): Promise<string | undefined>;
  /** Wakes the sender. */
  queued(): void;
}

/** Mails sent only to these: the caller's text is compared lower-case, on the part after the last "@". */
export function domainAllowed(address: string, domains: readonly string[]): boolean {
  const domain = address.slice(address.lastIndexOf("@") + 1).toLowerCase();
  return domains.some((d) => d.toLowerCase() === domain);
}

export function createSubscriptionService(cfg: StatusSubscriptionsConfig | undefined, d: ServiceDeps) {
  const statusUrl = `${d.baseUrl}/status`;

  /** Records the notice of a freshness event (once per site) and, when it is new, queues its mails. */
  async function onFreshness(e: WatchdogEvent): Promise<void> {
    const n = noticeOf(e, d.timeZone(), d.clock.now());
    if (!n) return;
    if (n.word === "fresh" && !(await d.store.hasNotice(n.lateKey))) return;
    await tell(n);
  }

  /** Records a notice once for the site (its key claimed in the store) and queues its mails to the subscriptions covering it. */
  async function tell(n: NoticeText): Promise<void> {
    const now = d.clock.now();
    const notice = await d.store.addNotice({
      key: n.key,
      word: n.word,
      promise: n.promise,
      appId: n.appId,
      appName: n.appName,
      title: n.title,
      text: n.text,
      at: now,
    });
    if (!notice || !cfg?.enabled) return;
    const secret = await d.store.key(now);
    let any = false;
    for (const s of await d.store.confirmedFor(n.promise, n.appId)) {
      if (n.word === "fresh" && !(await d.store.mailQueued(s.id, n.lateKey))) continue;
      const unsub = unsubscribeUrl(d.baseUrl, secret, s);
      const mail = noticeMail(notice, s, statusUrl, unsub);
      any = (await d.store.queueMail({ subscriptionId: s.id, key: n.key, address: s.address, ...mail, unsubscribeUrl: unsub, now })) || any;
    }
    if (any) d.queued();
  }

  /**
   * A subscription request: queues the confirmation mail, or, when the address is subscribed already, a mail saying so.
   * The answer is the same either way: the page does not tell who is subscribed to what; the mailbox's owner learns it.
   */
  async function request(r: SubscriptionRequest): Promise<{ state: "mail_sent"; subscription: Subscription }> {
    if (!cfg?.enabled) throw new AppError("NOT_FOUND", "subscriptions are not offered here (status.subscriptions)");
    const address = r.email.trim().toLowerCase();
    if (!domainAllowed(address, cfg.allowedDomains)) {
      throw new AppError("BAD_REQUEST", `body.email: only addresses at ${cfg.allowedDomains.join(", ")} may subscribe`, {
        details: [{ field: "body.email", message: `only addresses at ${cfg.allowedDomains.join(", ")} may subscribe` }],
      });
    }
    const label = await d.labelOf(r.appId, r.promise);
    if (!label) {
      const field = r.appId ? "body.appId" : "body.promise";
      throw new AppError("BAD_REQUEST", `${field}: no freshness promise covers it`, { details: [{ field, message: "no freshness promise covers it" }] });
    }
    const now = d.clock.now();
    // Counted per mailbox: anna+1@, anna+2@ … all reach anna@'s inbox, and each would get perAddress mails of its own.
    const counts = await d.store.countRequest(mailboxOf(address), r.client, now, cfg.window);
    if (counts.address > cfg.perAddress) {
      throw new AppError("RATE_LIMITED", `body.email: this mailbox was asked for ${cfg.perAddress} times already; try again later`, {
        details: [
          {
            field: "body.email",
            message: `at most ${cfg.perAddress} requests per mailbox (the address without its +tag) in ${Math.round(cfg.window / 60_000)} min`,
          },
        ],
      });
    }
    if (counts.client > cfg.perClient) {
      throw new AppError("RATE_LIMITED", `too many subscription requests from your address; try again later`, {
        details: [{ field: "client", message: `at most ${cfg.perClient} requests per client in ${Math.round(cfg.window / 60_000)} min` }],
      });
    }
    const s = await d.store.request({ address, appId: r.appId.toLowerCase(), promise: r.promise, label, nonce: randomBytes(12).toString("base64url"), now });
    const secret = await d.store.key(now);
    const unsub = unsubscribeUrl(d.baseUrl, secret, s);
    if (s.confirmedAt !== null) {
      await d.store.queueMail({ subscriptionId: s.id, key: `already|${now}`, address, ...alreadyMail(s, statusUrl, unsub), unsubscribeUrl: unsub, now });
      d.queued();
      return { state: "mail_sent", subscription: s };
    }
    const expiresAt = now + cfg.confirmWithin;
    const mail = confirmationMail(s, confirmUrl(d.baseUrl, secret, s, expiresAt), unsub, `${clockText(expiresAt, d.timeZone(), now)} ${d.timeZone()}`);
    // One confirmation per request (its nonce): a repeated request within the limits sends a new one.
    await d.store.queueMail({ subscriptionId: s.id, key: `confirm|${s.nonce}`, address, ...mail, unsubscribeUrl: unsub, now });
    d.queued();
    return { state: "mail_sent", subscription: s };
  }

  return { onFreshness, tell, request };
}

export type SubscriptionService = ReturnType<typeof createSubscriptionService>;

/** The mailbox an address reaches: its local part without a `+tag` (plus-addressing), lower case. */
export function mailboxOf(address: string): string {
  const at = address.lastIndexOf("@");
  if (at < 0) return address.toLowerCase();
  const local = address.slice(0, at);
  const plus = local.indexOf("+");
  return `${plus > 0 ? local.slice(0, plus) : local}${address.slice(at)}`.toLowerCase();
}
