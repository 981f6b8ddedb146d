// The HTTP side of access control. `ipGate` runs before routing (IP allowlist, per-IP rate limit);
// `accessGuard` runs once the route's scope is known (identify the caller, per-key rate limit, scope check,
// audit of every write). Every denial is answered as `{ error, code }` and written to the audit log.
import { errorBody } from "../http/errors";
import type { Context } from "hono";
import type { Logger } from "pino";
import type { AuditEntry, AuditLog } from "../audit/audit-log";
import type { Counter, MetricsRegistry } from "../core/metrics";
import { causedByDiskFull, causedByStoreOutage } from "../store/sql";
import { auditActorOf, auditPathOf, auditTargetOf } from "../http/audit-actor";
import { requestLog } from "../http/pre-handler";
import type { RouteGuard, RouteNext } from "../http/route";
import type { HttpEnv, Principal, Scope } from "../http/types";
import { parseIp, type IpAddress } from "./ip-match";
import type { DenialAudit } from "./denial-audit";
import { identify, type Identified } from "./identify";
import { anonymousCaller, grantCovers } from "./anonymous";
import type { HostVerdict } from "./browser-guard";
import type { QlikNodes } from "./qlik-nodes";
import { statusSignInPage, wantsDashboardPage, wantsStatusPage } from "./sign-in-page";
import { grants, ipAllowed, isLoopbackIp, type SecurityPolicy } from "./policy";
import { clientAddress, decideStatusAccess, type StatusDecision } from "./status-access";
import { rateLimitHeaders, type RateDecision } from "./rate-limiter";
import { headersOf, matchedRoute, methodOf, prepareHeader, requestIdOf, selfServiceRoute, setPrincipal, urlOf } from "../http/request-state";

