// Which of Steward's scopes a signed-in person holds: the union of the scopes of every security.sso.roles rule their
// ID token matches (a group in the group claim, or a value of another claim). No rule matched: no scope, and the
// sign-in is refused with a page saying so.
import type { Scope } from "../../http/types";
import type { SsoConfig } from "../sso-config";

/** A claim's values as strings: a list, one string, or nothing. */
export function claimValues(claims: Record<string, unknown>, name: string): string[] {
  const v = claims[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return typeof v === "string" ? [v] : [];
}

export function scopesOf(cfg: Pick<SsoConfig, "roles" | "groupClaim">, claims: Record<string, unknown>): Scope[] {
  const groups = new Set(claimValues(claims, cfg.groupClaim));
  const out = new Set<Scope>();
  for (const r of cfg.roles) {
    const hit = r.group !== undefined ? groups.has(r.group) : claimValues(claims, r.claim!).includes(r.equals!);
    if (hit) for (const s of r.scopes) out.add(s as Scope);
  }
  return [...out];
}
