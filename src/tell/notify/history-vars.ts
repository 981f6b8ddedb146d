// Template variables from what src/tell/incidents/ added to a task event: the run's history, its likely cause, its
// incident and warnings, each as plain values and as one short line a default template shows as it is.
import type { ErrorClass, TaskEvent } from "../../platform/events/types";
import { durationText, localTimes, spanText } from "./time-format";
import type { TemplateVars } from "./template-vars-types";

/** The class in a few words, for "Likely cause (…)". */
export const ERROR_CLASS_TEXT: Record<ErrorClass, string> = {
  connection: "data connection",
  file: "missing file",
  lock: "file locked",
  script: "script error",
  memory: "out of memory",
  timeout: "time limit",
  access: "permission denied",
  executor: "could not start",
  queue: "cancelled after waiting in the queue",
  unknown: "not recognised",
};

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : n % 10 === 1 ? "st" : n % 10 === 2 ? "nd" : n % 10 === 3 ? "rd" : "th";
  return `${n}${suffix}`;
}

/**
 * A retried run in one line: "Failed 3 times, gave up. Attempt 1 at 02:00:05: <line> · Attempt 2 …" for a run whose
 * every attempt failed, "Recovered by retry: attempt 1 at 02:00:05 failed (<line>), attempt 2 succeeded" for one a
 * retry got past; "" for a run of one attempt.
 */
export function attemptsText(e: TaskEvent, timeZone?: string): string {
  const a = e.attempts;
  const when = (iso: string | undefined) => (iso ? ` at ${localTimes(iso, timeZone).zoned}` : "");
  const line = (x: NonNullable<typeof a>[number]) => (x.errorLine ? `: ${x.errorLine}` : "");
  if (e.outcomeUnknown) {
    const failed = (a ?? []).filter((x) => x.status !== "FinishedSuccess");
    const list = failed.length > 0 ? ` ${failed.map((x) => `Attempt ${x.attempt}${when(x.endedAt)}${line(x)}`).join(" · ")}` : "";
    return `Failed, outcome unknown: ${outcomeUnknownText(e.outcomeUnknown, timeZone)}${list ? `.${list}` : ""}`;
  }
  if (!a || a.length < 2) return "";
  if (e.outcome === "succeeded") {
    const failed = a.slice(0, -1).map((x) => `attempt ${x.attempt}${when(x.endedAt)} failed${x.errorLine ? ` (${x.errorLine})` : ""}`);
    return `Recovered by retry: ${failed.join(", ")}, attempt ${a[a.length - 1]!.attempt} succeeded`;
  }
  return `${e.outcome === "aborted" ? "Ended" : "Failed"} ${a.length} times, gave up. ${a.map((x) => `Attempt ${x.attempt}${when(x.endedAt)}${line(x)}`).join(" · ")}`;
}

/** "the Scheduler reported no final result within 2 h of the failed attempt held at 02:00 CET" (intake.retryOutcome). */
export function outcomeUnknownText(u: { heldAt: string; withinMs: number }, timeZone?: string): string {
  return `the Scheduler reported no final result within ${spanText(u.withinMs)} of the failed attempt heard at ${localTimes(u.heldAt, timeZone).zoned}`;
}

/** "3rd failure in a row · last success 2026-11-21 02:00 CET · usually 4 min 10 s, this run 12 s · started by a trigger or task chain" */
export function historyLine(e: TaskEvent, timeZone?: string): string {
  const h = e.history;
  if (!h) return "";
  const when = (iso: string | undefined) => localTimes(iso, timeZone).zoned;
  const parts: string[] = [];
  const failed = e.outcome !== "succeeded";
  if (failed) {
    parts.push(h.consecutiveFailures <= 1 ? "First failure" : `${ordinal(h.consecutiveFailures)} failure in a row`);
    if (h.consecutiveFailures > 1 && h.failingSince) parts.push(`failing since ${when(h.failingSince)}`);
  }
  parts.push(h.lastSuccessAt ? `last success ${when(h.lastSuccessAt)}` : "no earlier success on record");
  if (h.usualDurationMs !== undefined)
    parts.push(`usually ${durationText(h.usualDurationMs)}${h.durationMs !== undefined ? `, this run ${durationText(h.durationMs)}` : ""}`);
  parts.push(`started by ${h.startedBy.text}`);
  const line = parts.join(" · ");
  const retried = attemptsText(e, timeZone);
  const late = heardAfterSuccessText(e, timeZone);
  return `${late ? `${late}. ` : ""}${retried ? `${retried}. ` : ""}${line.charAt(0).toUpperCase()}${line.slice(1)}`;
}

