// What the first API key changes, in words for `steward config check` and `steward doctor`: before it, what it will
// close and what stays open to callers without a key (security.anonymous, security.statusAccess); after it, what
// they keep. Said before anyone creates a key, so nobody learns it from a refusal (issue 75).
import type { SecurityConfig } from "./config";

export interface AccessFacts {
  /** http.host. */
  listen: string;
  /** qlik.host, when there is a qlik: section. */
  qlikHost?: string;
  /** Active run-time keys in the store; undefined when they cannot be counted here (a PostgreSQL store). */
  storedKeys: number | undefined;
}

function sourceText(from: string, qlikHost: string | undefined): string {
  if (from === "loopback") return "this server (loopback)";
  if (from !== "qlik-nodes") return from;
  return qlikHost ? `the Qlik nodes (${qlikHost} and the nodes QRS lists)` : "this server (qlik-nodes without a qlik: section)";
}

function grantText(cfg: SecurityConfig["anonymous"], qlikHost: string | undefined): string {
  if (cfg.scopes.length === 0 || cfg.from.length === 0) return "nothing but the public routes";
  return `the public routes and ${cfg.scopes.join(", ")} from ${cfg.from.map((f) => sourceText(f, qlikHost)).join(", ")}`;
}

function statusText(cfg: SecurityConfig["statusAccess"]): string {
  if (cfg.public) return "stays open to everyone (security.statusAccess.public)";
  const key = "a key with the status or read scope";
  if (cfg.ipAllowlist.length > 0) {
    return cfg.requireKey
      ? `needs ${key}, from ${cfg.ipAllowlist.join(", ")} only`
      : `opens to ${cfg.ipAllowlist.join(", ")} without a key, elsewhere to ${key}`;
  }
  return `needs ${key} (security.statusAccess can open it to the business); a browser without one gets a page saying so`;
}

/** One paragraph: who may do what without a key, now and after the first key. */
export function describeKeylessAccess(cfg: SecurityConfig, facts: AccessFacts): string {
  const configured = cfg.apiKeys.length + cfg.clientCerts.length;
  const keys = configured + (cfg.storeKeys ? (facts.storedKeys ?? 0) : 0);
  const grant = grantText(cfg.anonymous, facts.qlikHost);
  const status = statusText(cfg.statusAccess);
  if (cfg.sso) {
    // Single sign-on turns authentication on by itself: people sign in with the directory, machines use keys.
    return (
      `Access: people sign in with the company directory (security.sso, ${cfg.sso.roles.length} role(s)); ${keys} API key(s) or certificate rule(s) for machines. ` +
      `Callers with neither may use ${grant} (security.anonymous); /status ${status}, or a signed-in person's session; the dashboard sends people to the directory.`
    );
  }
  if (keys > 0) {
    return (
      `Access: ${keys} API key(s) or certificate rule(s) authenticate callers. Callers without a key may use ${grant} ` +
      `(security.anonymous); /status ${status}; the dashboard asks for a key.`
    );
  }
  const uncounted = facts.storedKeys === undefined && cfg.storeKeys ? " (run-time keys in PostgreSQL are not counted here)" : "";
  return (
    `Access: no API key or client certificate yet${uncounted}, so every caller that reaches ${facts.listen} may use every route. ` +
    "The first key (steward apikey create, or POST /v4/admin/apikeys) turns authentication on: callers without a key then keep " +
    `${grant} (security.anonymous); /status ${status}; the dashboard asks for a key; every other route answers 401.`
  );
}
