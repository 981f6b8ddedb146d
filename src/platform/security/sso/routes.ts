// The sign-in routes, public (they are how a person gets a credential): /auth/login sends the person to the
// directory with PKCE, state and nonce; /auth/callback takes the directory's answer back, has openid-client check it,
// maps the person's groups to scopes and opens a session; /auth/logout ends it on every Steward (and at the directory
// when it offers a sign-out page; with ?everywhere=1 every other session of the person too); /auth/session says who
// is signed in.
import type { Context } from "hono";
import { z } from "zod";
import type { AuditLog } from "../../audit/audit-log";
import type { Clock } from "../../core/clock";
import { auditActorOf } from "../../http/audit-actor";
import type { Router } from "../../http/route";
import type { HttpEnv } from "../../http/types";
import { SSO_CALLBACK_PATH, type SsoConfig } from "../sso-config";
import { clearedCookie, sessionCookie, sessionIdFrom } from "./cookie";
import { describe, type Directory } from "./directory";
import { noRolePage, refusedPage, signedOutPage, unreachablePage } from "./pages";
import { claimValues, scopesOf } from "./roles";
import { newSessionId, newSessionRef, type SessionStore } from "./session-store";
import { ssoActorName } from "./identity";
import type { SessionPrincipals } from "./sessions";

/** How long a person has at the directory's sign-in page before the sign-in must start again. */
const SIGN_IN_WINDOW_MS = 10 * 60_000;

export interface SsoRouteDeps {
  cfg: SsoConfig;
  /** http.publicUrl without its trailing slash: the redirect URI is built on it. */
  publicUrl: string;
  directory: Directory;
  store: SessionStore;
  sessions: SessionPrincipals;
  audit: AuditLog;
  clock: Clock;
}

/** A path of this Steward to go on to: never another site ("//evil", "https://…", "/\\evil"). */
export function safeNext(next: string | undefined): string {
  if (!next || next.length > 2000 || !next.startsWith("/") || next.startsWith("//") || next.includes("\\")) return "/ui";
  // A control character (a line break) would make the answer's Location header invalid.
  if (/[\u0000-\u001f\u007f]/.test(next)) return "/ui";
  return next;
}

const page = (c: Context<HttpEnv>, body: string, status: number) => {
  c.header("Cache-Control", "no-store");
  c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
  c.header("X-Frame-Options", "DENY");
  return c.html(body, status as 200);
};

const SessionView = z.object({
  signedIn: z.boolean(),
  subject: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  expiresAt: z.string().optional(),
});

