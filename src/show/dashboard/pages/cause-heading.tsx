/** @jsxImportSource hono/jsx */
// A cause's heading on the incidents page: what it is, since when, who is on it, its snooze and its own escalation
// timer. A cause holding no task incident (a node down, a queue backed up before a run waited) is only this row.
import type { EscalationView } from "../../../tell/escalation";
import type { SilenceView } from "../../../tell/silences/routes";
import { Time } from "../components";
import { EscalationCell } from "./escalation-table";
import { SnoozeControl, SnoozeNote, type SnoozeOption } from "./snooze-action";

/** A cause as GET /v4/incidents/by-cause gives it above its incidents. */
export interface CauseHead {
  id: number;
  title: string;
  status: "open" | "closed";
  openedAt: string;
  closedAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgedNote: string | null;
}

/** What the page read once for every cause: their timers and the active silences naming them, by cause id. */
export interface CauseExtras {
  escalations: Map<number, EscalationView[]>;
  snoozes: Map<number, SilenceView[]>;
}

/** Groups the page's one read of the timers and of the active silences by the cause each names. */
export function causeExtras(escalations: readonly EscalationView[], silences: readonly SilenceView[]): CauseExtras {
  const out: CauseExtras = { escalations: new Map(), snoozes: new Map() };
  for (const e of escalations) if (e.causeId !== null) out.escalations.set(e.causeId, [...(out.escalations.get(e.causeId) ?? []), e]);
  for (const s of silences) for (const id of s.matcher.causeIds ?? []) out.snoozes.set(id, [...(out.snoozes.get(id) ?? []), s]);
  return out;
}

const short = (s: string, max = 300) => (s.length > max ? `${s.slice(0, max)} …[cut]` : s);

export interface HeadingSnooze {
  /** The open incidents it holds: the page's Snooze holds each of them (as before); none for a node down. */
  ids: number[];
  /** Every incident it holds is snoozed already. */
  all: boolean;
  options: SnoozeOption[];
}

/** A cause's heading row (acknowledging it acknowledges each incident below). */
export function CauseHeading(props: { cause: CauseHead; count: number; snooze: HeadingSnooze; extras: CauseExtras }) {
  const c = props.cause;
  const snoozedAsCause = props.extras.snoozes.get(c.id);
  // A cause snoozed by its id (its alert's link, or this page for a cause with no incident) holds everything of it.
  const offer = !snoozedAsCause && (props.snooze.ids.length > 0 ? !props.snooze.all : c.status === "open");
  return (
    <tr class="cause-heading" data-cause={String(c.id)}>
      <td colspan={5}>
        <b>Cause: </b>
        <a href={`/ui/causes#cause-${c.id}`}>{short(c.title)}</a>
        <span class="small muted">
          {" "}
          · since <Time iso={c.openedAt} />
          {c.closedAt ? (
            <>
              {" "}
              · ended <Time iso={c.closedAt} />: these tasks still wait for a good run
            </>
          ) : null}{" "}
          · {props.count === 0 ? "no task incident of its own" : `${props.count} task incident${props.count === 1 ? "" : "s"}`}
        </span>
      </td>
      <td class="small" data-role="ack">
        {c.acknowledgedAt ? (
          <>
            <b>{c.acknowledgedBy}</b> <Time iso={c.acknowledgedAt} />
            {c.acknowledgedNote ? <div class="muted">{c.acknowledgedNote}</div> : null}
          </>
        ) : c.status === "open" ? (
          <button type="button" data-action="ack-cause" data-id={String(c.id)} data-name={c.title}>
            Acknowledge the cause
          </button>
        ) : (
          <span class="muted">acknowledging one of its incidents acknowledges the others</span>
        )}
        <SnoozeNote silences={snoozedAsCause} />
        {offer ? (
          <SnoozeControl ids={props.snooze.ids} {...(props.snooze.ids.length === 0 ? { causeId: c.id } : {})} name={c.title} options={props.snooze.options} />
        ) : null}
        {c.status === "open" ? (
          <button type="button" data-action="resolve-cause" data-id={String(c.id)} data-name={c.title}>
            Resolve the cause
          </button>
        ) : null}
      </td>
      <td class="small" data-role="escalation">
        <EscalationCell rows={props.extras.escalations.get(c.id)} />
      </td>
    </tr>
  );
}