export interface AccessDeps {
  policy: () => SecurityPolicy;
  audit: AuditLog;
  log: Logger;
  metrics: MetricsRegistry;
  onKeyUse?: (name: string, source: "config" | "store") => void;
  /** Where denials are recorded (aggregated); the audit log itself when absent. */
  denialAudit?: DenialAudit;
  /** The Qlik nodes' addresses, for security.anonymous.from: [qlik-nodes]. */
  qlikNodes?: QlikNodes;
  /** Whether a request names this server by a known name (browser-guard.ts); a keyless grant needs it. */
  hostJudge?: (href: string, policy: SecurityPolicy) => HostVerdict;
  /** Single sign-on (security.sso), when configured: the person a request's session cookie names. */
  sso?: { principalFromCookie(cookieHeader: string | undefined): Promise<Principal | undefined> | undefined };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type Deny = (
  c: Context<HttpEnv>,
  status: 401 | 403 | 429,
  reason: string,
  details: Record<string, unknown>,
  extraHeaders?: Record<string, string>,
) => Response;

/** The answer to a refused request: counted, audited (unless told not to), logged, and a JSON 401/403/429 or a sign-in redirect. */
function createDeny(deps: AccessDeps, denials: Counter): Deny {
  return (c, status, reason, details, extraHeaders = {}) => {
    const code = status === 401 ? "UNAUTHORIZED" : status === 403 ? "FORBIDDEN" : "RATE_LIMITED";
    denials.inc({ reason: String(details.check) });
    const record = details.audit !== false;
    delete details.audit;
    if (record) {
      const entry = {
        actor: auditActorOf(c),
        action: "access.denied",
        target: auditTargetOf(c),
        result: "denied" as const,
        details: { ...details, status, reason, requestId: requestIdOf(c) },
      };
      if (deps.denialAudit) deps.denialAudit.record(entry, String(details.check), status);
      else deps.audit.record(entry);
    }
    const tally = c.env?.refusals;
    if (tally) {
      // An inner request of another (an MCP batch's REST calls): its handler logs one line for all of them.
      tally.count++;
      if (tally.reasons.size < 20 || tally.reasons.has(reason)) tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
    } else requestLog(c)?.warn({ status, reason, method: c.req.method, path: auditPathOf(c), ip: auditActorOf(c).ip }, "request denied");
    // A person opening a dashboard page in a browser is sent to sign in (and back): with the company directory when
    // single sign-on is set up, else with a key; API clients keep the JSON 401.
    if (status === 401 && wantsDashboardPage(c)) {
      const signIn = deps.sso ? "/auth/login" : "/ui/login";
      return c.redirect(`${signIn}?next=${encodeURIComponent(new URL(c.req.url).pathname + new URL(c.req.url).search)}`, 303);
    }
    const headers: Record<string, string> = { ...extraHeaders };
    if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="steward", charset="UTF-8"';
    // The business status page opened in a browser: a page saying what it needs, never a JSON body.
    if (status !== 429 && wantsStatusPage(c)) {
      const policy = deps.policy();
      const param = policy.queryRoutes.has("GET /status") ? policy.config.queryKey.param : undefined;
      headers["Cache-Control"] = "no-store";
      headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
      const ip = auditActorOf(c).ip;
      return c.html(
        statusSignInPage({
          status,
          check: String(details.check),
          ...(ip ? { ip } : {}),
          ...(param ? { queryParam: param } : {}),
          ...(policy.config.sso ? { ssoLabel: policy.config.sso.label } : {}),
        }),
        status,
        headers,
      );
    }
    const shown = { check: details.check, ...(details.scope !== undefined ? { scope: details.scope } : {}) };
    // Butler clients read statusCode and message; Steward's own fields stay (one shape for every error answer).
    return c.json(errorBody(status, code, reason, shown), status, headers);
  };
}

/**
 * Parsed remote addresses and whether the policy admits them, per policy (a reload swaps the policy and so empties
 * this). Bounded: emptied when it holds too many addresses.
 */
function createAdmissionCache() {
  let admittedFor: SecurityPolicy | undefined;
  const admitted = new Map<string, { ip: IpAddress; allowed: boolean; exempt: boolean } | null>();
  return (policy: SecurityPolicy, remote: string) => {
    if (admittedFor !== policy || admitted.size >= 4096) {
      admitted.clear();
      admittedFor = policy;
    }
    let a = admitted.get(remote);
    if (a === undefined) {
      const ip = parseIp(remote);
      a = ip ? { ip, allowed: ipAllowed(policy, ip), exempt: policy.config.rateLimit.exemptLoopback && isLoopbackIp(ip) } : null;
      admitted.set(remote, a);
    }
    return a;
  };
}

/** A loopback caller passes the IP gate without a check on its exact address (the allowlist always admits loopback). */
function loopbackPassesFreely(policy: SecurityPolicy): boolean {
  return (policy.perIp === undefined || policy.config.rateLimit.exemptLoopback) && policy.trustedProxies.length === 0;
}

/** The request's one audit row: what it was, how it was answered, and what the handler's module noted it did. */
function requestEntry(
  c: Context<HttpEnv>,
  who: Identified & { ok: true },
  scope: Scope,
  routeRef: string,
  status: number,
  noted: AuditEntry | undefined,
): AuditEntry {
  return {
    actor: auditActorOf(c),
    action: "api.write",
    target: auditTargetOf(c),
    result: status < 400 ? ("ok" as const) : status === 401 || status === 403 ? ("denied" as const) : ("failed" as const),
    details: {
      route: routeRef,
      scope,
      status,
      requestId: requestIdOf(c),
      ...(who.via === "query" ? { via: "query" } : {}),
      ...(noted
        ? {
            op: noted.action,
            ...(noted.target !== undefined ? { object: noted.target } : {}),
            ...(noted.result !== "ok" ? { opResult: noted.result } : {}),
            ...noted.details,
          }
        : {}),
    },
  };
}

/**
 * A write: the route runs, then its one audit row (with what the module noted) is written before the answer. A
 * module may instead write the row in its own transaction (auditRow: a KV set), so one COMMIT answers for both:
 * then the row is committed before the handler returns and nothing is left to write here.
 */
async function audited(
  deps: AccessDeps,
  writes: Counter,
  c: Context<HttpEnv>,
  who: Identified & { ok: true },
  scope: Scope,
  routeRef: string,
  next: RouteNext,
): Promise<void> {
  const principal = who.principal;
  // What the handler's module did (kv.set ns/key …) joins this request's row instead of being a row of its own.
  let noted: AuditEntry | undefined;
  c.set("auditNote", (e) => void (noted = e));
  /** The status of the answer the row the module committed was written for. */
  let committedFor: number | undefined;
  c.set("auditRow", (status) => ({
    entry: (e) => requestEntry(c, who, scope, routeRef, status, e),
    written: () => void (committedFor = status),
  }));
  await next(c);
  const status = c.res.status;
  writes.inc();
  if (committedFor === status) return;
  if (committedFor !== undefined) {
    // The handler answered other than the row it committed says (no route does): this row tells what was answered.
    requestLog(c)?.warn({ committedFor, status }, "the request's audit row was committed for another status; a second row records the answer");
  }
  const entry = requestEntry(c, who, scope, routeRef, status, noted);
  // An anonymous write that was refused changed nothing: counted like a denial, so a flood of bad requests
  // on an open API cannot grow the log either.
  if (principal.kind === "anonymous" && status >= 400 && status < 500 && deps.denialAudit) deps.denialAudit.record(entry, "write", status);
  // The answer waits for the row's write, which the audit log batches with the other requests of this moment.
  else {
    deps.audit.record(entry);
    await deps.audit.flush().catch((err: unknown) => {
      // The store went away after the handler answered: its answer stands (a change it made is committed, and
      // one it could not make says so), and the entry stays queued until the store is back. Answering with the
      // audit's error instead would report a committed change as failed.
      if (!causedByStoreOutage(err)) throw err;
      // A full disk is said by the store itself, once a minute.
      if (!causedByDiskFull(err)) requestLog(c)?.warn({ err: (err as Error).message }, "the request's audit entry waits for the store");
    });
  }
}

/**
 * The grant to a caller without a credential once keys exist (security.anonymous): its scopes when the caller's
 * address is covered and the request names this server by a known name; else no scope, with a note for the refusal.
 */
function createKeylessGrant(deps: AccessDeps) {
  type Granted = Identified & { ok: true };
  const granted = new WeakMap<SecurityPolicy, Granted>();
  return (c: Context<HttpEnv>, policy: SecurityPolicy): { who?: Granted; note: () => string } | undefined => {
    const g = policy.anonymous;
    if (g.scopes.length === 0 || g.from.length === 0) return undefined;
    const inProcess = c.env?.inProcess === true;
    const caller = anonymousCaller(
      {
        inProcess,
        loopbackListener: c.env?.loopbackListener === true,
        remoteAddress: () => c.env?.remoteAddress,
        forwardedFor: c.req.header("x-forwarded-for"),
        forwarded: c.req.header("forwarded"),
      },
      policy.grantProxies,
    );
    // The scopes, not the addresses: the refusal goes to anyone, and the nodes' names and addresses are the site's own.
    // Built only for a refusal.
    const what = () => `; callers without a key may use ${g.scopes.join(", ")} from the addresses security.anonymous.from lists`;
    if (typeof caller === "object" && "refuse" in caller) return { note: () => `${what()}, but ${caller.refuse}` };
    if (!grantCovers(g, caller, deps.qlikNodes)) {
      return { note: () => `${what()}, and address ${caller === "this-server" ? "127.0.0.1" : caller.address} is not one of them` };
    }
    const host = inProcess ? undefined : deps.hostJudge?.(urlOf(c), policy);
    if (host && !host.known) return { note: () => `${what()}, addressed to ${host.expected} (not ${host.url.hostname})` };
    let who = granted.get(policy);
    if (!who) {
      who = { ok: true, principal: { kind: "anonymous", name: "anonymous", scopes: g.scopes }, via: "none" };
      granted.set(policy, who);
    }
    return { who, note: what };
  };
}

export function createAccessMiddleware(deps: AccessDeps): {
  ipGate: (c: Context<HttpEnv>) => Response | undefined;
  accessGuard: RouteGuard;
  deny: Deny;
} {
  const denials = deps.metrics.counter("steward_http_access_denied_total", "Requests refused by access control, by reason.");
  const writes = deps.metrics.counter("steward_http_audited_writes_total", "Write requests recorded in the audit log.");

  const deny = createDeny(deps, denials);

  const limitHeaders = (c: Context<HttpEnv>, d: RateDecision) => {
    // Through the request's state: an answer the handler makes whole (jsonAnswer) then takes them through Hono.
    for (const [k, v] of Object.entries(rateLimitHeaders(d))) prepareHeader(c, k, v);
  };

  const admission = createAdmissionCache();

  /** Before routing: the caller's address and its rate limit. The limit's headers are set on the coming answer. */
  const ipGate = (c: Context<HttpEnv>): Response | undefined => {
    const policy = deps.policy();
    // In-process calls are marked by their caller (inProcessEnv); a request without an address is not one.
    if (c.env?.inProcess === true) return undefined;
    // A read on a loopback listener comes from a process on this server, which the allowlist always admits. When
    // loopback callers also pass the per-IP limit freely and no proxy's X-Forwarded-For is believed, nothing here
    // depends on the exact address, and it is not asked of the operating system (issue 69).
    if (c.env?.loopbackListener === true && loopbackPassesFreely(policy)) return undefined;
    const remote = c.env?.remoteAddress;
    if (remote === undefined) return deny(c, 403, "the caller's address is unknown (connection reset?); request refused", { check: "peerAddress" });
    const a = admission(policy, remote);
    // The caller as the audit and the logs name it: a forwarded address only from a proxy the site trusts.
    const forwarded = a && policy.trustedProxies.length > 0 ? c.req.header("x-forwarded-for") : undefined;
    if (a && forwarded) c.set("clientAddress", (clientAddress(a.ip, forwarded, policy.trustedProxies) ?? a.ip).address);
    if (!a?.allowed) {
      return deny(c, 403, `address ${remote} is not in security.ipAllowlist`, { check: "ipAllowlist" });
    }
    const limiter = policy.perIp;
    if (limiter && !a.exempt) {
      const d = limiter.hit(remote);
      if (!d.allowed) {
        return deny(
          c,
          429,
          `rate limit of ${d.limit} requests per ${d.windowSeconds}s for ${remote} exceeded`,
          { check: "rateLimit.perIp", audit: d.firstRejection },
          rateLimitHeaders(d),
        );
      }
      // A per-key limit set later by the guard is the more specific one and replaces these numbers.
      limitHeaders(c, d);
    }
    return undefined;
  };

  const keyless = createKeylessGrant(deps);

  /** Once the caller is known: per-key rate limit, status access, scope; then the route, and a write's audit row. */
  const admit = (
    c: Context<HttpEnv>,
    policy: SecurityPolicy,
    identified: Identified,
    next: RouteNext,
    scope: Scope,
    routeRef: string,
  ): Response | undefined | Promise<unknown> => {
    if (!identified.ok) return deny(c, 401, identified.reason, { check: "authentication", scope, route: routeRef });
    // Without a credential once keys exist: what security.anonymous grants this caller, if anything.
    // A public route needs no grant: nothing to work out for a health check or a check-in ping.
    const grant = identified.via === "none" && policy.authConfigured && scope !== "public" ? keyless(c, policy) : undefined;
    const who = grant?.who ?? identified;
    const principal = who.principal;
    setPrincipal(c, principal);
    if (who.key) deps.onKeyUse?.(who.key.name, who.key.source);
    if (policy.perKey && (principal.kind === "apiKey" || principal.kind === "clientCert" || principal.kind === "sso")) {
      const keyDecision = policy.perKey.hit(`${principal.kind}:${principal.name}`);
      if (!keyDecision.allowed) {
        return deny(
          c,
          429,
          `rate limit of ${keyDecision.limit} requests per ${keyDecision.windowSeconds}s for ${principal.name} exceeded`,
          { check: "rateLimit.perKey", audit: keyDecision.firstRejection },
          rateLimitHeaders(keyDecision),
        );
      }
      // Set before the answer is built, so it carries them (and they replace the per-IP numbers).
      limitHeaders(c, keyDecision);
      const perKey = policy.perKey;
      const limited = `${principal.kind}:${principal.name}`;
      c.set("chargeCalls", (n) => {
        let d = keyDecision;
        for (let i = 0; i < n && d.allowed; i++) d = perKey.hit(limited);
        return d;
      });
    }
    const byAddress: StatusDecision =
      scope === "status"
        ? decideStatusAccess(policy.statusAccess, {
            ...(c.env?.remoteAddress !== undefined ? { remoteAddress: c.env.remoteAddress } : {}),
            inProcess: c.env?.inProcess === true,
            forwardedFor: c.req.header("x-forwarded-for"),
            hasCredential: principal.kind !== "anonymous",
          })
        : "scope";
    if (typeof byAddress === "object") return deny(c, 403, byAddress.refuse, { check: "statusAccess", scope, route: routeRef });
    const method = methodOf(c);
    // A self-service route lets a signed-in person on: its handler admits only what is theirs (route.ts: selfService).
    const ownWork = principal.kind === "sso" && selfServiceRoute(c);
    if (byAddress !== "grant" && !ownWork && !grants(principal.scopes, scope, method)) {
      const reason =
        principal.kind === "anonymous"
          ? `this route needs credentials with scope "${scope}" (X-API-Key, Authorization: Bearer, or a client certificate)${grant?.note() ?? ""}`
          : `${principal.name} lacks scope "${scope}"`;
      return deny(c, principal.kind === "anonymous" ? 401 : 403, reason, { check: "scope", scope, route: routeRef });
    }
    if (who.via === "query") requestLog(c)?.info({ key: principal.name, route: routeRef }, "API key accepted from the query string (compatibility mode)");
    // A read passes straight on (synchronously when its handler is); a write waits for its audit row.
    if (SAFE_METHODS.has(method)) return next(c) || undefined;
    return audited(deps, writes, c, who, scope, routeRef, next);
  };

  const accessGuard: RouteGuard = (c, next) => {
    const policy = deps.policy();
    // The matched route's scope and name, read once for identify and admit (as two values: an object handed on
    // would be made on the heap for every request).
    const { scope, routeRef } = matchedRoute(c);
    const who = identify(policy, {
      headers: headersOf(c),
      // Most requests carry no query string: then there is nothing to parse.
      queryKey: urlOf(c).includes("?") ? c.req.query(policy.config.queryKey.param) : undefined,
      routeRef,
      clientCert: c.env?.clientCert,
    });
    // Only a presented key or session cookie is looked up asynchronously (scrypt on the thread pool, or its
    // remembered digest; the session in the store).
    if (who instanceof Promise) return who.then((w) => admit(c, policy, w, next, scope, routeRef));
    const session = who.ok && who.via === "none" ? deps.sso?.principalFromCookie(headersOf(c).get("cookie") ?? undefined) : undefined;
    if (session === undefined) return admit(c, policy, who, next, scope, routeRef);
    return session.then((principal) => admit(c, policy, principal ? { ok: true, principal, via: "session" } : who, next, scope, routeRef));
  };

  return { ipGate, accessGuard, deny };
}
