// The end of a maintenance window: one maintenance.summary event per occurrence, telling what happened inside it
// (alerts held by kind, what ended inside, what is still open). Its id is the occurrence's, so two Stewards that
// both write it leave one delivery per channel (outbox keys are idempotent); it is marked summarized only once
// written, so a Steward that stops first leaves it to the next sweep, after a restart too.
import type { SiteEvent } from "../../platform/events/types";
import { messageTime } from "../../platform/core/time-text";
import type { OccurrenceRow, WindowEventRow } from "./maintenance-store";

const MAX_LISTED = 25;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Conditions still open at the end: the last event of each condition opened it. */
function stillOpen(events: readonly WindowEventRow[]): WindowEventRow[] {
  const last = new Map<string, WindowEventRow>();
  for (const e of events) if (e.conditionKey) last.set(e.conditionKey, e);
  return [...last.values()].filter((e) => e.conditionRole === "opens");
}

export function buildSummary(
  o: OccurrenceRow,
  events: readonly WindowEventRow[],
  opts: { host: string; timeZone: string; reason?: string; now: number },
): SiteEvent {
  const held = events.filter((e) => e.held);
  const byKind = new Map<string, number>();
  for (const e of held) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
  const kinds = [...byKind.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`);
  const open = stillOpen(events);
  const ended = new Set(events.filter((e) => e.conditionKey && e.conditionRole === "opens").map((e) => e.conditionKey)).size - open.length;
  const from = messageTime(o.startsAt, opts.timeZone);
  const to = messageTime(o.endsAt, opts.timeZone);
  const list = (rows: WindowEventRow[]) =>
    rows
      .slice(0, MAX_LISTED)
      .map((e) => `${e.title} (${e.kind})`)
      .join("; ") + (rows.length > MAX_LISTED ? `; and ${rows.length - MAX_LISTED} more` : "");
  const summary = [
    `From ${from} to ${to}, ${held.length === 0 ? "no alert was held" : `${plural(held.length, "alert")} ${held.length === 1 ? "was" : "were"} held: ${kinds.join(", ")}`}.`,
    open.length ? `Still open at its end: ${list(open)}.` : held.length ? "Nothing is still open." : "",
  ]
    .filter(Boolean)
    .join(" ");
  return {
    id: `maintenance:${o.window}:${o.startsAt}`,
    kind: "maintenance.summary",
    receivedAt: new Date(opts.now).toISOString(),
    host: opts.host,
    title: `Maintenance window ${o.window} ended: ${plural(held.length, "alert")} held${open.length ? `, ${open.length} still open` : ""}`,
    summary,
    facts: [
      { name: "Window", value: o.window },
      ...(opts.reason ? [{ name: "Reason", value: opts.reason }] : []),
      { name: "Covered", value: o.scope },
      { name: "From", value: from },
      { name: "To", value: to },
      { name: "Alerts held", value: held.length ? `${held.length}: ${kinds.join(", ")}` : "none" },
      { name: "Ended inside", value: String(Math.max(0, ended)) },
      { name: "Still open", value: open.length ? list(open) : "none" },
    ],
    data: {
      window: o.window,
      startsAt: new Date(o.startsAt).toISOString(),
      endsAt: new Date(o.endsAt).toISOString(),
      scope: o.scope,
      events: events.length,
      held: held.length,
      stillOpen: open.length,
    },
  };
}
