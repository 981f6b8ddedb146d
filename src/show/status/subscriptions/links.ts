// The signed links of subscription mails: confirm (valid until the request's expiry, only for the request's nonce, so
// a newer request voids the older mail's link) and unsubscribe (valid as long as the subscription exists: a mail
// read months later still unsubscribes). An HMAC-SHA256 over every field with the site's key in the store.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Subscription } from "./store";

export const CONFIRM_PATH = "/status/subscriptions/confirm";
export const UNSUBSCRIBE_PATH = "/status/subscriptions/unsubscribe";
/** The landing paths: the signed query is their credential (src/platform/security/browser-guard.ts). */
export const SUBSCRIPTION_LINK_PATHS = /^\/status\/subscriptions\/(confirm|unsubscribe)$/;

type Action = "confirm" | "unsubscribe";

const canonical = (action: Action, s: Pick<Subscription, "id" | "address" | "nonce">, expiresAt: number) =>
  ["steward-subscription-v1", action, s.id, s.address, action === "confirm" ? s.nonce : "", expiresAt].join("\n");

export function sign(secret: Buffer, action: Action, s: Pick<Subscription, "id" | "address" | "nonce">, expiresAt = 0): string {
  return createHmac("sha256", secret)
    .update(canonical(action, s, expiresAt))
    .digest("base64url");
}

export function verify(secret: Buffer, action: Action, s: Pick<Subscription, "id" | "address" | "nonce">, expiresAt: number, signature: string): boolean {
  const want = Buffer.from(sign(secret, action, s, expiresAt));
  const got = Buffer.from(signature);
  return got.length === want.length && timingSafeEqual(got, want);
}

export function confirmUrl(base: string, secret: Buffer, s: Subscription, expiresAt: number): string {
  const q = new URLSearchParams({ id: String(s.id), x: String(expiresAt), s: sign(secret, "confirm", s, expiresAt) });
  return `${base}${CONFIRM_PATH}?${q}`;
}

export function unsubscribeUrl(base: string, secret: Buffer, s: Subscription): string {
  const q = new URLSearchParams({ id: String(s.id), s: sign(secret, "unsubscribe", s) });
  return `${base}${UNSUBSCRIBE_PATH}?${q}`;
}
