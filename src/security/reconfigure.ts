// Live reload of `security:`: keys, scopes, client-certificate rules, allowlist, rate limits and query-key routes
// apply to the next request. The listener's TLS material, and switching mutual TLS on or off, need a restart.
import type { Reconfigurable } from "../config/reload/reloader";
import type { SecurityConfig } from "../config/sections/security";
import type { Security } from "./setup";

const mutual = (s: SecurityConfig) => Boolean(s.tls) && (s.clientCerts.length > 0 || Boolean(s.tls?.requireClientCert));

export function securityReconfigurable(security: Security, listenHost: () => string): Reconfigurable {
  return {
    name: "security",
    sections: ["security"],
    prepare(next, previous) {
      const a = previous.config.security;
      const b = next.config.security;
      const restartRequired: string[] = [];
      if (JSON.stringify(a.tls) !== JSON.stringify(b.tls)) restartRequired.push("security.tls");
      else if (mutual(a) !== mutual(b)) restartRequired.push("security.clientCerts (turning mutual TLS on or off)");
      const apply = security.service.prepare(b, listenHost());
      return { apply, restartRequired };
    },
  };
}
