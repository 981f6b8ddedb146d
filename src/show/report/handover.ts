// The morning report's handover (issue 88): what the night leaves to the day, as the person taking over needs it. Each
// open cause and each open task incident no open cause holds, with who holds it (acknowledged it) or that nobody
// does; then the snoozes that end in the next 24 hours, when their alerts come back. The dashboard's Incidents and
// Causes pages hold the same rows.
import type { ReportSection } from "../../platform/events/types";

export interface HandoverItem {
  /** "Cause #3: reload queue backed up on reload01", "Incident #7: Reload task failed: Sales load". */
  label: string;
  openedAt: number;
  heldBy: string | null;
  heldSince: number | null;
  /** A cause: the open task incidents it holds (acknowledged with it). */
  incidents?: number;
}

export interface HandoverSnooze {
  id: number;
  author: string;
  reason: string;
  endsAt: number;
}

export interface Handover {
  open: HandoverItem[];
  snoozesEnding: HandoverSnooze[];
}

/** Open rows named at most: a night of hundreds is an outage its causes tell better. */
export const HANDOVER_LINES = 40;
export const SNOOZE_AHEAD_MS = 86_400_000;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function handoverSection(h: Handover, at: (ms: number) => string): ReportSection {
  // Nobody holds it first (what the day must pick up), then the oldest first.
  const open = [...h.open].sort((a, b) => Number(a.heldBy !== null) - Number(b.heldBy !== null) || a.openedAt - b.openedAt);
  const unheld = open.filter((x) => x.heldBy === null).length;
  const lines: ReportSection["lines"] = [];
  if (open.length + h.snoozesEnding.length > 0)
    lines.push({
      text: `${plural(open.length, "open incident")} (${unheld} that nobody holds); ${plural(h.snoozesEnding.length, "snooze")} ending in the next 24 hours`,
      tone: unheld > 0 ? "fail" : "info",
    });
  for (const x of open.slice(0, HANDOVER_LINES)) {
    const held = x.incidents ? `, holds ${plural(x.incidents, "task incident")}` : "";
    const who = x.heldBy === null ? "nobody holds it" : `held by ${x.heldBy}${x.heldSince !== null ? ` since ${at(x.heldSince)}` : ""}`;
    lines.push({ text: `${x.label} (open since ${at(x.openedAt)}${held}): ${who}`, tone: x.heldBy === null ? "fail" : "warn" });
  }
  if (open.length > HANDOVER_LINES) lines.push({ text: `… and ${open.length - HANDOVER_LINES} more: see /ui/incidents`, tone: "info" });
  for (const s of [...h.snoozesEnding].sort((a, b) => a.endsAt - b.endsAt))
    lines.push({ text: `Snooze ends ${at(s.endsAt)}: silence #${s.id} by ${s.author} (${s.reason}); its alerts come back then`, tone: "info" });
  return { title: "Handover", lines, empty: "Nothing open, and no snooze ends in the next 24 hours." };
}
