// Session administration for an admin (scope admin): the live sessions of people signed in with the directory (who,
// since when, last seen, from which client; never the cookie or its hash), ending one (a lost laptop), and ending all
// of a person's ("sign out everywhere": someone left, or their account is suspected). The store is shared, so an
// ended session ends on every Steward of the cluster at its next request.
import type { Context } from "hono";
import { z } from "zod";
import type { AuditLog } from "../../audit/audit-log";
import type { Clock } from "../../core/clock";
import { auditActorOf } from "../../http/audit-actor";
import { errorBody } from "../../http/errors";
import type { Router } from "../../http/route";
import type { HttpEnv } from "../../http/types";
import type { SsoConfig } from "../sso-config";
import { ssoActorName } from "./identity";
import type { SessionStore, SessionSummary } from "./session-store";

const iso = (ms: number) => new Date(ms).toISOString();

const SessionViewSchema = z.object({
  id: z.string().describe("The session's public id: DELETE /v4/sso/sessions/{id} ends it"),
  subject: z.string().describe("The directory's subject (sub) of the person"),
  name: z.string(),
  email: z.string(),
  scopes: z.array(z.string()),
  groups: z.array(z.string()),
  since: z.string().describe("When the person signed in"),
  lastSeen: z.string().describe("The session's last request (written at most once a minute)"),
  endsAt: z.string().describe("When it ends unless used again: the idle timeout from its last request, or its lifetime, whichever comes first"),
  client: z.object({ ip: z.string().optional(), userAgent: z.string().optional() }).describe("Where the person signed in from"),
});

function sessionView(s: SessionSummary, idleTimeout: number) {
  return {
    id: s.ref,
    subject: s.subject,
    name: s.name,
    email: s.email,
    scopes: s.scopes,
    groups: s.groups,
    since: iso(s.createdAt),
    lastSeen: iso(s.lastSeenAt),
    endsAt: iso(Math.min(s.expiresAt, s.lastSeenAt + idleTimeout)),
    client: s.client,
  };
}

export interface SsoAdminDeps {
  cfg: SsoConfig;
  store: SessionStore;
  audit: AuditLog;
  clock: Clock;
}

export function registerSsoAdminRoutes(router: Router, deps: SsoAdminDeps): void {
  const { store, clock, cfg } = deps;
  // The request's one audit row (the access guard writes it) names whom the sessions were of.
  const ended = (c: Context<HttpEnv>, who: string, list: SessionSummary[], reason: string) =>
    c.get("auditNote")?.({
      actor: auditActorOf(c),
      action: "sso.session.revoke",
      target: who,
      result: "ok",
      details: { sessions: list.map((s) => s.ref), reason },
    });

  router.route(
    {
      method: "get",
      path: "/v4/sso/sessions",
      summary: "People signed in with the directory",
      description: "Live sessions on every Steward of the cluster, newest first; never a cookie or a token.",
      tags: ["Sign-in"],
      scope: "admin",
      query: z.strictObject({ subject: z.string().min(1).max(256).optional().describe("Only this person's sessions (the directory's sub)") }),
      responses: { 200: { description: "The sessions", schema: () => z.object({ sessions: z.array(SessionViewSchema) }) } },
    },
    async (c, { query }) => {
      const now = clock.now();
      const list = await store.list(now, now - cfg.idleTimeout, query.subject);
      c.header("Cache-Control", "no-store");
      return c.json({ sessions: list.map((s) => sessionView(s, cfg.idleTimeout)) });
    },
  );

  router.route(
    {
      method: "delete",
      path: "/v4/sso/sessions/:id",
      summary: "End a person's session",
      description: "The browser holding it is signed out at its next request, on every Steward of the cluster.",
      tags: ["Sign-in"],
      scope: "admin",
      params: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{16}$/, "a session id as GET /v4/sso/sessions lists it") }),
      responses: {
        200: { description: "The session, ended", schema: () => z.object({ ended: SessionViewSchema }) },
        404: { description: "No such live session" },
      },
    },
    async (c, { params }) => {
      const s = await store.endByRef(params.id);
      if (!s) return c.json(errorBody(404, "NOT_FOUND", `no live session ${params.id}: it ended already, or was never one`, { field: "id" }), 404);
      ended(c, ssoActorName(s), [s], "ended by an administrator");
      return c.json({ ended: sessionView(s, cfg.idleTimeout) });
    },
  );

  router.route(
    {
      method: "delete",
      path: "/v4/sso/people/:subject/sessions",
      summary: "Sign a person out everywhere",
      description: "Ends every session of the person (the directory's sub), on every Steward of the cluster.",
      tags: ["Sign-in"],
      scope: "admin",
      params: z.strictObject({ subject: z.string().min(1).max(256) }),
      responses: { 200: { description: "The sessions ended (none when the person had none)", schema: () => z.object({ ended: z.array(SessionViewSchema) }) } },
    },
    async (c, { params }) => {
      const list = await store.endBySubject(params.subject);
      ended(c, list[0] ? ssoActorName(list[0]) : `(sso:${params.subject})`, list, "signed out everywhere by an administrator");
      return c.json({ ended: list.map((s) => sessionView(s, cfg.idleTimeout)) });
    },
  );
}
