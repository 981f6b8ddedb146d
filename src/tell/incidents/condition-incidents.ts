// Every kind that pages is an incident, not only a task's failed run (issue 84): a missed start, a freshness promise at
// risk or late, a failed data check, a job's missed or failed check-in, a failed reload outside the Scheduler, a node's
// queue backed up, a node's service stopped and a Qlik Talend Cloud data task that failed or was stopped each open (or
// add to) an incident of their own, and the event that ends the condition closes it (the data task's: its next
// completed run, cloud.datatask.recovered). Their subjects are the ones the causes (tell/grouping) give the same
// conditions, so GET /v4/incidents, the assistant's `incidents`, the dashboard's Incidents page (grouped by cause) and
// the morning report list one set, each under the cause that holds it.
import type { Logger } from "pino";
import type { EventBus } from "../../platform/core/bus";
import { describeError } from "../../platform/core/errors";
import type { DomainEvent, DomainEvents, EventKind } from "../../platform/events/types";
import { isDataCheckEvent, isServiceEvent, isSiteEvent, isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import { dataTaskSubject } from "../../platform/events/cloud-events";
import { nodeOf } from "../grouping/node-down";
import type { IncidentService } from "./service";

/** What opens a condition's incident: its subject, its title and whether it counts as a failure. */
interface Opening {
  subject: string;
  title: string;
  summary: string;
  failedRun: boolean;
}

/** Kinds that page and open an incident of their own (a task's runs have theirs through the annotator). */
export const CONDITION_OPENING_KINDS = [
  "task.missed",
  "scheduler.queue_backlog",
  "checkin.missed",
  "checkin.failed",
  "checkin.running_long",
  "app.freshness_warning",
  "app.freshness_breached",
  "data.check_failed",
  "app.reload_failed",
  "service.stopped",
  "cloud.datatask.failed",
] as const satisfies readonly EventKind[];

/** Kinds that end a condition: each closes the incident its counterpart opened, when one is open. */
export const CONDITION_CLOSING_KINDS = [
  "task.on_track",
  "checkin.recovered",
  "app.freshness_recovered",
  "data.check_passed",
  "app.reload_succeeded",
  "service.started",
  "cloud.datatask.recovered",
] as const satisfies readonly EventKind[];

const OPENING: ReadonlySet<string> = new Set(CONDITION_OPENING_KINDS);

/** The condition's subject, as its cause records it; undefined for an event that is no condition of this kind. */
export function conditionSubject(e: DomainEvent): string | undefined {
  if (isWatchdogEvent(e)) return `watch:${e.condition.key}`;
  if (isServiceEvent(e)) return `service:${nodeOf(e.host)}|${e.service.name.toLowerCase()}`;
  if (isDataCheckEvent(e)) return e.check ? `check:${e.app.id.toLowerCase()}|${e.check.name.toLowerCase()}` : undefined;
  if (isTaskEvent(e) && e.source === "engine") return `app-reload:${(e.app?.id ?? e.task.id).toLowerCase()}`;
  if (isSiteEvent(e) && e.kind.startsWith("cloud.datatask.") && typeof e.data.dataTaskId === "string")
    return dataTaskSubject(String(e.data.tenant ?? ""), e.data.dataTaskId);
  return undefined;
}

function openingOf(e: DomainEvent): Opening | undefined {
  if (!OPENING.has(e.kind)) return undefined;
  const subject = conditionSubject(e);
  if (!subject) return undefined;
  if (isWatchdogEvent(e)) return { subject, title: e.title, summary: e.summary, failedRun: e.kind === "checkin.failed" };
  if (isServiceEvent(e)) {
    const name = e.service.displayName || e.service.friendlyName || e.service.name;
    return { subject, title: `${name} stopped on ${e.host}`, summary: `${name} is ${e.state} on ${e.host}`, failedRun: false };
  }
  if (isDataCheckEvent(e)) return { subject, title: e.title, summary: e.summary, failedRun: true };
  // A data task's failed (or stopped) run: one incident per data task, each later failure added to it.
  if (isSiteEvent(e)) return { subject, title: e.title, summary: e.summary, failedRun: true };
  if (isTaskEvent(e)) {
    const app = e.app?.name ?? e.task.id;
    return { subject, title: `Reload of ${app} failed outside the Scheduler`, summary: (e.logMessage ?? "").split("\n")[0] ?? "", failedRun: true };
  }
  return undefined;
}

/** When the event happened (ms): what an incident's order is kept by. */
const atOf = (e: DomainEvent): number => Date.parse(e.receivedAt);

/**
 * The condition's incident an event opens or adds to, as its subject and when it happened; undefined for any other
 * event. Such an event pages under its condition's alert key (steward-watch-…), not its incident's: what an on-call
 * product holds is found back to its incident through it (acknowledged, resolved, converged: composition/condition-alerts.ts).
 */
export function conditionIncidentOf(e: DomainEvent): { subject: string; at: number } | undefined {
  if (!OPENING.has(e.kind)) return undefined;
  const subject = conditionSubject(e);
  return subject ? { subject, at: atOf(e) } : undefined;
}

export function watchConditionIncidents(bus: EventBus<DomainEvents>, incidents: IncidentService, log: Logger): () => void {
  async function open(e: DomainEvent): Promise<void> {
    const o = openingOf(e);
    if (!o) return;
    try {
      const row = await incidents.raise({ ...o, eventId: e.id, kind: e.kind, at: atOf(e) });
      if (row.events === 1) log.info({ incidentId: row.id, subject: o.subject, kind: e.kind }, "incident opened");
    } catch (err) {
      log.warn({ err: describeError(err), subject: o.subject, kind: e.kind }, "cannot open the condition's incident");
    }
  }
  async function close(e: DomainEvent): Promise<void> {
    // A success QRS did not confirm (a forged Engine line) ends nothing.
    if (isTaskEvent(e) && e.unconfirmed) return;
    const subject = conditionSubject(e);
    if (!subject) return;
    try {
      const row = await incidents.resolve({ subject, eventId: e.id, summary: isTaskEvent(e) ? (e.logMessage ?? e.kind) : eventSummary(e), at: atOf(e) });
      if (row) log.info({ incidentId: row.id, subject, kind: e.kind }, "incident closed");
    } catch (err) {
      log.warn({ err: describeError(err), subject, kind: e.kind }, "cannot close the condition's incident");
    }
  }
  const offs = [
    ...CONDITION_OPENING_KINDS.map((k) => bus.on(k, (e) => open(e as DomainEvent))),
    ...CONDITION_CLOSING_KINDS.map((k) => bus.on(k, (e) => close(e as DomainEvent))),
  ];
  return () => {
    for (const off of offs) off();
  };
}

function eventSummary(e: DomainEvent): string {
  if (isServiceEvent(e)) return `${e.service.displayName || e.service.name} is ${e.state} on ${e.host}`;
  return "summary" in e && typeof e.summary === "string" ? e.summary : e.kind;
}
