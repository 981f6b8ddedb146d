// Works out who is calling: an API key (header, or the query string on listed routes), a verified client
// certificate matched to a rule, or nobody. A credential that is presented but wrong is an error, never a
// silent fall-back to anonymous.
import type { ClientCertInfo, Principal } from "../http/types";
import { keyFromHeaders } from "./api-keys";
import type { KeyIdentity } from "./key-ring";
import { keyActorName } from "./person";
import type { CertRule, SecurityPolicy } from "./policy";

export interface IdentifyInput {
  headers: { get(name: string): string | null | undefined };
  /** Value of the configured query parameter, if present. */
  queryKey?: string;
  /** "METHOD /route/path" of the matched route. */
  routeRef: string;
  clientCert?: ClientCertInfo;
}

export type Identified =
  | { ok: true; principal: Principal; via: "header" | "query" | "cert" | "session" | "none"; key?: KeyIdentity }
  | { ok: false; reason: string };

export function matchCertRule(rules: readonly CertRule[], cert: ClientCertInfo): CertRule | undefined {
  return rules.find(
    (r) => (r.fingerprint === undefined || r.fingerprint === cert.fingerprint256) && (r.subjectCN === undefined || r.subjectCN === cert.subjectCN),
  );
}

/** Nobody: every scope while the API is open, none once keys or certificate rules exist (made once, not per request). */
const OPEN: Identified = Object.freeze({
  ok: true,
  principal: Object.freeze({ kind: "anonymous", name: "anonymous", scopes: "all" }),
  via: "none",
}) as Identified;
const CLOSED: Identified = Object.freeze({
  ok: true,
  principal: Object.freeze({ kind: "anonymous", name: "anonymous", scopes: Object.freeze([]) }),
  via: "none",
}) as Identified;

/** Synchronous unless a key was presented (its match may run scrypt on the thread pool). */
export function identify(policy: SecurityPolicy, input: IdentifyInput): Identified | Promise<Identified> {
  const headerKey = keyFromHeaders(input.headers);
  if (headerKey !== undefined) {
    return policy.ring.match(headerKey).then((id): Identified => {
      if (!id) return { ok: false, reason: "unknown or revoked API key" };
      return { ok: true, principal: { kind: "apiKey", name: keyActorName(id), scopes: id.scopes }, via: "header", key: id };
    });
  }
  const cert = input.clientCert;
  if (cert && (cert.subjectCN !== undefined || cert.fingerprint256 !== undefined)) {
    if (!cert.authorized) return { ok: false, reason: `client certificate not trusted (${cert.error ?? "unverified"})` };
    const rule = matchCertRule(policy.certRules, cert);
    if (rule) return { ok: true, principal: { kind: "clientCert", name: rule.name, scopes: rule.scopes }, via: "cert" };
  }
  if (input.queryKey !== undefined) {
    if (!policy.queryRoutes.has(input.routeRef)) {
      return {
        ok: false,
        reason: policy.config.queryKey.enabled
          ? `a key in the query string is not accepted on ${input.routeRef} (security.queryKey.routes)`
          : "keys in the query string are off (security.queryKey.enabled); send X-API-Key instead",
      };
    }
    return policy.ring.match(input.queryKey).then((id): Identified => {
      if (!id) return { ok: false, reason: "unknown or revoked API key" };
      return { ok: true, principal: { kind: "apiKey", name: keyActorName(id), scopes: id.scopes }, via: "query", key: id };
    });
  }
  // Without any configured credential the API is open; the start-up rule confines that to loopback unless
  // the admin opted out with allowUnauthenticated.
  return policy.authConfigured ? CLOSED : OPEN;
}
