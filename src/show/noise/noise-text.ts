// The noise report in words: the sections the weekly report carries, `steward noise` prints and the dashboard shows.
import type { ReportSection } from "../../platform/events/event-parts";
import { MIN_HISTORY_DAYS } from "./propose";
import type { NoiseReport } from "./types";

type Shown = Pick<NoiseReport, "days" | "pages" | "held" | "rows" | "routes" | "tasks" | "recoveredByRetry" | "budget" | "proposals"> &
  Partial<Pick<NoiseReport, "historyDays">>;

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export const percent = (x: number | null): string => (x === null ? "–" : `${Math.round(x * 100)} %`);

export function minutes(ms: number | null): string {
  if (ms === null) return "–";
  const m = Math.round(ms / 60_000);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "5 pages a week against a budget of 8; 20 % acted on (goal 30 %)" */
export function budgetLine(r: Shown): { text: string; tone: "ok" | "warn" } {
  const b = r.budget;
  const low = b.actedOn !== null && b.actedOn < b.actedOnGoal;
  return {
    text: `${b.pagesPerWeek} ${b.pagesPerWeek === 1 ? "page" : "pages"} a week against a budget of ${b.budget}${b.over ? " (over)" : ""}; ${percent(b.actedOn)} acted on (goal ${percent(b.actedOnGoal)})`,
    tone: b.over || low ? "warn" : "ok",
  };
}

/** What a source that is not a task is: its kinds (a node's cause, a check-in, an app's freshness …). */
export const sourceWhat = (t: { taskId?: string; kinds: readonly string[] }): string => (t.taskId ? "task" : `not a task: ${t.kinds.join(", ")}`);

/** Why nothing is proposed: too little history to tell what recurs, or no source noisy enough. */
export function noProposal(r: Shown): string {
  if (r.historyDays === undefined || r.historyDays >= MIN_HISTORY_DAYS) return "Nothing to change.";
  const hours = Math.round(r.historyDays * 24);
  const kept = hours < 1 ? "less than an hour" : r.historyDays < 1 ? count(hours, "hour") : `${r.historyDays} days`;
  return `Nothing proposed yet: proposals need ${MIN_HISTORY_DAYS} days of kept pages to tell what recurs, and Steward has kept ${kept}.`;
}

export function noiseSections(r: Shown): ReportSection[] {
  const days = r.days === 7 ? "the last 7 days" : `the last ${r.days} days`;
  return [
    {
      title: `Noise: ${count(r.pages, "page")} in ${days}, ${r.held} held`,
      lines: [
        budgetLine(r),
        ...(r.recoveredByRetry ? [{ text: `${count(r.recoveredByRetry, "run")} recovered by the Scheduler's retry, not paged`, tone: "info" as const }] : []),
        ...r.rows.map((x) => ({
          text: `${x.route} · ${x.kind}: ${x.pages} sent, ${x.held} held; acknowledged ${percent(x.acknowledged)} (median ${minutes(x.medianAckMs)}), recovered by itself ${percent(x.recoveredAlone)}`,
          tone: "info" as const,
        })),
      ],
    },
    {
      title: "Noisiest sources",
      lines: r.tasks.map((t) => ({
        text: `${t.name}${t.taskId ? "" : ` (${sourceWhat(t)})`}: ${count(t.pages, "page")} on ${count(t.days, "day")}, ${t.acknowledged} acknowledged, ${t.recoveredAlone} recovered by themselves${t.recoveredByRetry ? `, ${count(t.recoveredByRetry, "run")} recovered by retry` : ""} (${t.routes.join(", ")})`,
        tone: t.acknowledged === 0 && t.pages > 1 ? ("warn" as const) : ("info" as const),
      })),
      empty: "No page went out.",
    },
    {
      title: "Proposed changes (review with steward config propose ID)",
      lines: r.proposals.map((p) => ({ text: `${p.id}: ${p.title}. ${p.why} Path: ${p.path}.`, tone: "info" as const })),
      empty: noProposal(r),
    },
  ];
}
