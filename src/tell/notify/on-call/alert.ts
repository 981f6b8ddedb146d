// What an on-call product (PagerDuty, Opsgenie / Jira Service Management) is told of an event: which of its alerts
// the event is (one per Steward incident; a cause's whole set of symptoms is one alert), whether it opens or ends
// it, and the facts, failing lines and links shown in it. Shared by the pagerduty and opsgenie channels.
import type { DomainEvent, EventKind } from "../../../platform/events/types";
import { isDataCheckEvent, isServiceEvent, isSiteEvent, isTaskEvent, isWatchdogEvent } from "../../../platform/events/types";
import { excerptText, fitScriptLog, showScriptLog } from "../../../hear/events/script-log-excerpt";
import { eventTitle } from "../../../hear/events/event-title";
import { actionUpdateOf } from "../../../platform/events/action-update";

/** Opens (or updates) the alert, or ends it. */
export type AlertAction = "trigger" | "resolve";

/** The key of the alert an incident or a cause is in the product: PagerDuty's dedup_key, Opsgenie's alias. */
export const causeAlertKey = (id: number) => `steward-cause-${id}`;
export const incidentAlertKey = (id: number) => `steward-incident-${id}`;

/** A key this Steward made, read back (from a webhook): the cause or incident it names; undefined for any other. */
export function parseAlertKey(key: string): { cause: number } | { incident: number } | undefined {
  const m = /^steward-(cause|incident)-([1-9][0-9]{0,15})$/.exec(key);
  if (!m) return undefined;
  const id = Number(m[2]);
  return m[1] === "cause" ? { cause: id } : { incident: id };
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9._:-]+/g, "-")
    .slice(0, 200);

/** Kinds that end the alert their counterpart opened. */
const ENDING: ReadonlySet<EventKind> = new Set<EventKind>([
  "task.recovered",
  "task.succeeded",
  "service.started",
  "data.check_passed",
  "task.on_track",
  "checkin.recovered",
  "app.freshness_recovered",
  "steward.recovered",
  "intake.node_recovered",
]);

/**
 * The alert an event belongs to. The cause it opened, updated or closed comes first: its symptoms then never make
 * alerts of their own. A task's run names its incident (the row GET /v4/incidents lists); without incidents (turned
 * off) the task is the alert. The rest are keyed by their condition, as their follow-ups name it. A test alert is its own.
 */
export function alertKeyOf(e: DomainEvent): string {
  // A test alert (steward alert test, POST /v4/alerts/test) carries a sample's incident: it must never be taken for
  // the real incident of that number.
  if (isTaskEvent(e) && e.source === "test") return `steward-test-${slug(e.executionId)}`;
  // An action update is a note on the alert of the page it follows (the incident's, or its cause's).
  const update = actionUpdateOf(e);
  if (update) return update.alertKey;
  if (e.cause) return causeAlertKey(e.cause.id);
  if (isTaskEvent(e)) {
    if (e.kind === "task.warning") return `steward-warning-${slug(e.task.id)}`;
    // A run QRS did not confirm is an alert of its own run (issue 103): its end ("did not happen") must never resolve
    // a real failure of the same task, and a forged success must never end that task's alert.
    if (e.unconfirmed && !e.unconfirmed.flood && !e.incident && e.source === "udp") return `steward-unconfirmed-${slug(e.executionId)}`;
    return e.incident ? incidentAlertKey(e.incident.id) : `steward-task-${slug(e.task.id)}`;
  }
  if (isWatchdogEvent(e)) return `steward-watch-${slug(e.condition.key)}`;
  if (isServiceEvent(e)) return `steward-service-${slug(e.host)}-${slug(e.service.name)}`;
  if (isDataCheckEvent(e)) return `steward-check-${slug(e.app.id)}-${slug(e.check?.name ?? "all")}`;
  if (e.kind === "steward.degraded" || e.kind === "steward.recovered") return "steward-degraded";
  if (e.kind === "intake.node_silent" || e.kind === "intake.node_recovered") return `steward-node-${slug(e.host)}`;
  return `steward-site-${slug(e.id)}`;
}

/**
 * A success QRS did not confirm (one run's, or the summary of a flood of them): it may be forged, and a forged success
 * that ended a page (it may name the very execution a real failure's own page is keyed by) or opened one would put
 * the attacker's word in the on-call product. Only QRS's word about a run opens or ends an alert (issue 103).
 */
/** Why an on-call product (PagerDuty, Opsgenie/JSM, Alertmanager, SIGNL4) is sent nothing for such a success. */
export const UNCONFIRMED_NOT_TOLD = "a success QRS did not confirm is not told to on-call products: only a confirmed run opens or ends an alert";

export function isUnconfirmedSuccess(e: DomainEvent): boolean {
  if (!isTaskEvent(e) || !e.unconfirmed) return false;
  return e.outcome === "succeeded" || e.unconfirmed.flood?.outcome === "succeeded";
}

/** Whether the event opens (or adds to) its alert, or ends it. A cause's pages follow the cause. */
export function alertActionOf(e: DomainEvent): AlertAction {
  if (e.cause) return e.cause.status === "closed" ? "resolve" : "trigger";
  return ENDING.has(e.kind) ? "resolve" : "trigger";
}

