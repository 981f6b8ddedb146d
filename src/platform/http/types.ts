// Types shared by the HTTP layer: the Hono environment and the access scopes routes declare.
import type { Logger } from "pino";
import type { AuditEntry, RequestAuditRow } from "../audit/audit-log";

/**
 * Access scopes (issue 8 enforces them): every route declares one. "public" routes (health, ping, docs)
 * need no credentials.
 */
export const SCOPES = ["public", "tasks", "apps", "kv.read", "kv.write", "files", "schedules", "mqtt", "status", "read", "admin"] as const;
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
  /**
   * Set by the listener for network requests (remoteAddress always present), or `inProcess: true` for calls
   * Steward makes to itself (the demo, tests). A request with neither is refused: a missing address must never
   * be taken for an in-process call (a connection reset loses the peer's address).
   */
  Bindings: {
    remoteAddress?: string;
    clientCert?: ClientCertInfo;
    inProcess?: true /** The listener found the Host header unusable (answered 400). */;
    hostProblem?: string;
  };
  Variables: {
    requestId: string;
    /** The request's child logger, made on first use: read it with requestLog(c) (src/platform/http/pre-handler.ts). */
    log?: Logger;
    /** The HTTP module's logger that requestLog(c) derives the request's logger from. */
    baseLog?: Logger;
    principal: Principal;
    /** The matched route's declared scope, set before the handler runs. */
    scope: Scope;
    /** "METHOD /declared/path" of the matched route, set with the scope. */
    routeRef: string;
    /**
     * Set by the access guard on a write request: a module that audits what the request did hands its entry
     * here instead of writing it, and it becomes part of the request's one audit row (one write, one row).
     */
    auditNote?: (entry: AuditEntry) => void;
    /**
     * Set with auditNote: the request's row for an answer with `status`, for a module that inserts it in its own
     * write's transaction (one COMMIT for the change and its row); the guard then writes no row of its own.
     */
    auditRow?: (status: number) => RequestAuditRow;
  };
}

/** Bindings for a request Steward sends to its own Hono app (no network peer; access control trusts it). */
export function inProcessEnv(): HttpEnv["Bindings"] {
  return { inProcess: true };
}
