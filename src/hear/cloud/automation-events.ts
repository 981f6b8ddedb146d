// The events a tenant's Qlik Automate automations raise: a run that failed (or was stopped, or hit the run limit), a
// run that finished with warnings, an automation disabled, and enabled again. Site events: title, summary, facts and
// the same facts for machines, with the automation's name, owner and the links to open it.
import type { SiteEvent } from "../../platform/events/types";
import { siteEvent } from "../../platform/events/site-event";

/** What Steward reads of an automation (the fields of `GET /api/workflows/automations`, or the deprecated `/api/v1/automations`). */
export interface AutomationInfo {
  id: string;
  name: string;
  state?: string | null;
  runMode?: string | null;
  ownerId?: string | null;
  spaceId?: string | null;
  updatedAt?: string | null;
  lastRunAt?: string | null;
  lastRunStatus?: string | null;
}

/** What Steward reads of a run (`GET …/automations/{id}/runs`), its error made text. */
export interface AutomationRunInfo {
  id: string;
  status: string;
  title?: string | null;
  context?: string | null;
  startTime?: string | null;
  stopTime?: string | null;
  /** When it was due (a run that failed before it started has no startTime). */
  scheduledStartTime?: string | null;
  executedById?: string | null;
  /** The step (block) the run stopped at, when its error names one. */
  step?: string;
  error?: string;
}

/** A run that ended, for what waits on the automation (a freshness promise): a finish, with or without warnings, is data. */
export interface AutomationRunEnded {
  tenant: string;
  automationId: string;
  automation: string;
  runId: string;
  status: string;
  ok: boolean;
  endedMs: number;
}

/** Where the automations' news goes besides the events (the freshness promises, wired by the composition root). */
export interface AutomationFeed {
  /** Once per automation and process: it exists (a promise on it is judged before its first run). */
  seen(a: { tenant: string; automationId: string; automation: string }): Promise<void>;
  /** Each ended run, once (claimed in the store first). */
  runEnded(r: AutomationRunEnded): Promise<void>;
}

export interface AutomationEventContext {
  tenant: { name: string; url: string };
  automation: AutomationInfo;
  owner?: { name?: string | null; email?: string | null };
  nowMs: number;
  /** The Automations API's base path the tenant answers on (default Qlik's successor, /api/workflows/automations). */
  automationsPath?: string;
}

/** The run statuses that end a run badly (the run-ended event's `status` words), and how a title says them. */
export const FAILED_STATUSES: Record<string, string> = {
  failed: "failed",
  stopped: "was stopped",
  "exceeded limit": "exceeded the run limit",
  "not started": "did not start",
};
export const WARNING_STATUS = "finished with warnings";

/**
 * Every run status Qlik documents (the Automations API's RunListObject and the run-ended event list the same ten),
 * and what Steward makes of it: `pending` is not over yet (read again at the next poll), `ok` ended well, `warning`
 * ended with warnings (data, but paged), `failed` ended without its work done (paged). `not started` is `failed`
 * when the run has a start or stop time (it was due and never ran a block) and `pending` without (not begun yet).
 * `paused` is only an automation's lastRunStatus; a run in it is pending.
 */
export const RUN_STATUS: Record<string, "pending" | "ok" | "warning" | "failed" | "not-started"> = {
  queued: "pending",
  starting: "pending",
  running: "pending",
  "must stop": "pending",
  paused: "pending",
  "not started": "not-started",
  finished: "ok",
  [WARNING_STATUS]: "warning",
  failed: "failed",
  stopped: "failed",
  "exceeded limit": "failed",
};

const base = (c: AutomationEventContext) => {
  const url = c.tenant.url.replace(/\/+$/, "");
  return {
    tenant: c.tenant.name,
    url: c.tenant.url,
    automationId: c.automation.id,
    runMode: c.automation.runMode ?? null,
    owner: c.owner?.name ?? c.automation.ownerId ?? null,
    ownerEmail: c.owner?.email ?? null,
    // A silence or filter on `source: cloud` takes it (src/tell/silences/matcher.ts reads data.source of a site event).
    source: "cloud",
    // The automation in the tenant's hub (its editor, where the run history is).
    link: `${url}/automations/${encodeURIComponent(c.automation.id)}/editor`,
  };
};

