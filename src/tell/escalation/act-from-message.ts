// Wires "act from the message" into the app: acknowledge and snooze links (src/tell/ack-links) and escalation timers
// add to the notifier's messages and follow what it queues, through the notifier's hooks. The notifier needs the
// hooks when it is built, while the escalation sends through the notifier and both read the incidents service,
// built later: `attach` completes the wiring once those exist.
import type { PollInterval } from "../../platform/core/poll-interval";
import type { Logger } from "pino";
import { effectiveActionLinks, type LinkCause, type LinkSignIn, type RemedyPort, setupAckLinks } from "../ack-links";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { NotifyConfig, RouteConfig } from "../notify/config";
import type { LinksConfig } from "../ack-links/notice";
import type { Clock } from "../../platform/core/clock";
import { systemTimeZone } from "../../platform/core/time-zone";
import type { Lifecycle } from "../../platform/core/lifecycle";
import type { Router } from "../../platform/http/route";
import type { IncidentService } from "../incidents";
import { isTaskEvent, type DomainEvent } from "../../platform/events/types";
import type { Notifier, NotifyHooks } from "../notify";
import type { Notification } from "../notify/types";
import { alertActionOf, alertKeyOf } from "../notify/on-call/alert";
import { type QuietSpell, wouldSend } from "../notify/gate";
import type { SilenceService } from "../silences";
import type { SqlDb } from "../../platform/store/sql";
import { setupEscalation, type Escalation } from "./index";
import type { CauseState } from "./service";

export interface ActFromMessageDeps {
  db: SqlDb;
  clock: Clock;
  log: Logger;
  router: Router;
  audit: AuditLog;
  silences: SilenceService;
  /** What keeps an event quiet now (maintenance windows, silences): an escalation due then waits for its end. */
  quietUntil(event: DomainEvent, now: number): Promise<QuietSpell | undefined>;
  /** In a cluster: how often a Steward looks for escalation timers another one armed. */
  pollMs?: PollInterval;
  /** In a cluster: called when another Steward may have armed timers (the peer epoch moved); returns an unsubscribe. */
  onPeerEpoch?: (fn: () => void) => () => void;
  /** The causes (tell/grouping): a cause's page carries links naming it and escalates as an incident's does. */
  causes?: LinkCauses;
}

/** What links and escalation read of the causes. */
export interface LinkCauses {
  get(id: number): Promise<(LinkCause & CauseState) | undefined>;
  /** The task subjects (`task:<id>`) an open cause holds open. */
  openSubjects(id: number): Promise<string[]>;
  /** Marks an open cause acknowledged (the cause alone: the incidents service acknowledges the incidents it holds). */
  acknowledge(id: number, by: string, note: string | null, now: number): Promise<{ parent: { id: number; title: string } } | undefined>;
}

export interface ActFromMessage {
  hooks: NotifyHooks;
  /** Call after the notifier (the escalation's lifecycle component starts after it) with what came later. */
  attach(late: { notify: Notifier; lifecycle: Lifecycle; routes: () => RouteConfig[] }): void;
  setIncidents(incidents: IncidentService | undefined): void;
  /** Approved remediation, built after the alerting: its retry links and the lines its actions add to messages. */
  setRemedies(remedies: RemedyPort | undefined): void;
  /** An alert a silence held was sent on `route` when it ended: that route's escalation starts now. */
  released(event: DomainEvent, route: string, now: number): Promise<void>;
}

/** Single sign-on (security.sso), when set up: who acts on a link, and when a link asks to sign in first. */
type SignInConfig = { security?: { sso?: LinkSignIn | undefined } };

