// What a caller without a key may still do once keys exist (security.anonymous): the scopes, and the addresses that
// keep them. Compiled once per policy; judged per request on the caller's own address. A request that came through a
// proxy Steward does not trust, or that names the server by a foreign host (DNS rebinding), gets no grant: behind
// such a proxy every caller looks like the proxy, and a rebinding page would borrow a node's trust.
import type { Scope } from "../http/types";
import type { SecurityConfig } from "./config";
import { inRange, isLoopback, parseIp, parseRange, type IpAddress, type IpRange } from "./ip-match";
import type { QlikNodes } from "./qlik-nodes";
import { clientAddress } from "./status-access";

export interface AnonymousGrant {
  scopes: readonly Scope[];
  ranges: IpRange[];
  loopback: boolean;
  qlikNodes: boolean;
  /** The config's `from`, for messages. */
  from: readonly string[];
}

export function compileAnonymous(cfg: SecurityConfig["anonymous"]): AnonymousGrant {
  return {
    scopes: cfg.scopes as Scope[],
    ranges: cfg.from.flatMap((s) => parseRange(s) ?? []),
    loopback: cfg.from.includes("loopback"),
    qlikNodes: cfg.from.includes("qlik-nodes"),
    from: cfg.from,
  };
}

/** "this-server": Steward's own call (the demo's load script) or a read on a loopback listener. */
export type AnonymousCaller = IpAddress | "this-server";

/** Does the grant cover a caller at this address? */
export function grantCovers(grant: AnonymousGrant, caller: AnonymousCaller, nodes: QlikNodes | undefined): boolean {
  if (grant.scopes.length === 0) return false;
  const ip: IpAddress = caller === "this-server" ? { family: 4, address: "127.0.0.1" } : caller;
  if (grant.ranges.some((r) => inRange(ip, r))) return true;
  if (isLoopback(ip)) return grant.loopback || (grant.qlikNodes && (nodes?.local() ?? false));
  return grant.qlikNodes && (nodes?.has(ip) ?? false);
}

/**
 * The caller's address as the grant judges it, or why none can be: the TCP peer, or behind a proxy listed in
 * security.trustedProxies the client it names in X-Forwarded-For.
 */
export function anonymousCaller(
  req: { inProcess: boolean; loopbackListener: boolean; remoteAddress: () => string | undefined; forwardedFor?: string; forwarded?: string },
  trusted: readonly IpRange[],
): AnonymousCaller | { refuse: string } {
  if (req.inProcess) return "this-server";
  const proxied = req.forwardedFor !== undefined || req.forwarded !== undefined;
  if (req.loopbackListener && !proxied) return "this-server";
  const peer = parseIp(req.remoteAddress() ?? "");
  if (!peer) return { refuse: "the caller's address is unknown" };
  if (!proxied) return peer;
  const viaTrusted = trusted.some((r) => inRange(peer, r));
  if (!viaTrusted || req.forwardedFor === undefined) {
    return { refuse: `the request came through a proxy (${peer.address}) that is not in security.trustedProxies, so its caller is not known` };
  }
  return clientAddress(peer, req.forwardedFor, trusted) ?? { refuse: "X-Forwarded-For cannot be read" };
}

/** "tasks, kv.read from qlik-nodes, 10.0.0.0/8", for messages; "nothing" for an empty grant. */
export function describeGrant(grant: AnonymousGrant, nodes?: QlikNodes): string {
  if (grant.scopes.length === 0 || grant.from.length === 0) return "nothing";
  const nodesText = nodes ? nodes.describe() : "the Qlik nodes";
  const where = grant.from.map((f) => (f === "qlik-nodes" ? nodesText : f === "loopback" ? "this server (loopback)" : f));
  return `${grant.scopes.join(", ")} from ${where.join(", ")}`;
}
