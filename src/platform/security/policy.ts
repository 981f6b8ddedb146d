// The access policy compiled from `security:` config plus the store's keys: what the HTTP middleware consults
// on every request. A reload builds a new policy and swaps it in one assignment; rate-limit windows carry
// over when their rule did not change.
import type { Clock } from "../core/clock";
import { scopeOpens } from "../http/scope-grants";
import type { Scope } from "../http/types";
import type { SecurityConfig } from "./config";
import { inRange, isLoopback, parseIp, parseRange, type IpAddress, type IpRange } from "./ip-match";
import { createKeyRing, type KeyRing } from "./key-ring";
import type { StoredKey } from "./key-store";
import { compileStatusAccess, type StatusAccessPolicy } from "./status-access";
import { type AnonymousGrant, compileAnonymous } from "./anonymous";
import { createRateLimiter, type RateLimiter } from "./rate-limiter";

export interface CertRule {
  name: string;
  subjectCN?: string;
  /** Upper-case hex without colons. */
  fingerprint?: string;
  scopes: readonly Scope[];
}

export interface SecurityPolicy {
  config: SecurityConfig;
  ring: KeyRing;
  certRules: CertRule[];
  allow: IpRange[];
  perIp?: RateLimiter;
  perKey?: RateLimiter;
  /** "METHOD /path" of the routes that accept ?apiKey=. */
  queryRoutes: ReadonlySet<string>;
  /** Keys, certificate rules or single sign-on exist: anonymous callers then reach only public routes. */
  authConfigured: boolean;
  /** Addresses that may read the status routes (security.statusAccess). */
  statusAccess: StatusAccessPolicy;
  /** What callers without a key keep once keys exist, and from where (security.anonymous). */
  anonymous: AnonymousGrant;
  /** Proxies whose X-Forwarded-For names the caller (security.trustedProxies with statusAccess.trustedProxies). */
  trustedProxies: IpRange[];
  /**
   * Proxies whose X-Forwarded-For is believed for security.anonymous's grant: security.trustedProxies only. A proxy
   * listed for the status routes alone (statusAccess.trustedProxies) names callers, it does not grant them scopes.
   */
  grantProxies: IpRange[];
  /** Set when the stored keys vanished under a non-loopback listener: why every caller is refused (listen-rule.ts). */
  lockedOut?: string;
}

export function normaliseFingerprint(fp: string): string {
  return fp.replace(/:/g, "").toUpperCase();
}

/** `storedKeys`: the active run-time keys, as last read from the store. */
export function buildPolicy(cfg: SecurityConfig, deps: { storedKeys?: readonly StoredKey[]; clock: Clock; previous?: SecurityPolicy }): SecurityPolicy {
  const keys = [
    ...cfg.apiKeys.map((k) => ({
      name: k.name,
      hash: k.hash,
      scopes: k.scopes as Scope[],
      source: "config" as const,
      ...(k.person ? { person: k.person } : {}),
    })),
    ...(cfg.storeKeys && deps.storedKeys
      ? deps.storedKeys.map((k) => ({ name: k.name, hash: k.hash, scopes: k.scopes, source: "store" as const, ...(k.person ? { person: k.person } : {}) }))
      : []),
  ];
  const ring = createKeyRing(keys);
  const certRules = cfg.clientCerts.map((r) => ({
    name: r.name,
    scopes: r.scopes as Scope[],
    ...(r.subjectCN ? { subjectCN: r.subjectCN } : {}),
    ...(r.fingerprint256 ? { fingerprint: normaliseFingerprint(r.fingerprint256) } : {}),
  }));
  const limiter = (rule: SecurityConfig["rateLimit"]["perIp"], old: RateLimiter | undefined) => {
    if (!rule.enabled) return undefined;
    if (old && old.rule.requests === rule.requests && old.rule.windowMs === rule.window) return old;
    return createRateLimiter({ requests: rule.requests, windowMs: rule.window }, deps.clock);
  };
  const grantProxies = cfg.trustedProxies.map((s) => parseRange(s)!);
  const trustedProxies = [...grantProxies, ...cfg.statusAccess.trustedProxies.map((s) => parseRange(s)!)];
  return {
    config: cfg,
    ring,
    certRules,
    allow: cfg.ipAllowlist.map((s) => parseRange(s)!),
    perIp: limiter(cfg.rateLimit.perIp, deps.previous?.perIp),
    perKey: limiter(cfg.rateLimit.perKey, deps.previous?.perKey),
    queryRoutes: new Set(cfg.queryKey.enabled ? cfg.queryKey.routes : []),
    // Single sign-on authenticates people: with it, nobody is anonymous with every scope, even before the first key.
    authConfigured: ring.size > 0 || certRules.length > 0 || cfg.sso !== undefined,
    statusAccess: compileStatusAccess(cfg.statusAccess, trustedProxies),
    anonymous: compileAnonymous(cfg.anonymous),
    trustedProxies,
    grantProxies,
  };
}

/**
 * Does the principal's scope list grant `scope`? admin implies every scope; `read` grants the routes of scope read,
 * and with `method` GET those a read key may look at (http/scope-grants.ts).
 */
export function grants(scopes: readonly Scope[] | "all", scope: Scope, method?: string): boolean {
  if (scope === "public" || scopes === "all") return true;
  return scopes.some((held) => scopeOpens(held, scope, method));
}

export function isLoopbackIp(ip: IpAddress): boolean {
  return isLoopback(ip);
}

/** Is a listen address loopback-only? ("localhost", 127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  const ip = parseIp(host);
  return ip !== undefined && isLoopbackIp(ip);
}

export function ipAllowed(policy: SecurityPolicy, ip: IpAddress): boolean {
  return policy.allow.length === 0 || isLoopbackIp(ip) || policy.allow.some((r) => inRange(ip, r));
}
