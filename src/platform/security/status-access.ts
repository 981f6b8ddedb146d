// Who may read the business-facing status routes by address (security.statusAccess): an allowlist that stands in for
// the status key or narrows where it works, judged on the caller's own address. X-Forwarded-For is believed only
// when the connection comes from a configured trusted proxy; anyone else could write any address into it.
import type { SecurityConfig } from "./config";
import { inRange, type IpAddress, type IpRange, parseIp, parseRange } from "./ip-match";

export interface StatusAccessPolicy {
  /** Anyone reads the status routes without a key. */
  public: boolean;
  allow: IpRange[];
  trusted: IpRange[];
  requireKey: boolean;
}

/** "scope": the route's usual key and scope check decides; "grant": the address is enough; else a 403 with a reason. */
export type StatusDecision = "scope" | "grant" | { refuse: string };

/** A header longer than this (or with more hops) is not read: its cost stays bounded and the caller is refused. */
const MAX_HEADER = 2_048;
const MAX_HOPS = 32;

/** `trusted`: every proxy the site trusts (security.trustedProxies and statusAccess.trustedProxies): one rule everywhere. */
export function compileStatusAccess(cfg: SecurityConfig["statusAccess"], trusted: IpRange[]): StatusAccessPolicy {
  return { public: cfg.public, allow: cfg.ipAllowlist.map((s) => parseRange(s)!), trusted, requireKey: cfg.requireKey };
}

const inAny = (ip: IpAddress, ranges: readonly IpRange[]) => ranges.some((r) => inRange(ip, r));

/**
 * The caller's address: the connection's peer, or, when the peer is a trusted proxy, the right-most address of
 * X-Forwarded-For that is not itself a trusted proxy. Undefined when that header cannot be read.
 */
export function clientAddress(peer: IpAddress, forwardedFor: string | null | undefined, trusted: readonly IpRange[]): IpAddress | undefined {
  if (!forwardedFor || trusted.length === 0 || !inAny(peer, trusted)) return peer;
  if (forwardedFor.length > MAX_HEADER) return undefined;
  const hops = forwardedFor.split(",");
  if (hops.length > MAX_HOPS) return undefined;
  let client = peer;
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = parseIp(hops[i]!);
    if (!ip) return undefined;
    client = ip;
    if (!inAny(ip, trusted)) break;
  }
  return client;
}

export function decideStatusAccess(
  p: StatusAccessPolicy,
  req: { remoteAddress?: string; inProcess?: boolean; forwardedFor?: string | null; hasCredential: boolean },
): StatusDecision {
  if (p.public) return "grant";
  if (p.allow.length === 0 || req.inProcess) return "scope";
  const peer = req.remoteAddress === undefined ? undefined : parseIp(req.remoteAddress);
  const client = peer ? clientAddress(peer, req.forwardedFor, p.trusted) : undefined;
  const listed = client !== undefined && inAny(client, p.allow);
  const who = client ? `address ${client.address}` : peer ? "the address in X-Forwarded-For (unreadable)" : "an unknown address";
  if (p.requireKey) return listed ? "scope" : { refuse: `${who} is not in security.statusAccess.ipAllowlist` };
  if (listed) return "grant";
  if (req.hasCredential) return "scope";
  return { refuse: `${who} is not in security.statusAccess.ipAllowlist; from elsewhere send a key with scope "status" (X-API-Key)` };
}
