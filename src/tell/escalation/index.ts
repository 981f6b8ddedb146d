// Escalation on a route (`escalate: { after, to }`): an incident or a cause not acknowledged within `after` of a
// route's alert is sent on the next route; acknowledged or recovered, it stops. Timers live in the shared store and run on the Clock.
import { fitAnswer, LIST_ANSWER_NOTE } from "../../platform/http/answer-budget";
import type { PollInterval } from "../../platform/core/poll-interval";
import type { Logger } from "pino";
import { z } from "zod";
import type { RouteConfig } from "../notify/config";
import type { Clock } from "../../platform/core/clock";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { DomainEvent } from "../../platform/events/types";
import type { Router } from "../../platform/http/route";
import type { IncidentRow } from "../incidents";
import { formatDuration } from "../../platform/core/duration";
import { nameRoutes } from "../notify/routing";
import type { QuietSpell } from "../notify/gate";
import type { Notification } from "../notify/types";
import type { SqlDb } from "../../platform/store/sql";
import { createEscalationStore, type EscalationRow } from "./escalation-store";
import { type CauseState, createEscalationService, type EscalationService } from "./service";

export { escalationMigrations } from "./migrations";
export type { EscalationRow, EscalationState } from "./escalation-store";

export interface EscalationSetupDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  router: Router;
  lifecycle: Lifecycle;
  routes(): RouteConfig[];
  incident(id: number): Promise<IncidentRow | undefined>;
  /** A cause: open or not, acknowledged or not (a cause's page escalates as an incident's does). */
  cause?(id: number): Promise<CauseState | undefined>;
  event(id: string): Promise<DomainEvent | undefined>;
  send(event: DomainEvent, route: string, keyPrefix: string): Promise<unknown>;
  /** What keeps an event quiet now (a maintenance window, a silence): a timer due then waits for its end. */
  quietUntil?(event: DomainEvent, now: number): Promise<QuietSpell | undefined>;
  /** In a cluster: how often to look for timers another Steward armed. */
  pollMs?: PollInterval;
  /** In a cluster: called when another Steward may have armed timers (the peer epoch moved); returns an unsubscribe. */
  onPeerEpoch?: (fn: () => void) => () => void;
}

export interface Escalation extends Pick<EscalationService, "queued" | "postpone" | "postponeCause" | "arm"> {
  /** Says in an escalated message why it came (before the run's history line, which every task template shows). */
  decorate(n: Notification): Notification;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const view = (r: EscalationRow) => ({
  id: r.id,
  incidentId: r.incidentId === 0 ? null : r.incidentId,
  causeId: r.causeId,
  fromRoute: r.fromRoute,
  toRoute: r.toRoute,
  eventId: r.eventId,
  dueAt: iso(r.dueAt),
  state: r.state,
  reason: r.reason,
  createdAt: iso(r.createdAt),
  settledAt: iso(r.settledAt),
});

/** One escalation timer as /v4/escalations returns it (and the dashboard's incidents page shows it). */
export type EscalationView = ReturnType<typeof view>;

/**
 * Without a cluster (pollMs not given) only this Steward arms timers, and arming one wakes the service for its due
 * time: the poll is then a safety net, an hour (it was a look every minute, issue 89).
 */
const OWN_STORE_POLL_MS = 3_600_000;

export function setupEscalation(deps: EscalationSetupDeps): Escalation {
  const store = createEscalationStore(deps.db);
  const service = createEscalationService({ ...deps, store, log: deps.log.child({ module: "escalation" }), pollMs: deps.pollMs ?? OWN_STORE_POLL_MS });
  deps.lifecycle.add(service.component);
  deps.router.route(
    {
      method: "get",
      path: "/v4/escalations",
      summary: "Escalation timers (newest first)",
      description:
        "One per incident or cause and target route: pending, fired (the next route was told), stopped (acknowledged or recovered) or skipped. A task's failure names its incident (`causeId` null); any other page of a cause names the cause (`incidentId` null).",
      tags: ["Alerts"],
      scope: "read",
      query: z.strictObject({
        incidentId: z.coerce.number().int().min(1).optional(),
        causeId: z.coerce.number().int().min(1).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      responses: {
        200: {
          description: `Timers. ${LIST_ANSWER_NOTE}`,
          schema: () => z.object({ escalations: z.array(z.any()), truncated: z.boolean().describe("Rows were left out past about 1 MiB: ask for fewer") }),
        },
      },
    },
    async (c, { query }) => {
      const page = fitAnswer((await store.list(query)).map(view));
      return c.json({ escalations: page.items, truncated: page.truncated });
    },
  );
  return {
    queued: service.queued,
    postpone: service.postpone,
    postponeCause: service.postponeCause,
    arm: service.arm,
    decorate(n) {
      const m = /^esc:(cause-)?(\d+):/.exec(n.key);
      if (!m) return n;
      const what = m[1] ? `cause #${m[2]}` : `incident #${m[2]}`;
      const from = nameRoutes(deps.routes()).find((r) => r.config.escalate?.to === n.route);
      const after = from?.config.escalate ? ` within ${formatDuration(from.config.escalate.after)}` : "";
      const line = `Escalated: ${what} was not acknowledged${after}${from ? ` of the alert on route ${from.name}` : ""}.`;
      const history = typeof n.vars.historyLine === "string" && n.vars.historyLine ? ` ${n.vars.historyLine}` : "";
      return { ...n, vars: { ...n.vars, historyLine: `${line}${history}`, escalated: true } };
    },
  };
}
