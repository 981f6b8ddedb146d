// What a link's confirmation does, for the two things a link may name. A task's incident: acknowledged (with the
// cause holding it), or snoozed with every incident of its cause. A cause: acknowledged with every incident it holds
// (the same service as POST /v4/causes/{id}/acknowledge), or snoozed: a silence of the cause's further pages, whatever
// their kind, and its escalation moved to the snooze's end.
import type { ActionLinksConfig } from "./config";
import type { IncidentService } from "../incidents";
import type { SilenceService } from "../silences";
import type { RemedyPort } from "./remedy-port";
import type { LinkActions } from "./routes";
import type { LinkParams } from "./signature";
import { type SnoozeChoice, snoozeChoices } from "./snooze-choices";
import { messageTime } from "../../platform/core/time-text";

/** What the links read of a cause (tell/grouping's parent). */
export interface LinkCause {
  id: number;
  title: string;
  status: "open" | "closed";
  openedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
}

export interface LinkActionDeps {
  /** The site's zone (notify.timeZone, else this machine's), asked when a snooze is offered. */
  timeZone(): string;
  /** Resolved at use: the incidents service is built after the notifier. */
  incidents(): IncidentService | undefined;
  /** A cause by id (tell/grouping): what a link naming a cause shows. */
  cause?(id: number): Promise<LinkCause | undefined>;
  /** The open task incidents a cause holds (their escalations wait for its snooze too). */
  causeIncidents?(id: number): Promise<number[]>;
  /** Acknowledges the cause alone, when there is no incidents service (`incidents.enabled: false`): it holds none. */
  acknowledgeCauseOnly?(id: number, by: string, note: string): Promise<{ id: number; title: string } | undefined>;
  silences: SilenceService;
  /** A snooze moves the incident's pending escalations to its end. */
  postponeEscalation?(incidentId: number, until: number): Promise<void>;
  /** A snooze of a cause moves the cause's pending escalations to its end. */
  postponeCauseEscalation?(causeId: number, until: number): Promise<void>;
  /** Approved remediation (src/start/remediation), built later: absent, no message offers a retry. */
  remedies?(): RemedyPort | undefined;
}

const FROM_LINK = "acknowledged from the alert's link";

