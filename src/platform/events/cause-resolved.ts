// The follow-up of a cause a person resolved while it held no open task incident (a node down, a queue backed up, a
// job that did not check in): no recovery of its own will come to say it ended, so this event says who ended it. The
// grouping gate (src/tell/grouping/gate.ts) sends it where the cause's pages went and only there, as it sends a recovered page.
import type { ResolvedByHand } from "./run-context";
import type { SiteEvent } from "./types";

const VIA = {
  api: "the REST API",
  dashboard: "the dashboard",
  pagerduty: "PagerDuty",
  opsgenie: "Opsgenie",
  mcp: "the assistant",
  steward: "Steward",
} as const;

/** Its id: one per cause, so two Stewards, or a retried request, queue it once. */
export const causeResolvedEventId = (causeId: number) => `cause-${causeId}:resolved`;

/**
 * The cause a `cause.resolved` event ends, read back from its data; undefined for any other event, and for a sample of
 * the kind (a test alert, a preview), whose id is not the cause's.
 */
export function resolvedCauseOf(e: {
  id: string;
  kind: string;
  data?: Record<string, unknown>;
}): { causeId: number; by: string; channel?: string; byItself?: true } | undefined {
  if (e.kind !== "cause.resolved" || !e.data) return undefined;
  const id = e.data.causeId;
  const by = e.data.resolvedBy;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || typeof by !== "string" || e.id !== causeResolvedEventId(id)) return undefined;
  const channel = e.data.resolvedThrough;
  return {
    causeId: id,
    by,
    ...(typeof channel === "string" && channel ? { channel } : {}),
    // Ended by Steward's own rule: no person resolved it (its pages say it ended, not who resolved it).
    ...(e.data.resolvedVia === "steward" ? { byItself: true as const } : {}),
  };
}

export function causeResolvedEvent(cause: { id: number; title: string }, r: ResolvedByHand, now: number, host: string): SiteEvent {
  const at = new Date(now).toISOString();
  // Ended by Steward's own rule (no person): what ended it is the note.
  const byItself = r.via === "steward";
  const summary = byItself
    ? `Cause #${cause.id} (${cause.title}) is over${r.note ? `: ${r.note}` : ""}. Steward resolved it by itself; a new one opens and pages if it starts again.`
    : `${r.by} resolved cause #${cause.id} (${cause.title}) by hand from ${VIA[r.via]}${r.note ? `: ${r.note}` : ""}. Steward no longer holds what it affected: a new failure opens a new incident and pages.`;
  return {
    id: causeResolvedEventId(cause.id),
    kind: "cause.resolved",
    receivedAt: at,
    host,
    title: byItself ? `${cause.title}: over` : `${cause.title}: resolved by ${r.by}`,
    summary,
    facts: [
      { name: "Cause", value: `#${cause.id} ${cause.title}` },
      { name: "Resolved by", value: `${r.by} (${VIA[r.via]})` },
      ...(r.note ? [{ name: "Note", value: r.note }] : []),
    ],
    data: {
      causeId: cause.id,
      causeTitle: cause.title,
      resolvedBy: r.by,
      resolvedVia: r.via,
      note: r.note ?? null,
      resolvedThrough: r.channel ?? null,
    },
  };
}
