// The credentials of the on-call products' webhooks, checked on the raw bytes before anything of the body is read:
// PagerDuty's v3 signature (X-PagerDuty-Signature: v1=<hex HMAC-SHA256 of the body with the subscription's secret>,
// several comma-separated while a secret is rotated) and the shared token an Opsgenie / JSM outgoing webhook sends.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** At most this many signatures are tried (PagerDuty sends one, two while a secret changes). */
const MAX_SIGNATURES = 8;

/** The index of the secret one of the header's v1 signatures was made with; -1 when none matches. */
export function pagerDutySigner(body: Uint8Array, header: string | undefined, secrets: readonly string[]): number {
  if (!header) return -1;
  const given = header
    .split(",")
    .slice(0, MAX_SIGNATURES)
    .map((s) => s.trim())
    .filter((s) => s.startsWith("v1=") && /^[0-9a-f]{64}$/i.test(s.slice(3)))
    .map((s) => Buffer.from(s.slice(3), "hex"));
  if (given.length === 0) return -1;
  for (let i = 0; i < secrets.length; i++) {
    const want = createHmac("sha256", secrets[i]!).update(body).digest();
    if (given.some((g) => timingSafeEqual(g, want))) return i;
  }
  return -1;
}

/** The index of the token the header carries; -1 when none. Compared as digests, so neither length nor bytes leak. */
export function tokenOwner(header: string | undefined, tokens: readonly string[]): number {
  if (!header) return -1;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  const given = digest(header.trim());
  return tokens.findIndex((t) => timingSafeEqual(given, digest(t)));
}

/** The header value PagerDuty would send for `body` (tests and the docs' example). */
export function signPagerDuty(body: string | Uint8Array, secret: string): string {
  return `v1=${createHmac("sha256", secret).update(body).digest("hex")}`;
}