export function registerSsoRoutes(router: Router, deps: SsoRouteDeps): void {
  const { cfg, directory, store, clock, audit } = deps;
  const https = deps.publicUrl.startsWith("https:");
  const redirectUri = `${deps.publicUrl}${SSO_CALLBACK_PATH}`;
  const label = cfg.label;
  const ipOf = (c: Context<HttpEnv>) => auditActorOf(c).ip;
  const signInAudit = (c: Context<HttpEnv>, name: string, result: "ok" | "denied", details: Record<string, unknown>) =>
    audit.record({ actor: { kind: "sso", name, ...(ipOf(c) ? { ip: ipOf(c)! } : {}) }, action: "sso.signin", result, details });
  const common = { tags: ["Sign-in"], scope: "public" as const, hidden: true };

  router.route(
    { ...common, method: "get", path: "/auth/login", summary: "Sign in with the company directory", responses: { 303: { description: "To the directory" } } },
    async (c) => {
      const next = safeNext(c.req.query("next"));
      let start: Awaited<ReturnType<Directory["start"]>>;
      try {
        start = await directory.start(redirectUri);
      } catch (err) {
        return page(c, unreachablePage(directory.lastProblem() ?? describe(err), next, label), 503);
      }
      // Sign-ins never finished and sessions past their end go as new ones begin (one indexed DELETE each).
      await store.purge(clock.now(), clock.now() - cfg.idleTimeout);
      await store.begin({ state: start.state, nonce: start.nonce, codeVerifier: start.codeVerifier, next, expiresAt: clock.now() + SIGN_IN_WINDOW_MS });
      c.header("Cache-Control", "no-store");
      return c.redirect(start.url.href, 303);
    },
  );

  router.route(
    {
      ...common,
      method: "get",
      path: SSO_CALLBACK_PATH,
      summary: "Where the directory sends a person back to",
      responses: { 303: { description: "Signed in" } },
    },
    async (c) => {
      const url = new URL(c.req.url);
      const state = url.searchParams.get("state") ?? "";
      const pending = state ? await store.take(state, clock.now()) : undefined;
      const next = pending?.next ?? "/ui";
      const dirError = url.searchParams.get("error");
      if (dirError) {
        const why = `the directory answered ${dirError}${url.searchParams.get("error_description") ? `: ${url.searchParams.get("error_description")}` : ""}`;
        signInAudit(c, "unknown", "denied", { reason: why });
        return page(c, refusedPage(why, next, label), 401);
      }
      if (!pending) return page(c, refusedPage("this sign-in was started more than 10 minutes ago, or was completed already", next, label), 400);
      // The URL the directory was given (behind a proxy the request's own URL may differ), with the answer's query.
      const current = new URL(`${redirectUri}${url.search}`);
      let done: Awaited<ReturnType<Directory["finish"]>>;
      try {
        done = await directory.finish(current, pending);
      } catch (err) {
        const why = describe(err);
        signInAudit(c, "unknown", "denied", { reason: why });
        return page(c, refusedPage(why, next, label), 401);
      }
      const claims = done.claims;
      const person = {
        subject: String(claims.sub),
        name: typeof claims.name === "string" ? claims.name : "",
        email: typeof claims.email === "string" ? claims.email : typeof claims.preferred_username === "string" ? claims.preferred_username : "",
      };
      const groups = claimValues(claims, cfg.groupClaim).slice(0, 200);
      const scopes = scopesOf(cfg, claims);
      if (scopes.length === 0) {
        signInAudit(c, ssoActorName(person), "denied", { reason: "no group of the person is mapped in security.sso.roles", groups });
        return page(c, noRolePage(ssoActorName(person), groups, cfg.groupClaim), 403);
      }
      const now = clock.now();
      const id = newSessionId();
      const userAgent = c.req.header("user-agent")?.slice(0, 300);
      await store.create(id, {
        ...person,
        ref: newSessionRef(),
        groups,
        scopes,
        createdAt: now,
        expiresAt: now + cfg.sessionLifetime,
        lastSeenAt: now,
        ...(typeof claims.sid === "string" ? { sid: claims.sid } : {}),
        client: { ...(ipOf(c) ? { ip: ipOf(c)! } : {}), ...(userAgent ? { userAgent } : {}) },
        idToken: done.idToken,
        ...(done.refreshToken ? { refreshToken: done.refreshToken, refreshDue: now + (done.expiresIn ?? 300) * 1000 } : {}),
      });
      signInAudit(c, ssoActorName(person), "ok", { scopes, groups });
      c.header("Set-Cookie", sessionCookie(id, Math.floor(cfg.sessionLifetime / 1000), https));
      c.header("Cache-Control", "no-store");
      return c.redirect(next, 303);
    },
  );

  const logout = async (c: Context<HttpEnv>) => {
    const id = sessionIdFrom(c.req.header("cookie"), https);
    const ended = id ? await store.end(id) : undefined;
    c.header("Set-Cookie", clearedCookie(https));
    c.header("Cache-Control", "no-store");
    if (!ended) return c.redirect("/auth/signed-out", 303);
    // "Sign out everywhere" (a POST only: a link on another site must not end a person's other sessions).
    const others = c.req.method === "POST" && c.req.query("everywhere") === "1" ? await store.endBySubject(ended.subject) : [];
    audit.record({
      actor: { kind: "sso", name: ssoActorName(ended), ...(ipOf(c) ? { ip: ipOf(c)! } : {}) },
      action: "sso.signout",
      result: "ok",
      ...(others.length > 0 ? { details: { everywhere: true, otherSessions: others.length } } : {}),
    });
    const atDirectory = await directory.endSessionUrl(ended.idToken, `${deps.publicUrl}/auth/signed-out`);
    return c.redirect(atDirectory?.href ?? "/auth/signed-out", 303);
  };
  router.route({ ...common, method: "post", path: "/auth/logout", summary: "Sign out", responses: { 303: { description: "Signed out" } } }, logout);
  router.route({ ...common, method: "get", path: "/auth/logout", summary: "Sign out", responses: { 303: { description: "Signed out" } } }, logout);
  router.route(
    { ...common, method: "get", path: "/auth/signed-out", summary: "Signed out", responses: { 200: { description: "A page", contentType: "text/html" } } },
    (c) => page(c, signedOutPage(label), 200),
  );
  router.route(
    {
      ...common,
      method: "get",
      path: "/auth/session",
      summary: "Who is signed in with this browser",
      responses: { 200: { description: "The session", schema: () => SessionView } },
    },
    async (c) => {
      const id = sessionIdFrom(c.req.header("cookie"), https);
      const p = id ? await deps.sessions.principal(id) : undefined;
      c.header("Cache-Control", "no-store");
      if (!p) return c.json({ signedIn: false });
      const s = p.session;
      return c.json({ signedIn: true, subject: s.subject, name: s.name, email: s.email, scopes: s.scopes, expiresAt: new Date(s.expiresAt).toISOString() });
    },
  );
}