/** When the run started, or, for one with no start time (it failed before it started), when it was due. */
function runStarted(run: AutomationRunInfo): string {
  if (run.startTime) return `started ${run.startTime}`;
  return run.scheduledStartTime ? `due ${run.scheduledStartTime} (it has no start time)` : "(with no start time)";
}

/** A run that failed (or was stopped, exceeded the limit or did not start), or finished with warnings. */
export function automationRunEvent(c: AutomationEventContext, run: AutomationRunInfo): SiteEvent {
  const warned = run.status === WARNING_STATUS;
  const kind = warned ? "cloud.automation.warning" : "cloud.automation.failed";
  const name = c.automation.name;
  const what = warned ? "finished with warnings" : (FAILED_STATUSES[run.status] ?? run.status);
  const where = run.step ? ` at step "${run.step}"` : "";
  const cause = run.error ? `: ${run.error}` : "";
  const effect = warned
    ? "Its later steps ran; what the warnings skipped is missing downstream."
    : run.status === "not started"
      ? "None of its blocks ran: reloads or exports this automation starts did not happen."
      : "The steps after it did not run: reloads or exports this automation starts did not happen.";
  return siteEvent(
    kind,
    `${c.tenant.name}:${run.id}`,
    new URL(c.tenant.url).host,
    c.nowMs,
    {
      title: `Qlik Automate: ${name} ${what}${run.step ? ` at ${run.step}` : ""}`,
      summary: `The run of automation "${name}" ${runStarted(run)} ${what}${where}${cause}. ${effect} Open the automation's run history in the tenant to see each block's output.`,
    },
    {
      // What a plain alert shows first (its first facts): the automation, the step and what went wrong.
      automation: name,
      step: run.step ?? null,
      error: run.error ?? null,
      status: run.status,
      ...base(c),
      runId: run.id,
      context: run.context ?? null,
      startTime: run.startTime ?? null,
      stopTime: run.stopTime ?? null,
      runUrl: `${c.tenant.url.replace(/\/+$/, "")}${c.automationsPath ?? "/api/workflows/automations"}/${encodeURIComponent(c.automation.id)}/runs/${encodeURIComponent(run.id)}`,
    },
  );
}

/** The automation was disabled (`opened`), or enabled again after Steward said it was disabled. */
export function automationStateEvent(c: AutomationEventContext, disabled: boolean, disabledAt: string | undefined): SiteEvent {
  const name = c.automation.name;
  const at = c.automation.updatedAt ?? new Date(c.nowMs).toISOString();
  return siteEvent(
    disabled ? "cloud.automation.disabled" : "cloud.automation.enabled",
    `${c.tenant.name}:${c.automation.id}:${at}`,
    new URL(c.tenant.url).host,
    c.nowMs,
    disabled
      ? {
          title: `Qlik Automate: ${name} is disabled`,
          summary: `Automation "${name}" was disabled at ${at}: none of its runs start (scheduled, triggered or by webhook) until someone enables it again, so what it feeds is not refreshed. The tenant's Events page in the Management Console says who disabled it.`,
        }
      : {
          title: `Qlik Automate: ${name} is enabled again`,
          summary: `Automation "${name}" was enabled again at ${at}${disabledAt ? ` (disabled since ${disabledAt})` : ""}; its runs start again.`,
        },
    {
      automation: name,
      state: c.automation.state ?? null,
      changedAt: at,
      ...(disabledAt && !disabled ? { disabledSince: disabledAt } : {}),
      ...base(c),
    },
  );
}

/** A run that finished after a failed one: the failure is over (`failedRunId` names the run that failed). */
export function automationRecoveredEvent(c: AutomationEventContext, run: AutomationRunInfo, failedRunId: string): SiteEvent {
  const name = c.automation.name;
  return siteEvent(
    "cloud.automation.recovered",
    `${c.tenant.name}:${run.id}`,
    new URL(c.tenant.url).host,
    c.nowMs,
    {
      title: `Qlik Automate: ${name} runs again`,
      summary: `The run of automation "${name}" started ${run.startTime ?? "(time unknown)"} ${run.status}, after the failed run ${failedRunId}: what it feeds is renewed again.`,
    },
    { automation: name, status: run.status, failedRunId, runId: run.id, startTime: run.startTime ?? null, stopTime: run.stopTime ?? null, ...base(c) },
  );
}
