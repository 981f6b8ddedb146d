// SIGNL4 channel: a failed or aborted task (or a stopped service) opens an incident keyed by the task id (or
// host and service), and a later success (or the service running again) resolves it. Which incidents are
// open is kept in the channel's durable state, so a success of a task that never failed sends nothing.
import type { DomainEvent, ServiceEvent, TaskEvent } from "../../../../platform/events/types";
import { isDataCheckEvent, isEngineReloadKind, isSiteEvent, isTaskEvent, isWatchdogEvent } from "../../../../platform/events/types";
import type { ChannelDefinition, Notification } from "../../types";
import type { ChannelState } from "../../channel-state";
import { isUnconfirmedSuccess, UNCONFIRMED_NOT_TOLD } from "../../on-call/alert";
import { excerptText, fitScriptLog, showScriptLog } from "../../../../hear/events/script-log-excerpt";
import { createHttpClient, expectOk, safeUrl } from "../../../../platform/http/http-client";
import { Signl4ChannelSchema, type Signl4ChannelConfig } from "./schema";
import { runWords } from "../../reload-vars";

type Signl4Status = "new" | "resolved";

/** Last lines of the script log shown in the incident, besides the failure lines. */
const LOG_LINES = 5;

export interface Signl4Alert {
  externalId: string;
  status: Signl4Status;
  body: Record<string, string | number>;
}

const TYPE_TEXT: Record<TaskEvent["taskType"], string> = {
  reload: "reload",
  externalProgram: "external program",
  userSync: "user sync",
  distribute: "distribute",
  preload: "preload",
};

/**
 * A task's incident is the task id alone, Butler's X-S4-ExternalID, so an incident Butler opened is the one Steward
 * resolves after the switch. A task.warning has an incident of its own (it must not resolve, or be resolved with,
 * the task's failure incident).
 */
export function incidentKey(e: DomainEvent): string {
  if (isTaskEvent(e) && e.kind === "task.warning") return `task-warning:${e.task.id}`;
  // A reload outside the Scheduler: one incident per app, opened by its failure and resolved by its next success.
  if (isTaskEvent(e) && isEngineReloadKind(e.kind)) return `engine-reload:${e.task.id}`;
  if (isTaskEvent(e)) return e.task.id;
  if (isSiteEvent(e)) return `site:${e.kind}`;
  if (isDataCheckEvent(e)) return `check:${e.app.id}:${e.check?.name ?? "*"}`;
  if (isWatchdogEvent(e)) return `watch:${e.condition.key}`;
  const s = e as ServiceEvent;
  return `service:${s.host.toLowerCase()}:${s.service.name.toLowerCase()}`;
}

/**
 * The external id of the open incident a resolve closes: the event's own, or for a task the id Steward used before
 * it took Butler's (task:<id>), so an incident opened before that change is still resolved.
 */
async function openIncident(state: ChannelState, externalId: string, e: DomainEvent): Promise<string | undefined> {
  if ((await state.get(externalId)) !== undefined) return externalId;
  const before = isTaskEvent(e) && e.kind !== "task.warning" ? `task:${e.task.id}` : undefined;
  return before !== undefined && (await state.get(before)) !== undefined ? before : undefined;
}

/** Where the channel remembers which SIGNL4 alert a cause opened (its first page's own external id). */
const causeKey = (id: number) => `cause:${id}`;

/**
 * What SIGNL4 receives for one event. An alert of a cause (src/tell/grouping) is the cause's one SIGNL4 alert: opened by
 * the cause's first page under that event's own external id (Butler's, so nothing changes for a cause of one), and
 * resolved by its recovered page, whichever task's recovery that is, listing what it affects.
 */
export function signl4Alert(cfg: Signl4ChannelConfig, e: DomainEvent): Signl4Alert {
  const a = eventAlert(cfg, e);
  const c = e.cause;
  if (!c) return a;
  const externalId = a.externalId;
  const status: Signl4Status = c.status === "closed" ? "resolved" : "new";
  const body: Record<string, string | number> = { ...a.body, "X-S4-Status": status, Cause: c.title };
  if (c.text) body.Affected = c.text;
  if (c.tasks.length > 0) body["Affected tasks"] = c.tasks.join(", ").slice(0, 4_000);
  if (c.apps.length > 0) body["Affected apps"] = c.apps.join(", ").slice(0, 4_000);
  if (c.streams.length > 0) body["Affected streams"] = c.streams.join(", ").slice(0, 4_000);
  if (c.url) body["Cause link"] = c.url;
  return { externalId, status, body };
}

