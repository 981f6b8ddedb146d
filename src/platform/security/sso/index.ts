// Single sign-on with the company directory (security.sso): the directory client, the shared session store, the
// sign-in routes, and how a request's session cookie becomes the principal the access guard checks.
import type { Logger } from "pino";
import type { AuditLog } from "../../audit/audit-log";
import type { Clock } from "../../core/clock";
import type { Router } from "../../http/route";
import type { Principal } from "../../http/types";
import type { SqlDb } from "../../store/sql";
import type { SsoConfig } from "../sso-config";
import { sessionIdFrom } from "./cookie";
import { createDirectory, type Directory } from "./directory";
import { registerSsoAdminRoutes } from "./admin-routes";
import { registerBackchannelLogout } from "./backchannel-route";
import { registerSsoRoutes } from "./routes";
import { createSessionStore } from "./session-store";
import { createSessionPrincipals } from "./sessions";
import { createTokenSealer } from "./token-seal";

export { ssoMigrations } from "./migrations";
export { ssoActorName, ssoSubjectOf } from "./identity";
export type { Directory } from "./directory";
export { createDirectory } from "./directory";

export interface Sso {
  cfg: SsoConfig;
  directory: Directory;
  /** The signed-in person a request's Cookie header names, or undefined (no cookie, or a session that ended). */
  principalFromCookie(cookieHeader: string | undefined): Promise<Principal | undefined> | undefined;
  registerRoutes(router: Router): void;
}

export function setupSso(cfg: SsoConfig, publicUrl: string, deps: { db: SqlDb; clock: Clock; audit: AuditLog; log: Logger }): Sso {
  const base = publicUrl.replace(/\/+$/, "");
  const https = base.startsWith("https:");
  const directory = createDirectory(cfg);
  const sealer = createTokenSealer([cfg.tokenKey ?? cfg.clientSecret ?? "", ...cfg.previousTokenKeys].filter((k) => k !== ""));
  const store = createSessionStore(deps.db, sealer);
  const log = deps.log.child({ module: "sso" });
  const sessions = createSessionPrincipals({
    store,
    directory,
    clock: deps.clock,
    audit: deps.audit,
    log,
    idleTimeout: cfg.idleTimeout,
  });
  return {
    cfg,
    directory,
    principalFromCookie(cookieHeader) {
      const id = sessionIdFrom(cookieHeader, https);
      return id === undefined ? undefined : sessions.principal(id);
    },
    registerRoutes(router) {
      registerSsoRoutes(router, { cfg, publicUrl: base, directory, store, sessions, audit: deps.audit, clock: deps.clock });
      registerSsoAdminRoutes(router, { cfg, store, audit: deps.audit, clock: deps.clock });
      if (cfg.backChannelLogout) registerBackchannelLogout(router, { cfg, directory, store, audit: deps.audit, clock: deps.clock, log });
    },
  };
}