/** One line for the alert's title: what and where. */
export function alertSummary(e: DomainEvent): string {
  if (e.cause) return `Qlik Sense: ${e.cause.title}${e.cause.text ? ` (${e.cause.text})` : ""}`;
  if (isTaskEvent(e)) {
    const resolved = e.kind === "task.recovered" ? e.incident?.resolved : undefined;
    const what = resolved
      ? `resolved by ${resolved.by}`
      : e.outcome === "succeeded"
        ? e.kind === "task.warning"
          ? "succeeded with warnings"
          : "succeeded"
        : e.outcome;
    return `Qlik Sense task ${what}: ${e.task.name || e.task.id}${e.app ? ` (app ${e.app.name})` : ""} on ${e.host}`;
  }
  if (isServiceEvent(e)) return `Qlik Sense service ${e.state} on ${e.host}: ${eventTitle(e)}`;
  return `Qlik Sense: ${eventTitle(e)}${isSiteEvent(e) || isWatchdogEvent(e) || isDataCheckEvent(e) ? ` (${e.host})` : ""}`;
}

/** The lines of the script log that state the failure, and its last lines, gaps marked; undefined without a log. */
export function failingLines(e: DomainEvent, maxChars: number): string | undefined {
  if (!isTaskEvent(e) || !e.scriptLog || e.outcome === "succeeded") return undefined;
  return excerptText(fitScriptLog(showScriptLog(e.scriptLog, { head: 0, tail: 5 }), { maxChars, maxLineChars: 500 }));
}

/** Facts for the alert's details: the affected tasks and apps, the failure, the run; strings only (Opsgenie's details are). */
export function alertFacts(e: DomainEvent): Record<string, string> {
  const out: Record<string, string> = { "Event kind": e.kind, "Steward event": e.id };
  const c = e.cause;
  if (c) {
    out.Cause = c.title;
    out.Affected = c.text;
    if (c.tasks.length > 0) out["Affected tasks"] = c.tasks.join(", ").slice(0, 2_000);
    if (c.apps.length > 0) out["Affected apps"] = c.apps.join(", ").slice(0, 2_000);
    if (c.streams.length > 0) out["Affected streams"] = c.streams.join(", ").slice(0, 1_000);
    if (c.openedAt) out["Cause opened"] = c.openedAt;
    out["Still failing"] = String(c.stillFailing);
  }
  if (isTaskEvent(e)) {
    out.Task = e.task.name || e.task.id;
    out["Task id"] = e.task.id;
    if (e.app) out.App = e.app.name;
    if (e.app?.stream) out.Stream = e.app.stream;
    out.Host = e.host;
    out["Execution id"] = e.executionId;
    if (e.incident) out["Steward incident"] = String(e.incident.id);
    if (e.history && e.outcome !== "succeeded") out["Failures in a row"] = String(e.history.consecutiveFailures);
    if (e.history?.lastSuccessAt) out["Last success"] = e.history.lastSuccessAt;
    if (e.errorClass) out["Likely cause"] = `${e.errorClass}: ${e.errorHint ?? ""}`.trim();
    if (e.errorLine) out["Error line"] = e.errorLine.slice(0, 1_000);
  } else if (isServiceEvent(e)) {
    out.Host = e.host;
    out.Service = e.service.name;
    out.State = e.state;
  } else {
    out.Host = e.host;
    out.Summary = e.summary.slice(0, 2_000);
    for (const f of e.facts) if (!(f.name in out)) out[f.name] = String(f.value).slice(0, 1_000);
  }
  return out;
}

/** Where to look: Steward's dashboard (the cause, else the task) and the run in Qlik (QMC task, hub app). */
export function alertLinks(e: DomainEvent, publicUrl: string | undefined): Array<{ href: string; text: string }> {
  const base = publicUrl?.replace(/\/+$/, "");
  const links: Array<{ href: string; text: string }> = [];
  if (e.cause?.url) links.push({ href: e.cause.url, text: "The cause on Steward's dashboard" });
  if (isTaskEvent(e)) {
    if (base) links.push({ href: `${base}/ui/tasks/${encodeURIComponent(e.task.id)}`, text: "The task and its runs on Steward's dashboard" });
    if (e.links?.qmcTask) links.push({ href: e.links.qmcTask, text: "The task in the QMC" });
    if (e.links?.hubApp) links.push({ href: e.links.hubApp, text: "The app in the hub" });
  } else if (base && !e.cause?.url) links.push({ href: `${base}/ui/incidents`, text: "Incidents on Steward's dashboard" });
  return links;
}

/**
 * The lines approved remediation added to the message (start/remediation/lines.ts): each action on the alert's
 * incident or cause and how it ended, a failed one saying so. Told once, by the first event whose messages carry it.
 */
export function actionLines(vars: Record<string, unknown> | undefined): string[] {
  const lines = vars?.remediationLines;
  return Array.isArray(lines) ? lines.filter((l): l is string => typeof l === "string" && l.length > 0) : [];
}
