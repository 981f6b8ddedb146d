// The morning report's "Being done" (issue 101): what Steward is doing for each open incident (a retry due and when, a
// rule holding its page and the retries it has left, a re-run waiting for the queue or an engine, a run going) and what
// came of each action that ended in the report's span, who asked for it and how it went. A failed action says so.
import type { ReportSection } from "../../platform/events/types";
import type { RemediationNight, ReportAction } from "../../start/remediation/report-reads";

const WHAT: Record<ReportAction["kind"], string> = {
  retry: "retry",
  rerun: "re-run of the cancelled run",
  reload: "reload of the app",
  chain: "restart of the chain",
  start: "start held for a second person",
};

/** "retry 2 by rule lock-retry", "retry asked by anna@corp.example (link)". */
function asked(a: ReportAction): string {
  const what = a.attempt !== undefined ? `${WHAT[a.kind]} ${a.attempt}` : WHAT[a.kind];
  const confirmed = a.confirmedBy ? `, confirmed by ${a.confirmedBy}` : "";
  return a.byRule ? `${what} by rule ${a.by}` : `${what} asked by ${a.by} (${a.from})${confirmed}`;
}

/** What a rule has left after this attempt: the page waits for them, then comes if none heals it. */
function left(a: ReportAction): string {
  if (!a.byRule || a.attempt === undefined || a.attempts === undefined) return "";
  const rest = a.attempts - a.attempt;
  return rest > 0 ? `; ${rest} more after it if it fails` : "; the last: paged if it fails";
}

function doingText(a: ReportAction, at: (ms: number) => string): string {
  const head = `Incident #${a.incidentId}, ${a.taskName}: ${asked(a)}`;
  const holds = a.byRule ? " (the rule holds its page)" : "";
  if (a.status === "awaiting") return `${head}, waiting for a second person to confirm it`;
  if (a.status === "claimed") return `${head}: starting now${holds}`;
  if (a.status === "started") return `${head}: running since ${at(a.startedAt ?? a.dueAt)}${holds}${left(a)}`;
  const on = a.node ? ` on ${a.node}` : "";
  if (a.waitingSince !== null) return `${head}: waiting for a free engine${on} since ${at(a.waitingSince)}${holds}`;
  if (a.kind === "rerun" && a.waitsForEarlier) return `${head}: waiting for the re-run before it (chain order)${holds}`;
  if (a.kind === "rerun" || a.kind === "chain") return `${head}: waiting for the queue to drain and a free engine${on}${holds}`;
  return `${head}: due ${at(a.dueAt)}${holds}${left(a)}`;
}

function outcomeText(a: ReportAction): { text: string; tone: "ok" | "fail" | "info" } {
  const line = a.outcomeLine ? ` (${a.outcomeLine})` : "";
  if (a.status === "ended" && a.outcome === "succeeded") return { text: "succeeded", tone: "ok" };
  if (a.status === "ended") return { text: `${a.outcome ?? "failed"}${line}`, tone: "fail" };
  if (a.status === "failed") return { text: `not started: ${a.outcome ?? "Qlik refused it"}`, tone: "fail" };
  if (a.status === "skipped") return { text: "not needed: the task ran since it was asked for", tone: "info" };
  return { text: `cancelled${a.outcome ? `: ${a.outcome}` : ""}`, tone: "info" };
}

export function beingDoneSection(n: RemediationNight, at: (ms: number) => string): ReportSection {
  const lines: ReportSection["lines"] = [
    ...n.doing.map((a) => ({ text: doingText(a, at), tone: "warn" as const })),
    ...n.waiting.map((w) => ({
      text: `Incident #${w.incidentId}, ${w.taskName}: held by rule ${w.rule}, waiting for the retry of ${w.probeTask} (same cause); retried once it succeeds`,
      tone: "warn" as const,
    })),
    ...n.done.map((a) => {
      const o = outcomeText(a);
      return { text: `${at(a.endedAt ?? a.requestedAt)} Incident #${a.incidentId}, ${a.taskName}: ${asked(a)}: ${o.text}`, tone: o.tone };
    }),
  ];
  return { title: "Being done", lines, empty: "Steward is doing nothing for any incident, and no action it took or was asked for ended in this span." };
}
