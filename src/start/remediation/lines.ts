// The lines approved remediation adds to an incident's next message: what a person's action did and how it ended,
// and, on the page a rule's retries held until they were spent, what they tried with each attempt's failing line.
import type { TaskEvent } from "../../platform/events/types";
import type { ActionStore, RemediationAction } from "./action-store";
import type { CauseProbes } from "./cause-probes";

/** How many waiting tasks a page names before "and N more". */
const NAMED_WAITERS = 10;

const ENDS = ["task.succeeded", "task.failed", "task.aborted"] as const;

/** The page of a failure remediation's rule held until its retries were spent: what it tried, each with its failing line. */
export async function gaveUpLines(
  store: Pick<ActionStore, "ofIncident">,
  e: TaskEvent,
  at: (ms: number) => string,
  probes?: Pick<CauseProbes, "ofIncident" | "waiters">,
): Promise<string[]> {
  if (e.kind !== "task.failed" || !e.pageAfter?.from.startsWith("remediation.rules") || !e.incident) return [];
  const tried = (await store.ofIncident(e.incident.id)).filter((a) => a.requestedFrom === "rule" && a.status === "ended");
  if (tried.length === 0) return [];
  const rule = tried[0]!.requestedBy.replace(/^rule:/, "remediation rule ");
  if (tried[0]!.kind === "rerun")
    return [
      `Re-run once, cancelled again (${rule}): Steward re-ran it at ${at(tried[0]!.startedAt ?? tried[0]!.dueAt)} once the queue had drained, and Qlik cancelled it in the queue again. It is not re-run a second time: start it when the node has room.`,
    ];
  const times = tried.length === 1 ? "once" : tried.length === 2 ? "twice" : `${tried.length} times`;
  return [
    `Remediation tried ${times}, gave up (${rule}).`,
    ...tried.map((a, n) => `Retry ${n + 1} at ${at(a.startedAt ?? a.dueAt)}: ${a.outcome ?? "ended"}${a.outcomeLine ? `: ${a.outcomeLine}` : ""}`),
    ...(await waitersLine(probes, e.incident.id)),
  ];
}

/** The page of a cause's probe that gave up: the tasks of its cause that waited for it, not retried. */
async function waitersLine(probes: Pick<CauseProbes, "ofIncident" | "waiters"> | undefined, incidentId: number): Promise<string[]> {
  const probe = await probes?.ofIncident(incidentId);
  if (!probes || probe?.status !== "gave_up") return [];
  const waiters = await probes.waiters(probe.id);
  if (waiters.length === 0) return [];
  const named = waiters.slice(0, NAMED_WAITERS).map((w) => w.taskName);
  const more = waiters.length > NAMED_WAITERS ? ` and ${waiters.length - NAMED_WAITERS} more` : "";
  const n = waiters.length === 1 ? "1 other task" : `${waiters.length} other tasks`;
  return [`${n} failing on the same source waited for these retries and were not retried: ${named.join(", ")}${more}. Start them once the source is back.`];
}

const VERB = {
  retry: "Retried",
  rerun: "Re-run after the queue drained, asked",
  reload: "App reloaded through the Engine, asked",
  chain: "Chain started again, asked",
} as const;
const NOUN = { retry: "retry", rerun: "re-run", reload: "reload", chain: "chain's start" } as const;

/** "Retried by anna@corp.example (from the alert's link) at 2026-11-27 10:05 CET: Qlik started the task …; this run is that retry: it failed." */
export function lineOf(a: RemediationAction, e: TaskEvent, at: (ms: number) => string): string {
  const where = (f: string | null) => (f === "link" ? "the alert's link" : f === "rule" ? "a remediation rule" : "REST");
  const second = a.confirmedBy ? `, confirmed by ${a.confirmedBy} (from ${where(a.confirmedFrom)})` : "";
  const who = `${VERB[a.kind]} by ${a.requestedBy} (from ${where(a.requestedFrom)})${second}${a.kind === "chain" ? ` from ${a.taskName}` : ""}`;
  if (a.status === "failed") return `${who}: not started, ${a.outcome ?? "refused"}: ${a.qlikAnswer ?? ""}`.trim();
  if (a.status === "skipped") return `${who}: not started, not needed: ${a.qlikAnswer ?? ""}`.trim();
  const started = `${who} at ${at(a.startedAt ?? a.requestedAt)}: ${a.qlikAnswer ?? "started"}`;
  // The event of the run the retry started tells its end itself, whether the bus has closed the action yet or not.
  const thisRun = a.status === "started" && a.kind !== "reload" && e.task.id.toLowerCase() === a.taskId && ENDS.includes(e.kind as (typeof ENDS)[number]);
  const outcome =
    a.status === "ended"
      ? a.outcome
      : thisRun
        ? e.kind === "task.succeeded" || e.kind === "task.recovered"
          ? "succeeded"
          : e.kind === "task.failed"
            ? "failed"
            : "aborted"
        : undefined;
  const noun = NOUN[a.kind];
  // An Engine reload's end is its job's (qlikAnswer says what the Engine answered), not a run of the task.
  if (a.kind === "reload")
    return a.status === "ended" ? `${who} at ${at(a.startedAt ?? a.requestedAt)}: ${a.qlikAnswer ?? a.outcome}.` : `${started}; the reload has not ended yet.`;
  if (e.kind === "task.recovered" && a.status === "started") return `${started}; the ${noun} succeeded.`;
  return outcome ? `${started}; the ${noun} ${outcome}.` : `${started}; its run has not ended yet.`;
}
