// What Alertmanager receives for one event: the alert's identity in Steward (one per open incident or cause), its
// labels and annotations, and whether the event opens or updates it (firing), closes it, or is news that no later
// event ends (sent once, left to Alertmanager's resolve_timeout).
import type { DomainEvent, ServiceEvent, TaskEvent } from "../../../../platform/events/types";
import { isDataCheckEvent, isSiteEvent, isTaskEvent, isWatchdogEvent } from "../../../../platform/events/types";
import { excerptText, fitScriptLog, showScriptLog } from "../../../../hear/events/script-log-excerpt";
import { incidentKey } from "../signl4";
import type { AlertmanagerChannelConfig } from "./schema";

/** One alert of Alertmanager's API v2 (POST /api/v2/alerts takes a list of these). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

/** firing: opened or updated, posted again while open; resolved: its incident closed; once: news nothing ends. */
export type AlertState = "firing" | "resolved" | "once";

export interface StewardAlert {
  /** The alert's identity in Steward: cause:<id>, incident:<id>, or the task, service or condition it is about. */
  key: string;
  state: AlertState;
  alert: PostableAlert;
  /**
   * What the re-sender asks about before posting again: is the incident or cause still open? `event`: the event that
   * opened an alert of neither (a condition's, whose incident is found through it: composition/condition-alerts.ts).
   */
  ref: { incident?: number; cause?: number; event?: string };
}

/** Kinds of the watchdog, check-ins and freshness that close the condition an earlier event opened. */
const CLOSING_WATCH_KINDS = new Set(["task.on_track", "checkin.recovered", "app.freshness_recovered"]);
/** The lines of the script log in the description, besides the failing ones. */
const LOG_TAIL_LINES = 5;
const DESCRIPTION_MAX = 4_000;

/** QlikTaskFailed from task.failed, QlikServiceStopped from service.stopped: Alertmanager's naming. */
export function alertName(kind: string): string {
  const words = kind.split(/[._]/).filter(Boolean);
  return `Qlik${words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("")}`;
}

function stateOf(e: DomainEvent): AlertState {
  if (e.cause) return e.cause.status === "closed" ? "resolved" : "firing";
  if (isTaskEvent(e)) {
    if (e.kind === "task.warning") return "once";
    return e.outcome === "succeeded" ? "resolved" : "firing";
  }
  if (isDataCheckEvent(e)) return e.kind === "data.check_passed" ? "resolved" : "firing";
  if (isWatchdogEvent(e)) {
    if (e.condition.closedAt !== undefined || CLOSING_WATCH_KINDS.has(e.kind)) return "resolved";
    return e.kind === "task.notice" ? "once" : "firing";
  }
  if (isSiteEvent(e)) return "once";
  return (e as ServiceEvent).kind === "service.started" ? "resolved" : "firing";
}

function severityOf(cfg: AlertmanagerChannelConfig, e: DomainEvent): string {
  if (isTaskEvent(e)) return e.kind === "task.warning" ? cfg.severity.warning : e.outcome === "aborted" ? cfg.severity.aborted : cfg.severity.failed;
  if (!isSiteEvent(e) && !isDataCheckEvent(e) && !isWatchdogEvent(e)) return cfg.severity.serviceStopped;
  return cfg.severity.site;
}

function labelsOf(cfg: AlertmanagerChannelConfig, e: DomainEvent, key: string): Record<string, string> {
  const l: Record<string, string> = {
    ...cfg.labels,
    alertname: alertName(e.kind),
    kind: e.kind,
    node: e.host,
    steward_incident: key,
    severity: severityOf(cfg, e),
  };
  const task = isTaskEvent(e) ? e.task : isWatchdogEvent(e) || isDataCheckEvent(e) ? e.task : undefined;
  const app = isTaskEvent(e) || isWatchdogEvent(e) || isDataCheckEvent(e) ? e.app : undefined;
  if (task?.name) l.task = task.name;
  if (app?.name) l.app = app.name;
  if (!isTaskEvent(e) && !isSiteEvent(e) && !isDataCheckEvent(e) && !isWatchdogEvent(e)) l.service = (e as ServiceEvent).service.name;
  if (e.cause) l.cause = String(e.cause.id);
  return l;
}

/** "recovered", or "resolved by anna" for an incident a person closed before its task succeeded. */
const recoveredWord = (e: TaskEvent) => (e.incident?.resolved ? `resolved by ${e.incident.resolved.by}` : "recovered");

