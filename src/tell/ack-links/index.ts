// Acknowledge and snooze links in alert messages: signed with a key kept in the shared store, valid until an
// expiry, acting once, audited as the person they were made for. `decorate` adds them to a message's template
// variables (actionLinks); the landing routes act through the incidents and silences services.
import { z } from "zod";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { ActionLinksConfig } from "./config";
import type { Clock } from "../../platform/core/clock";
import type { Router } from "../../platform/http/route";
import type { IncidentService } from "../incidents";
import type { Notification } from "../notify/types";
import type { SilenceService } from "../silences";
import type { SqlDb } from "../../platform/store/sql";
import { createLinkStore } from "./link-store";
import { makeActionLinks } from "./links";
import { registerLinkRoutes } from "./routes";
import { snoozeChoices } from "./snooze-choices";
import { messageTime } from "../../platform/core/time-text";

export { ackLinkMigrations } from "./migrations";
export { actionLinksNotice, effectiveActionLinks } from "./notice";
export type { ActionLink } from "./links";
export { LINK_PATH_PATTERN } from "./links";

export interface AckLinksDeps {
  db: SqlDb;
  clock: Clock;
  router: Router;
  audit: AuditLog;
  /** The site's zone (notify.timeZone, else this machine's), asked when a snooze is offered. */
  timeZone(): string;
  /** Resolved at use: the incidents service is built after the notifier. */
  incidents(): IncidentService | undefined;
  silences: SilenceService;
  /** A snooze moves the incident's pending escalations to its end. */
  postponeEscalation?(incidentId: number, until: number): Promise<void>;
}

export interface AckLinks {
  /** Adds `actionLinks` to a message's variables when it is about an open incident and links are configured. */
  decorate(n: Notification): Promise<Notification>;
}

export function setupAckLinks(cfg: ActionLinksConfig, deps: AckLinksDeps): AckLinks {
  const store = createLinkStore(deps.db);
  const { clock } = deps;
  // The landing pages are public routes: registered only when links are made at all.
  if (cfg.publicBaseUrl)
    registerLinkRoutes(deps.router, {
      store,
      audit: deps.audit,
      clock,
      actions: {
        choices: (now) => snoozeChoices(cfg, deps.timeZone(), now),
        formatTime: (ms) => messageTime(ms, deps.timeZone()),
        async incident(id) {
          return deps.incidents()?.get(id);
        },
        async acknowledge(p) {
          const incidents = deps.incidents();
          const row = await incidents?.acknowledge(p.incidentId, p.recipient, "acknowledged from the alert's link");
          if (row) return { ok: true, message: `Incident #${row.id} (${row.title}) is acknowledged by ${p.recipient}. Its recovery will still be sent.` };
          return { ok: false, message: `Incident #${p.incidentId} has recovered (or is no longer kept): there is nothing to acknowledge.` };
        },
        async snooze(p, choice) {
          const incidents = deps.incidents();
          const row = await incidents?.get(p.incidentId);
          if (row?.status !== "open") return { ok: false, message: `Incident #${p.incidentId} has recovered: there is nothing to snooze.` };
          // The page was the cause's: its snooze holds every incident of that cause, not only the one it was sent with.
          const same = (await incidents?.sameCause(p.incidentId)) ?? [];
          const ids = [p.incidentId, ...same.map((i) => i.id).filter((id) => id !== p.incidentId)].slice(0, 500);
          const s = await deps.silences.create(
            {
              matcher: { incidentIds: ids },
              reason: `snoozed from the alert's link (${row.title})`,
              author: p.recipient,
              endsAt: new Date(choice.until).toISOString(),
            },
            p.recipient,
          );
          await deps.postponeEscalation?.(p.incidentId, choice.until);
          return {
            ok: true,
            // "for 1h, until 2026-11-26 10:00 CET"; "until tomorrow, 2026-11-27 08:00 CET" says its end already.
            message: `Incident #${row.id} (${row.title}) is snoozed ${choice.label}${choice.id === "tomorrow" ? "" : `, until ${messageTime(choice.until, deps.timeZone())}`} (silence #${s.id}).`,
          };
        },
      },
    });
  deps.router.route(
    {
      method: "post",
      path: "/v4/action-links/rotate",
      summary: "Rotate the key that signs acknowledge and snooze links",
      description: "Every link sent before stops working on every Steward of the site; messages sent from now on carry links signed with the new key.",
      tags: ["Alerts"],
      scope: "admin",
      responses: { 200: { description: "Rotated", schema: z.object({ rotatedAt: z.string() }) } },
    },
    async (c) => {
      const key = await store.rotate(clock.now());
      return c.json({ rotatedAt: new Date(key.createdAt).toISOString() });
    },
  );
  return {
    async decorate(n) {
      const links = await makeActionLinks(cfg, store, n, clock.now());
      return links.length === 0 ? n : { ...n, vars: { ...n.vars, actionLinks: links } };
    },
  };
}