/**
 * A failure heard of after the task's next success (a lost datagram, found by reconciliation): "Failed at 02:10 CET,
 * ran again successfully at 02:12 CET before Steward heard of the failure: a notice, no incident, nobody paged"; when the
 * failure had been recorded in an incident that success ended before the page could be queued, the text names it.
 */
export function heardAfterSuccessText(e: TaskEvent, timeZone?: string): string {
  if (!e.heardAfterSuccess) return "";
  const stop = e.execution?.stopTime;
  const failed = stop ? `Failed at ${localTimes(stop, timeZone).zoned}` : "Failed";
  const { incidentId } = e.heardAfterSuccess;
  if (incidentId !== undefined)
    return `${failed}; incident ${incidentId} ended when it ran again successfully at ${localTimes(e.heardAfterSuccess.succeededAt, timeZone).zoned}, before its page could go out: a notice, nobody paged`;
  return `${failed}, ran again successfully at ${localTimes(e.heardAfterSuccess.succeededAt, timeZone).zoned} before Steward heard of the failure: a notice, no incident, nobody paged`;
}

/** "Likely cause (missing file): A file or folder the script reads is missing, …" */
export function causeLine(e: TaskEvent): string {
  if (!e.errorClass) return "";
  return `Likely cause (${ERROR_CLASS_TEXT[e.errorClass]}): ${e.errorHint ?? ""}`.trim();
}

/**
 * "Recovered after 5 failed runs over 1 h 15 min" for task.recovered; for an incident a person closed, "Resolved by hand
 * by anna (dashboard) after 5 failed runs over 1 h 15 min: gateway restarted" (the task did not succeed).
 */
function recoveredText(e: TaskEvent): string {
  const i = e.incident;
  if (e.kind !== "task.recovered" || !i || i.status !== "closed") return "";
  const span = `after ${i.failures} failed ${i.failures === 1 ? "run" : "runs"} over ${spanText(i.durationMs ?? 0)}`;
  const r = i.resolved;
  if (r) return `Resolved by hand by ${r.by} (${RESOLVED_VIA[r.via]}) ${span}; the task has not succeeded since${r.note ? `. Note: ${r.note}` : ""}`;
  return `Recovered ${span}`;
}

const RESOLVED_VIA = { api: "API", dashboard: "dashboard", pagerduty: "PagerDuty", opsgenie: "Opsgenie", mcp: "assistant", steward: "Steward" } as const;

export function buildHistoryVars(e: TaskEvent, timeZone?: string): TemplateVars {
  const h = e.history;
  const t = (iso: string | undefined) => (iso ? localTimes(iso, timeZone).zoned : "");
  return {
    consecutiveFailures: h ? h.consecutiveFailures : "",
    lastSuccessAt: h?.lastSuccessAt ?? "",
    lastSuccessAtText: t(h?.lastSuccessAt),
    failingSince: h?.failingSince ?? "",
    failingSinceText: t(h?.failingSince),
    usualDurationMs: h?.usualDurationMs ?? "",
    usualDurationText: durationText(h?.usualDurationMs),
    durationMs: h?.durationMs ?? e.execution?.durationMs ?? "",
    startedBy: h?.startedBy ?? null,
    startedByText: h?.startedBy.text ?? "",
    historyLine: historyLine(e, timeZone),
    attempts: e.attempts ?? [],
    attemptsText: attemptsText(e, timeZone),
    heardAfterSuccessText: heardAfterSuccessText(e, timeZone),
    errorClass: e.errorClass ?? "",
    errorClassText: e.errorClass ? ERROR_CLASS_TEXT[e.errorClass] : "",
    errorHint: e.errorHint ?? "",
    /** What a failed run's headline says: "failed", or for a run Qlik cancelled in the queue "cancelled after waiting in the queue". */
    failedText: e.errorClass === "queue" ? "cancelled after waiting in the queue" : "failed",
    errorLine: e.errorLine ?? "",
    causeLine: causeLine(e),
    incident: e.incident ?? null,
    incidentId: e.incident?.id ?? "",
    recoveredText: recoveredText(e),
    resolvedBy: e.kind === "task.recovered" ? (e.incident?.resolved?.by ?? "") : "",
    warnings: e.warnings ?? [],
    warningText: (e.warnings ?? []).map((w) => w.message).join("; "),
  };
}