function summaryOf(e: DomainEvent): string {
  if (e.cause) return e.cause.title;
  if (isTaskEvent(e))
    return `${e.task.name}: ${e.kind === "task.recovered" ? recoveredWord(e) : e.kind === "task.warning" ? "succeeded with warnings" : e.outcome}`;
  if (isSiteEvent(e) || isDataCheckEvent(e) || isWatchdogEvent(e)) return e.title;
  const s = e as ServiceEvent;
  const name = s.service.displayName ?? s.service.friendlyName ?? s.service.name;
  return `Windows service "${name}" on ${s.host} is ${s.state}`;
}

/** What happened and the failing lines of the script log, for whoever takes the alert. */
function descriptionOf(e: DomainEvent): string {
  const parts: string[] = [];
  if (e.cause?.status === "closed")
    parts.push(e.cause.resolvedBy ? `Ended: resolved by hand by ${e.cause.resolvedBy}.` : "Ended: nothing it affected is failing any more.");
  if (e.cause?.text) parts.push(e.cause.text);
  if (isTaskEvent(e)) {
    if (e.kind === "task.recovered") {
      const n = e.incident?.failures;
      parts.push(`${e.task.name} ${recoveredWord(e)}${n ? ` after ${n} failed ${n === 1 ? "run" : "runs"}` : ""}.`);
    }
    if (e.errorClass) parts.push(`Likely cause: ${e.errorClass}${e.errorHint ? `: ${e.errorHint}` : ""}`);
    if (e.warnings?.length) parts.push(`Warnings: ${e.warnings.map((w) => w.message).join("; ")}`);
    if (e.scriptLog && e.outcome !== "succeeded") {
      parts.push(excerptText(fitScriptLog(showScriptLog(e.scriptLog, { head: 0, tail: LOG_TAIL_LINES }), { maxChars: DESCRIPTION_MAX, maxLineChars: 500 })));
    }
  } else if (isSiteEvent(e) || isDataCheckEvent(e) || isWatchdogEvent(e)) {
    parts.push(e.summary, ...e.facts.map((f) => `${f.name}: ${f.value}`));
  } else {
    const s = e as ServiceEvent;
    parts.push(`State ${s.state}, was ${s.previousState}.`);
  }
  return parts.filter(Boolean).join("\n\n").slice(0, DESCRIPTION_MAX);
}

/** The cause's page on the dashboard, else the task's, else the incident list (with http.publicUrl set). */
function dashboardLink(e: DomainEvent, publicUrl: string | undefined): string | undefined {
  if (e.cause?.url) return e.cause.url;
  const base = publicUrl?.replace(/\/+$/, "");
  if (!base) return undefined;
  return isTaskEvent(e) ? `${base}/ui/tasks/${encodeURIComponent(e.task.id)}` : `${base}/ui/incidents`;
}

function keyOf(e: DomainEvent): string {
  if (e.cause) return `cause:${e.cause.id}`;
  if (isTaskEvent(e) && e.incident) return `incident:${e.incident.id}`;
  return incidentKey(e);
}

export function stewardAlert(cfg: AlertmanagerChannelConfig, e: DomainEvent, opts: { publicUrl?: string; now: number }): StewardAlert {
  const key = keyOf(e);
  const state = stateOf(e);
  const annotations: Record<string, string> = { summary: summaryOf(e), description: descriptionOf(e) };
  const link = dashboardLink(e, opts.publicUrl);
  if (link) annotations.dashboard = link;
  if (isTaskEvent(e) && e.links?.qmcTask) annotations.qmc = e.links.qmcTask;
  if (isTaskEvent(e) && e.executionId) annotations.execution_id = e.executionId;
  const startsAt = e.cause?.openedAt ?? (isTaskEvent(e) ? e.incident?.openedAt : undefined) ?? e.receivedAt ?? new Date(opts.now).toISOString();
  const alert: PostableAlert = { labels: labelsOf(cfg, e, key), annotations, startsAt, ...(link ? { generatorURL: link } : {}) };
  if (state === "resolved") alert.endsAt = new Date(opts.now).toISOString();
  const ref = e.cause ? { cause: e.cause.id } : isTaskEvent(e) && e.incident ? { incident: e.incident.id } : { event: e.id };
  return { key, state, alert, ref };
}