export function linkActions(cfg: ActionLinksConfig, deps: LinkActionDeps): LinkActions {
  const at = (ms: number) => messageTime(ms, deps.timeZone());
  /** "for 1h, until 2026-11-26 10:00 CET"; "until tomorrow, 2026-11-27 08:00 CET" says its end already. */
  const how = (choice: SnoozeChoice) => `${choice.label}${choice.id === "tomorrow" ? "" : `, until ${at(choice.until)}`}`;

  async function acknowledgeCause(p: LinkParams) {
    const incidents = deps.incidents();
    const done = incidents
      ? await incidents.acknowledgeCause(p.incidentId, p.recipient, FROM_LINK)
      : await deps.acknowledgeCauseOnly?.(p.incidentId, p.recipient, FROM_LINK).then((cause) => cause && { cause, incidents: [] });
    if (!done) return { ok: false, message: `Cause #${p.incidentId} has recovered (or is no longer kept): there is nothing to acknowledge.` };
    const held = done.incidents.length === 0 ? "" : ` with the ${done.incidents.length} incident(s) it holds`;
    return { ok: true, message: `Cause #${done.cause.id} (${done.cause.title}) is acknowledged by ${p.recipient}${held}. Its recovery will still be sent.` };
  }

  async function snoozeCause(p: LinkParams, choice: SnoozeChoice) {
    const cause = await deps.cause?.(p.incidentId);
    if (cause?.status !== "open") return { ok: false, message: `Cause #${p.incidentId} has recovered: there is nothing to snooze.` };
    const s = await deps.silences.create(
      {
        matcher: { causeIds: [cause.id] },
        reason: `snoozed from the alert's link (${cause.title})`,
        author: p.recipient,
        endsAt: new Date(choice.until).toISOString(),
      },
      p.recipient,
    );
    await deps.postponeCauseEscalation?.(cause.id, choice.until);
    for (const id of (await deps.causeIncidents?.(cause.id)) ?? []) await deps.postponeEscalation?.(id, choice.until);
    return { ok: true, message: `Cause #${cause.id} (${cause.title}) is snoozed ${how(choice)} (silence #${s.id}).` };
  }

  async function acknowledgeIncident(p: LinkParams) {
    const row = await deps.incidents()?.acknowledge(p.incidentId, p.recipient, FROM_LINK);
    if (row) return { ok: true, message: `Incident #${row.id} (${row.title}) is acknowledged by ${p.recipient}. Its recovery will still be sent.` };
    return { ok: false, message: `Incident #${p.incidentId} has recovered (or is no longer kept): there is nothing to acknowledge.` };
  }

  async function snoozeIncident(p: LinkParams, choice: SnoozeChoice) {
    const incidents = deps.incidents();
    const row = await incidents?.get(p.incidentId);
    if (row?.status !== "open") return { ok: false, message: `Incident #${p.incidentId} has recovered: there is nothing to snooze.` };
    // The page was the cause's: its snooze holds every incident of that cause, not only the one it was sent with.
    const same = (await incidents?.sameCause(p.incidentId)) ?? [];
    const ids = [p.incidentId, ...same.map((i) => i.id).filter((id) => id !== p.incidentId)].slice(0, 50);
    const s = await deps.silences.create(
      {
        matcher: { incidentIds: ids },
        reason: `snoozed from the alert's link (${row.title})`,
        author: p.recipient,
        endsAt: new Date(choice.until).toISOString(),
      },
      p.recipient,
    );
    await deps.postponeEscalation?.(p.incidentId, choice.until);
    return { ok: true, message: `Incident #${row.id} (${row.title}) is snoozed ${how(choice)} (silence #${s.id}).` };
  }

  return {
    choices: (now) => snoozeChoices(cfg, deps.timeZone(), now),
    retryChoices: () => deps.remedies?.()?.retryChoices() ?? [],
    async rerun(p, who) {
      const remedies = deps.remedies?.();
      if (!remedies || p.target !== "cause")
        return { ok: false, message: "Re-running the cancelled runs from a link is not available on this Steward (remediation)." };
      return remedies.rerun({ causeId: p.incidentId, by: p.recipient, from: "link", ...who });
    },
    retryPreview: async (p) => (p.target !== "cause" ? deps.remedies?.()?.retryPreview?.(p.incidentId) : undefined),
    rerunPreview: async (p) => (p.target === "cause" ? deps.remedies?.()?.rerunPreview?.(p.incidentId) : undefined),
    reloadPreview: async (p) => (p.target !== "cause" ? deps.remedies?.()?.reloadPreview?.(p.incidentId) : undefined),
    chainPreview: async (p) => (p.target !== "cause" ? ((await deps.remedies?.()?.chainPreview?.(p.incidentId)) ?? []) : []),
    rerunLeft: async (p) => (p.target === "cause" ? deps.remedies?.()?.rerunLeft?.(p.incidentId) : undefined),
    chainTasks: async (p) => (p.target === "cause" ? [] : ((await deps.remedies?.()?.chainTasks(p.incidentId)) ?? [])),
    async reload(p, who) {
      const remedies = deps.remedies?.();
      if (!remedies || p.target === "cause") return { ok: false, message: "Reloading an app from a link is not available on this Steward (remediation)." };
      return remedies.reload({ incidentId: p.incidentId, by: p.recipient, from: "link", ...who });
    },
    async chain(p, taskId, who) {
      const remedies = deps.remedies?.();
      if (!remedies || p.target === "cause") return { ok: false, message: "Starting a chain from a link is not available on this Steward (remediation)." };
      return remedies.chain({ incidentId: p.incidentId, taskId, by: p.recipient, from: "link", ...who });
    },
    async retry(p, choice, who) {
      const remedies = deps.remedies?.();
      if (!remedies || p.target === "cause") return { ok: false, message: "Retrying a task from a link is not available on this Steward (remediation)." };
      return remedies.retry({ incidentId: p.incidentId, delayMs: choice.delayMs, by: p.recipient, from: "link", ...who });
    },
    formatTime: at,
    needsTwoPeople: (action) =>
      action === "retry" || action === "rerun" || action === "reload" || action === "chain" ? deps.remedies?.()?.needsTwoPeople?.(action) === true : false,
    async subject(target, id) {
      if (target === "incident") {
        const row = await deps.incidents()?.get(id);
        return row && { id: row.id, label: `Incident #${row.id}`, title: row.title, status: row.status, lastSummary: row.lastSummary };
      }
      const cause = await deps.cause?.(id);
      if (!cause) return undefined;
      const since = `Open since ${at(cause.openedAt)}`;
      const ack = cause.acknowledgedAt === null ? "" : `; acknowledged by ${cause.acknowledgedBy ?? "someone"} at ${at(cause.acknowledgedAt)}`;
      return {
        id: cause.id,
        label: `Cause #${cause.id}`,
        title: cause.title,
        status: cause.status,
        lastSummary: `${since}${ack}.`,
        scope: "This is the incident of everything it holds: acknowledging it acknowledges every task incident it holds; a snooze holds its further alerts.",
      };
    },
    acknowledge: (p) => (p.target === "cause" ? acknowledgeCause(p) : acknowledgeIncident(p)),
    snooze: (p, choice) => (p.target === "cause" ? snoozeCause(p, choice) : snoozeIncident(p, choice)),
  };
}