/** A reload outside the Scheduler is an app a person or an integration reloaded, not a task run: its own words. */
function outsideScheduler(e: TaskEvent): Record<string, string> {
  const w = runWords(e, TYPE_TEXT[e.taskType]);
  return { Title: `Qlik Sense reload outside the Scheduler ${w.statusText}`, Message: `App: ${w.subjectName}. ${w.reloadedByText}`, "App id": e.task.id };
}

/** Butler's fields (Title, Message, Severity, X-S4-*) plus context fields. */
function eventAlert(cfg: Signl4ChannelConfig, e: DomainEvent): Signl4Alert {
  const externalId = incidentKey(e);
  if (isTaskEvent(e)) {
    // A warning is news about a run that succeeded; it neither opens nor resolves the task's incident.
    const status: Signl4Status = e.outcome === "succeeded" && e.kind !== "task.warning" ? "resolved" : "new";
    const verb =
      e.kind === "task.recovered" ? "recovered" : e.kind === "task.warning" ? "succeeded with warnings" : e.outcome === "succeeded" ? "succeeded" : e.outcome;
    const body: Record<string, string | number> = {
      Title: `Qlik Sense ${TYPE_TEXT[e.taskType]} task ${verb}`,
      Message: `Task: ${e.task.name}`,
      "X-S4-Service": cfg.serviceName,
      "X-S4-ExternalID": externalId,
      "X-S4-Status": status,
      "X-S4-SourceSystem": "Steward",
      "Task id": e.task.id,
      Host: e.host,
      "Execution id": e.executionId,
      ...(isEngineReloadKind(e.kind) ? outsideScheduler(e) : {}),
    };
    if (isEngineReloadKind(e.kind)) for (const k of ["Task id", "Execution id"]) delete body[k];
    if (status === "new")
      body.Severity = e.kind === "task.warning" ? cfg.severity.warning : e.outcome === "aborted" ? cfg.severity.aborted : cfg.severity.failed;
    if (e.app) body.App = e.app.name;
    // The story so far and the likely cause, for whoever takes the incident.
    if (e.history && e.outcome !== "succeeded") body["Failures in a row"] = e.history.consecutiveFailures;
    if (e.history?.lastSuccessAt) body["Last success"] = e.history.lastSuccessAt;
    if (e.errorClass) body["Likely cause"] = `${e.errorClass}: ${e.errorHint ?? ""}`.trim();
    if (e.kind === "task.recovered" && e.incident)
      body.Message = `Task: ${e.task.name} recovered after ${e.incident.failures} failed ${e.incident.failures === 1 ? "run" : "runs"}`;
    if (e.warnings?.length) body.Warnings = e.warnings.map((w) => w.message).join("; ");
    // The lines that state the failure (wherever they are) and the end of the log, gaps marked.
    if (status === "new" && e.scriptLog) {
      body["Script log"] = excerptText(fitScriptLog(showScriptLog(e.scriptLog, { head: 0, tail: LOG_LINES }), { maxChars: 4000, maxLineChars: 500 }));
    }
    if (e.links?.qmcTask) body.Link = e.links.qmcTask;
    return { externalId, status, body };
  }
  if (isDataCheckEvent(e)) {
    // A failure or an error opens the check's incident; the check passing again resolves it.
    const status: Signl4Status = e.kind === "data.check_passed" ? "resolved" : "new";
    // The facts first: SIGNL4's own fields (Severity among them) must not be overwritten by a fact's name.
    const body: Record<string, string | number> = {
      ...Object.fromEntries(e.facts.map((f) => [f.name === "Severity" ? "Check severity" : f.name, f.value])),
      Title: e.title,
      Message: e.summary,
      "X-S4-Service": cfg.serviceName,
      "X-S4-ExternalID": externalId,
      "X-S4-Status": status,
      "X-S4-SourceSystem": "Steward",
      Host: e.host,
    };
    if (status === "new") body.Severity = e.check?.severity === "block" || e.holdsBack ? cfg.severity.failed : cfg.severity.site;
    return { externalId, status, body };
  }
  if (isWatchdogEvent(e)) {
    // A condition opens an incident keyed by the condition; its task.on_track follow-up resolves that one.
    const status: Signl4Status = e.kind === "task.on_track" ? "resolved" : "new";
    const body: Record<string, string | number> = {
      ...Object.fromEntries(e.facts.map((f) => [f.name, f.value])),
      Title: e.title,
      Message: e.summary,
      "X-S4-Service": cfg.serviceName,
      "X-S4-ExternalID": externalId,
      "X-S4-Status": status,
      "X-S4-SourceSystem": "Steward",
      Host: e.host,
    };
    if (status === "new") body.Severity = cfg.severity.site;
    return { externalId, status, body };
  }
  if (isSiteEvent(e)) {
    const body: Record<string, string | number> = {
      Title: e.title,
      Message: e.summary,
      Severity: cfg.severity.site,
      "X-S4-Service": cfg.serviceName,
      "X-S4-ExternalID": externalId,
      "X-S4-Status": "new",
      "X-S4-SourceSystem": "Steward",
      Host: e.host,
    };
    for (const f of e.facts) body[f.name] = f.value;
    return { externalId, status: "new", body };
  }
  const s = e as ServiceEvent;
  const status: Signl4Status = s.kind === "service.started" ? "resolved" : "new";
  const name = s.service.displayName ?? s.service.friendlyName ?? s.service.name;
  const body: Record<string, string | number> = {
    Title: status === "new" ? `Service stopped: ${name}` : `Service running again: ${name}`,
    Message: `Windows service "${name}" on host "${s.host}" is ${s.state}.`,
    "X-S4-Service": cfg.serviceName,
    "X-S4-ExternalID": externalId,
    "X-S4-Status": status,
    "X-S4-SourceSystem": "Steward",
    Host: s.host,
    Service: s.service.name,
  };
  if (status === "new") body.Severity = cfg.severity.serviceStopped;
  return { externalId, status, body };
}

