// Live reload of `security:`: keys, scopes, client-certificate rules, allowlist, rate limits and query-key routes
// apply to the next request. The listener's TLS material, switching mutual TLS on or off, and single sign-on (its
// routes and directory client are made at start) need a restart.
import type { ConfigShape } from "../config/load";
import type { Reconfigurable } from "../config/reload/reloader";
import type { SecurityConfig } from "./config";
import type { Security } from "./setup";

const mutual = (s: SecurityConfig) => Boolean(s.tls) && (s.clientCerts.length > 0 || Boolean(s.tls?.requireClientCert));

export function securityReconfigurable(security: Security, listenHost: () => string): Reconfigurable<ConfigShape & { security: SecurityConfig }> {
  return {
    name: "security",
    sections: ["security"],
    async prepare(next) {
      return { apply: await security.service.prepare(next.config.security, listenHost()) };
    },
    // Against the config the listener was started with: it keeps that certificate until a restart.
    pendingRestart(next, started) {
      const a = started.config.security;
      const b = next.config.security;
      if (JSON.stringify(a.tls) !== JSON.stringify(b.tls)) return ["security.tls"];
      if (mutual(a) !== mutual(b)) return ["security.clientCerts (turning mutual TLS on or off)"];
      if (JSON.stringify(a.sso) !== JSON.stringify(b.sso)) return ["security.sso"];
      return [];
    },
  };
}
