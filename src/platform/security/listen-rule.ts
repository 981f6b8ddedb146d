// The rule for a REST API that listens beyond loopback: someone must authenticate callers (keys, certificates) or
// the administrator accepted an open API (allowUnauthenticated). Checked at start and at every reload; kept by
// the store at every change of keys (key-store.ts); and when the keys read from the store break it anyway (removed
// by hand in the database, or by a Steward of an older version), the policy is locked instead of opened.
import { isLoopbackHost, type SecurityPolicy } from "./policy";
import type { SecurityConfig } from "./config";

/** Why the REST API may not listen on `host` under `policy`, or undefined when it may (shared with `config check`). */
export function listenRuleRefusal(host: string, policy: Pick<SecurityPolicy, "authConfigured" | "config">): string | undefined {
  if (isLoopbackHost(host) || policy.authConfigured || policy.config.allowUnauthenticated) return undefined;
  return (
    `refusing to serve the REST API on ${host} without authentication: anyone who can reach it could start tasks and ` +
    "move files. Add security.apiKeys (steward apikey create) or security.clientCerts, listen on 127.0.0.1, or set " +
    "security.allowUnauthenticated: true to accept the risk."
  );
}

/** Whether a listener on `host` with this config has only the stored (run-time) keys to authenticate callers. */
export function dependsOnStoredKeys(cfg: SecurityConfig, host: string | undefined): boolean {
  return host !== undefined && !isLoopbackHost(host) && !cfg.allowUnauthenticated && cfg.apiKeys.length === 0 && cfg.clientCerts.length === 0;
}

/**
 * The policy to serve with: `policy` itself, or, when it would leave a non-loopback listener open, the same policy
 * with authentication required and no credential that passes (anonymous callers reach public routes only, whatever
 * security.anonymous grants).
 */
export function lockedIfOpen(policy: SecurityPolicy, host: string | undefined): SecurityPolicy {
  if (host === undefined || listenRuleRefusal(host, policy) === undefined) return policy;
  return {
    ...policy,
    authConfigured: true,
    // Locked means every caller: the grant to callers without a key (security.anonymous) is suspended too.
    anonymous: { ...policy.anonymous, scopes: [] },
    lockedOut:
      `every API key is gone (revoked through another Steward or removed from the store) while this Steward's REST API listens on ${host} ` +
      "with nothing else to authenticate callers, so it refuses every caller on non-public routes instead of serving them anonymously. " +
      "Create a key through a Steward that listens on loopback (POST /v4/admin/apikeys), or add security.apiKeys (steward apikey create) " +
      "or security.clientCerts to this Steward's config and reload.",
  };
}