export const signl4Channel: ChannelDefinition<"signl4"> = {
  type: "signl4",
  schema: Signl4ChannelSchema,
  addressable: false,
  supportsDigest: false,
  keepsAlerts: true,
  templateParts: [],
  preview: (cfg, n) => {
    const a = signl4Alert(cfg, n.event);
    return { url: safeUrl(n.test?.target ?? cfg.url), body: a.body };
  },
  create(cfg, deps) {
    const client = createHttpClient({ baseDir: deps.baseDir });
    const post = async (n: Notification, a: Signl4Alert, signal: AbortSignal) => {
      const res = await client.request(n.test?.target ?? cfg.url, {
        method: "POST",
        headers: { "Content-Type": "application/json; charset=utf-8", "X-Steward-Delivery": n.key },
        body: JSON.stringify(a.body),
        signal,
      });
      expectOk(res, "SIGNL4 webhook");
    };
    return {
      async send(n, signal) {
        if (isUnconfirmedSuccess(n.event) && n.test === undefined) return { nothingSent: UNCONFIRMED_NOT_TOLD };
        const opening = signl4Alert(cfg, n.event);
        // The convergence sweep's resolve (on-call/converge-signl4.ts): the incident the event opened has ended.
        const a: Signl4Alert = n.action === "resolve" ? { ...opening, status: "resolved", body: { ...opening.body, "X-S4-Status": "resolved" } } : opening;
        const cause = n.event.cause;
        // A cause's update goes under the external id of the alert its first page opened: one SIGNL4 alert per cause,
        // which its recovered page resolves.
        const opened = cause?.update ? await deps.state.get(causeKey(cause.id)) : undefined;
        if (a.status === "new" && opened !== undefined) return post(n, { ...a, externalId: opened, body: { ...a.body, "X-S4-ExternalID": opened } }, signal);
        if (a.status === "new") {
          await post(n, a, signal);
          await deps.state.set(a.externalId, n.event.id);
          if (cause) await deps.state.set(causeKey(cause.id), a.externalId);
          return;
        }
        // Only incidents this channel opened are resolved; the mark is removed after SIGNL4 accepted the
        // resolve, so a failed attempt is retried by the outbox like any other delivery. A cause's recovery
        // resolves the alert its first page opened.
        const byCause = cause && cfg.resolve ? await deps.state.get(causeKey(cause.id)) : undefined;
        const open = byCause ?? (cfg.resolve ? await openIncident(deps.state, a.externalId, n.event) : undefined);
        // Nothing open there (never opened, or resolved already): nothing is sent, and the delivery says so.
        if (open === undefined) return { nothingSent: `no SIGNL4 incident ${a.externalId} is open that this channel opened: nothing to resolve` };
        await post(n, open === a.externalId ? a : { ...a, externalId: open, body: { ...a.body, "X-S4-ExternalID": open } }, signal);
        await deps.state.take(open);
        if (cause) await deps.state.take(causeKey(cause.id));
      },
      async close() {
        client.close();
      },
    };
  },
};