export function setupActFromMessage(config: { notify: NotifyConfig } & LinksConfig & SignInConfig, deps: ActFromMessageDeps): ActFromMessage {
  let incidents: IncidentService | undefined;
  let zone: string | undefined;
  let escalation: Escalation | undefined;
  let remedies: RemedyPort | undefined;
  const links = setupAckLinks(effectiveActionLinks(config), {
    db: deps.db,
    clock: deps.clock,
    router: deps.router,
    audit: deps.audit,
    timeZone: () => (zone ??= config.notify.timeZone ?? systemTimeZone()),
    incidents: () => incidents,
    silences: deps.silences,
    remedies: () => remedies,
    postponeEscalation: (id, until) => escalation?.postpone(id, until) ?? Promise.resolve(),
    postponeCauseEscalation: (id, until) => escalation?.postponeCause(id, until) ?? Promise.resolve(),
    ...(deps.causes ? causeLookups(deps.causes, () => incidents, deps.clock) : {}),
    ...(config.security?.sso ? { signIn: { requireForActions: config.security.sso.requireForActions, label: config.security.sso.label } } : {}),
  });
  return {
    hooks: {
      decorate: async (n) => {
        const told = (await remedies?.lines(n.event, { channel: n.channel, recipient: n.recipient ?? "", at: deps.clock.now() })) ?? [];
        const withLines = told.length === 0 ? n : { ...n, vars: { ...n.vars, remediationLines: told } };
        // Asked after the lines: a message telling the last outcome has just marked it told, and ends the alert.
        const held = await heldOpen(remedies, withLines, deps.clock.now());
        const decorated = held === undefined ? withLines : { ...withLines, heldOpen: held };
        return links.decorate(escalation ? escalation.decorate(decorated) : decorated);
      },
      alertHeld: async (key, channel) => remedies?.alertHeld?.(key, channel, deps.clock.now()),
      endsAnAction: async (e) => (await remedies?.endsAnAction?.(e)) === true,
      queued: async (plan, now) => {
        if (plan.deliveries.some(wouldSend)) await markPaged(incidents, plan.event, now);
        await escalation?.queued(plan, now);
      },
    },
    attach({ notify, lifecycle, routes }) {
      escalation = setupEscalation({
        db: deps.db,
        clock: deps.clock,
        log: deps.log,
        router: deps.router,
        lifecycle,
        routes,
        incident: async (id) => incidents?.get(id),
        ...(deps.causes ? { cause: deps.causes.get } : {}),
        event: (id) => notify.outbox.getEvent(id),
        send: (event, route, keyPrefix) => notify.escalate(event, route, keyPrefix),
        quietUntil: deps.quietUntil,
        ...(deps.pollMs !== undefined ? { pollMs: deps.pollMs } : {}),
        ...(deps.onPeerEpoch ? { onPeerEpoch: deps.onPeerEpoch } : {}),
      });
    },
    setIncidents(i) {
      incidents = i;
    },
    setRemedies(r) {
      remedies = r;
    },
    released: async (event, route, now) => {
      await markPaged(incidents, event, now);
      await escalation?.arm(event, [route], now);
    },
  };
}

function causeLookups(causes: LinkCauses, incidents: () => IncidentService | undefined, clock: Clock) {
  return {
    cause: causes.get,
    acknowledgeCauseOnly: async (id: number, by: string, note: string) => (await causes.acknowledge(id, by, note, clock.now()))?.parent,
    async causeIncidents(id: number): Promise<number[]> {
      const ids: number[] = [];
      for (const subject of await causes.openSubjects(id)) {
        const row = await incidents()?.openIncident(subject);
        if (row) ids.push(row.id);
      }
      return ids;
    },
  };
}

/**
 * Why the on-call alert a message would end stays open (an action on its cause or incident has not ended and been
 * told: src/tell/notify/on-call/held-open.ts); asked only of a message that ends an alert by its own event.
 */
async function heldOpen(remedies: RemedyPort | undefined, n: Notification, now: number): Promise<string | undefined> {
  if (!remedies?.alertHeld || n.action !== undefined || alertActionOf(n.event) !== "resolve") return undefined;
  return remedies.alertHeld(alertKeyOf(n.event), n.channel, now, n.event.id);
}

/** A task incident one of whose alerts went out: renotify: once then holds its repeats (src/tell/notify/renotify.ts). */
async function markPaged(incidents: IncidentService | undefined, event: DomainEvent, now: number): Promise<void> {
  const id = isTaskEvent(event) && event.kind !== "task.recovered" ? event.incident?.id : undefined;
  if (incidents && id !== undefined) await incidents.markPaged(id, now);
}
