/** @jsxImportSource hono/jsx */
// The escalations of the incidents page: per open incident what is pending or was sent (a cell of its row), and a
// table of every recent timer, pending first, read from /v4/escalations with the viewer's own key.
import type { EscalationView } from "../../../tell/escalation";
import { Badge, Empty, type Tone, Time } from "../components";
import { SiteText } from "../page-clock";

const TONE: Record<string, Tone> = { pending: "warn", firing: "warn", fired: "fail", stopped: "ok", skipped: "idle" };
const ORDER: Record<string, number> = { pending: 0, firing: 1, fired: 2, stopped: 3, skipped: 4 };

/** Pending first (soonest due on top), then the settled ones, newest first. */
export function sortEscalations(rows: readonly EscalationView[]): EscalationView[] {
  return [...rows].sort(
    (a, b) =>
      (ORDER[a.state] ?? 9) - (ORDER[b.state] ?? 9) ||
      (a.state === "pending" ? (a.dueAt ?? "").localeCompare(b.dueAt ?? "") : (b.settledAt ?? "").localeCompare(a.settledAt ?? "")),
  );
}

/** One timer in a line: "pending → night-phone, due 09:30" or "fired → night-phone 09:30". */
export function EscalationLine(props: { e: EscalationView }) {
  const e = props.e;
  return (
    <div data-escalation={String(e.id)} data-state={e.state}>
      <Badge tone={TONE[e.state] ?? "idle"}>{e.state}</Badge> → <b>{e.toRoute}</b>{" "}
      {e.state === "pending" ? (
        <>
          due <Time iso={e.dueAt} />
        </>
      ) : (
        <Time iso={e.settledAt} />
      )}
    </div>
  );
}

/** The cell of an open incident's row: its pending and fired escalations. */
export function EscalationCell(props: { rows: readonly EscalationView[] | undefined }) {
  const shown = sortEscalations(props.rows ?? []).filter((e) => e.state === "pending" || e.state === "firing" || e.state === "fired");
  if (shown.length === 0) return <span class="muted">—</span>;
  return (
    <>
      {shown.map((e) => (
        <EscalationLine e={e} />
      ))}
    </>
  );
}

export function EscalationTable(props: { rows: readonly EscalationView[] }) {
  if (props.rows.length === 0) return <Empty>No escalation timers: no route with escalate has queued an alert of an open incident or cause.</Empty>;
  return (
    <table class="escalations">
      <thead>
        <tr>
          <th>Incident</th>
          <th>From route</th>
          <th>To route</th>
          <th>State</th>
          <th>Due</th>
          <th>Settled</th>
          <th>Why</th>
        </tr>
      </thead>
      <tbody>
        {sortEscalations(props.rows).map((e) => (
          <tr data-escalation={String(e.id)} data-state={e.state}>
            <td class="mono">{e.causeId === null ? `#${e.incidentId}` : `cause #${e.causeId}`}</td>
            <td>{e.fromRoute}</td>
            <td>{e.toRoute}</td>
            <td>
              <Badge tone={TONE[e.state] ?? "idle"}>{e.state}</Badge>
            </td>
            <td>
              <Time iso={e.dueAt} />
            </td>
            <td>
              <Time iso={e.settledAt} />
            </td>
            <td class="small muted">{e.reason ? <SiteText text={e.reason} /> : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
