// OpenID Connect back-channel logout: when a person signs out at the directory (or an administrator ends their
// session there), the directory posts a logout token to <publicUrl>/auth/backchannel-logout. Once the token passes
// every check (logout-token.ts) and its jti was never seen by any Steward of the cluster, the sessions it names (by
// the directory's sid, else every session of the sub) end in the shared store, so on every member at once.
import type { Context } from "hono";
import type { Logger } from "pino";
import type { AuditLog } from "../../audit/audit-log";
import type { Clock } from "../../core/clock";
import type { Router } from "../../http/route";
import type { HttpEnv } from "../../http/types";
import type { SsoConfig } from "../sso-config";
import type { Directory } from "./directory";
import { ssoActorName } from "./identity";
import { createLogoutTokenChecker, LogoutTokenError } from "./logout-token";
import type { SessionStore } from "./session-store";

export const BACKCHANNEL_LOGOUT_PATH = "/auth/backchannel-logout";

export function registerBackchannelLogout(
  router: Router,
  deps: { cfg: SsoConfig; directory: Directory; store: SessionStore; audit: AuditLog; clock: Clock; log: Logger },
): void {
  const { store, audit, clock } = deps;
  const checker = createLogoutTokenChecker({
    clientId: deps.cfg.clientId,
    clockSkewMs: deps.cfg.clockSkew,
    now: () => clock.now(),
    keysOf: () => deps.directory.keys(),
  });
  // The answer the specification asks for: 200 with no-store, or 400 with an OAuth error body. Only a token the
  // directory signed is audited when refused (a replay, no event, a nonce): anyone can post garbage here, and a row
  // per post would let them fill the audit log; those are logged.
  const refuse = (c: Context<HttpEnv>, why: string, fromDirectory = true) => {
    if (fromDirectory)
      audit.record({ actor: { kind: "anonymous", name: "directory" }, action: "sso.backchannel-logout", result: "denied", details: { reason: why } });
    else deps.log.warn({ reason: why }, "a back-channel logout request was refused");
    c.header("Cache-Control", "no-store");
    return c.json({ error: "invalid_request", error_description: why }, 400);
  };

  router.route(
    {
      method: "post",
      path: BACKCHANNEL_LOGOUT_PATH,
      summary: "The directory's back-channel logout",
      tags: ["Sign-in"],
      scope: "public",
      hidden: true,
      responses: { 200: { description: "The sessions it named ended" }, 400: { description: "The logout token was refused" } },
    },
    async (c) => {
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const token = form.logout_token;
      if (typeof token !== "string" || token === "") return refuse(c, "the request carries no logout_token form field", false);
      let claims: Awaited<ReturnType<typeof checker.check>>;
      try {
        claims = await checker.check(token);
      } catch (err) {
        if (err instanceof LogoutTokenError) return refuse(c, err.message, err.fromDirectory);
        // The directory's keys could not be read: it may send the token again, so not a 400 of the token.
        c.header("Cache-Control", "no-store");
        return c.json({ error: "temporarily_unavailable", error_description: `the directory's keys could not be read: ${(err as Error).message}` }, 503);
      }
      if (!(await store.firstUseOf(claims.jti, claims.forgetAt))) return refuse(c, `the logout token ${claims.jti} was used already (a replay)`);
      const ended = claims.sid !== undefined ? await store.endBySid(claims.sid, claims.sub) : await store.endBySubject(claims.sub!);
      for (const s of ended)
        audit.record({
          actor: { kind: "sso", name: ssoActorName(s) },
          action: "sso.session.end",
          result: "ok",
          details: { reason: "the person was signed out at the directory (back-channel logout)", session: s.ref },
        });
      c.header("Cache-Control", "no-store");
      return c.body(null, 200);
    },
  );
}
