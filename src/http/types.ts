// Types shared by the HTTP layer: the Hono environment and the access scopes routes declare.
import type { Logger } from "pino";

/**
 * Access scopes (issue 8 enforces them): every route declares one. "public" routes (health, ping, docs)
 * need no credentials.
 */
export const SCOPES = ["public", "tasks", "apps", "kv.read", "kv.write", "files", "schedules", "mqtt", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** Who made a request, as established by the auth middleware; recorded in the audit log. */
export interface Principal {
  kind: "anonymous" | "apiKey" | "clientCert" | "internal";
  name: string;
  scopes: readonly Scope[] | "all";
}

/** The TLS client certificate of the connection (mutual TLS listener only). */
export interface ClientCertInfo {
  /** Chains to security.tls.caFile. */
  authorized: boolean;
  subjectCN?: string;
  /** SHA-256 fingerprint, upper-case hex without colons. */
  fingerprint256?: string;
  /** Why it is not authorized (OpenSSL's reason). */
  error?: string;
}

export interface HttpEnv {
  /** Set by the Bun server; absent when tests call app.request(). */
  Bindings: { remoteAddress?: string; clientCert?: ClientCertInfo };
  Variables: {
    requestId: string;
    log: Logger;
    principal: Principal;
    /** The matched route's declared scope, set before the handler runs. */
    scope: Scope;
  };
}
