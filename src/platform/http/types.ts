// Types shared by the HTTP layer: the Hono environment and the access scopes routes declare.
import type { Logger } from "pino";
import type { AuditEntry, RequestAuditRow } from "../audit/audit-log";
import type { RateDecision } from "../security/rate-limiter";

/**
 * Access scopes (issue 8 enforces them): every route declares one. "public" routes (health, ping, docs)
 * need no credentials.
 */
export const SCOPES = ["public", "tasks", "apps", "kv.read", "kv.write", "files", "schedules", "mqtt", "status", "read", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** Who made a request, as established by the auth middleware; recorded in the audit log. */
export interface Principal {
  kind: "anonymous" | "apiKey" | "clientCert" | "sso" | "internal";
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
    /**
     * A read on a loopback listener (server.ts): every caller is a process on this server, and remoteAddress is
     * asked of the runtime only when read.
     */
    loopbackListener?: true;
    hostProblem?: string;
    /**
     * The runtime's request these bindings came with (server.ts), taken once by the pre-handler so that it need not
     * ask Hono's `c.req` for it (a HonoRequest and its body cache per request, which a ping otherwise never builds).
     * Cleared when taken: a request re-dispatched with the same bindings (the method override) is read from `c.req`.
     */
    request?: Request;
    /**
     * Set on the requests a handler makes to Steward on its caller's behalf (the MCP server's REST calls): their
     * refusals are counted here and logged once by that handler, not one warn line each.
     */
    refusals?: RefusalTally;
  };
  Variables: {
    /**
     * The caller's address when a trusted proxy forwarded it (X-Forwarded-For from security.trustedProxies), set
     * before routing; otherwise the connection's address counts. Read it with auditActorOf(c).ip.
     */
    clientAddress?: string;
    /** The path as the audit and logs show it when the route's path holds a secret (RouteSpec.secretParams). */
    auditPath?: string;
    /**
     * Set by the access guard for a caller with a per-key rate limit: counts `n` more calls (the further calls of a
     * JSON-RPC batch) against the key's limit; the last decision, refused once the limit is reached.
     */
    chargeCalls?: (n: number) => RateDecision;
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

/** Refusals of the inner requests of one request, by reason (bounded: at most 20 distinct reasons kept). */
export interface RefusalTally {
  count: number;
  reasons: Map<string, number>;
}

/** Bindings for a request Steward sends to its own Hono app (no network peer; access control trusts it). */
export function inProcessEnv(): HttpEnv["Bindings"] {
  return { inProcess: true };
}

/** What Steward knows of a request while it is handled (request-state.ts reads and sets it). */
export interface RequestState {
  readonly requestId: string;
  /** The runtime's request (the pre-handler's checks read whether it has a body). */
  readonly request: Request;
  /** The request's method, URL and headers, read from the runtime's request once (each read is a native call). */
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  /** Anonymous with every scope until the access guard identifies the caller (on the routes it guards). */
  principal: Principal;
  /** The matched route's declared scope and "METHOD /declared/path", set before its guards run. */
  scope: Scope | undefined;
  routeRef: string | undefined;
  /** The matched route lets a person signed in with single sign-on past its scope (RouteSpec.selfService). */
  selfService: boolean;
  /** The HTTP module's logger, and the request's child of it once something logs (requestLog). */
  readonly baseLog: Logger | undefined;
  log: Logger | undefined;
  /** A guard set a header for the answer before the handler made it (request-state.ts: prepareHeader). */
  headersPrepared: boolean;
  /** The answer made with the request's id on it (request-state.ts: jsonAnswer). */
  answerWithId: Response | undefined;
}
