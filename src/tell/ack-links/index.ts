// Acknowledge and snooze links in alert messages: signed with a key kept in the shared store, valid until an
// expiry, acting once, audited as the person they were made for. `decorate` adds them to a message's template
// variables (actionLinks): they name the page's open cause, else its task's open incident; the landing routes act
// through the incidents and silences services (actions.ts).
import { z } from "zod";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { ActionLinksConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import type { Router } from "../../platform/http/route";
import type { Notification } from "../notify/types";
import type { SqlDb } from "../../platform/store/sql";
import { createLinkStore } from "./link-store";
import { makeActionLinks } from "./links";
import { type LinkActionDeps, linkActions } from "./actions";
import { registerLinkRoutes } from "./routes";
import type { LinkSignIn } from "./sign-in-gate";

export { ackLinkMigrations } from "./migrations";
export { actionLinksNotice, effectiveActionLinks } from "./notice";
export type { ActionLink } from "./links";
export type { LinkCause } from "./actions";
export { LINK_PATH_PATTERN } from "./links";

export type { RemedyPort, RetryChoice } from "./remedy-port";
export type { LinkSignIn } from "./sign-in-gate";

export interface AckLinksDeps extends LinkActionDeps {
  db: SqlDb;
  clock: Clock;
  router: Router;
  audit: AuditLog;
  /** Single sign-on (security.sso), when set up: links act as the signed-in person, and ask to sign in when needed. */
  signIn?: LinkSignIn;
}

export interface AckLinks {
  /** Adds `actionLinks` to a message's variables when it is about an open cause or incident and links are configured. */
  decorate(n: Notification): Promise<Notification>;
}

export function setupAckLinks(cfg: ActionLinksConfig, deps: AckLinksDeps): AckLinks {
  const store = createLinkStore(deps.db);
  const { clock } = deps;
  // The landing pages are public routes: registered only when links are made at all.
  if (cfg.publicBaseUrl) registerLinkRoutes(deps.router, { store, audit: deps.audit, clock, actions: linkActions(cfg, deps), signIn: deps.signIn });
  deps.router.route(
    {
      method: "post",
      path: "/v4/action-links/rotate",
      summary: "Rotate the key that signs acknowledge and snooze links",
      description: "Every link sent before stops working on every Steward of the site; messages sent from now on carry links signed with the new key.",
      tags: ["Alerts"],
      scope: "admin",
      responses: { 200: { description: "Rotated", schema: () => z.object({ rotatedAt: z.string() }) } },
    },
    async (c) => {
      const key = await store.rotate(clock.now());
      return c.json({ rotatedAt: new Date(key.createdAt).toISOString() });
    },
  );
  return {
    async decorate(n) {
      const remedies = deps.remedies?.();
      const offers = {
        retry: remedies?.offersRetry(n.event) === true,
        rerun: remedies?.offersRerun(n.event) === true,
        reload: remedies?.offersReload(n.event) === true,
        chain: (await remedies?.offersChain(n.event)) === true,
      };
      const links = await makeActionLinks(cfg, store, n, clock.now(), offers);
      return links.length === 0 ? n : { ...n, vars: { ...n.vars, actionLinks: links } };
    },
  };
}
