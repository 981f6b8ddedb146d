/** @jsxImportSource hono/jsx */
// GET /ui/incidents: open incidents (oldest first: the longest-running trouble on top) and those closed in the
// last 7 days, read from /v4/incidents with the viewer's own key, and their escalations (/v4/escalations): pending
// and fired ones on each open incident's row, every recent timer in a table of its own.
import { ApiProblem, Badge, Empty, Time } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";
import type { IncidentView } from "../../../tell/incidents/routes";
import type { EscalationView } from "../../../tell/escalation";
import type { SilenceView } from "../../../tell/silences/routes";
import { EscalationCell, EscalationTable } from "./escalation-table";

const CLOSED_HOURS = 7 * 24;

/** A snooze is an active silence of the incident alone (made by the alert's Snooze link or the API). */
function SnoozeNote(props: { silences: SilenceView[] | undefined }) {
  const s = props.silences?.[0];
  if (!s) return null;
  return (
    <div data-role="snooze">
      Snoozed until <Time iso={s.endsAt} /> by <b>{s.author}</b>
    </div>
  );
}

function IncidentTable(props: { rows: IncidentView[]; closed: boolean; escalations?: Map<number, EscalationView[]>; snoozes?: Map<number, SilenceView[]> }) {
  return (
    <table class={props.closed ? "incidents closed" : "incidents open"}>
      <thead>
        <tr>
          <th>Task</th>
          <th>Opened</th>
          <th>Failures</th>
          <th>Likely cause</th>
          <th>{props.closed ? "Closed" : "Last event"}</th>
          {props.closed ? null : <th>Acknowledged</th>}
          {props.closed ? null : <th>Escalation</th>}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((i) => (
          <tr data-incident={String(i.id)}>
            <td>
              {i.taskId ? <a href={`/ui/tasks/${encodeURIComponent(i.taskId)}`}>{i.title}</a> : <b>{i.title}</b>}
              <div class="small muted mono">#{i.id}</div>
              {i.cause ? (
                <div class="small" data-role="cause">
                  part of <a href={`/ui/causes#cause-${i.cause.id}`}>{i.cause.title}</a>
                </div>
              ) : null}
            </td>
            <td>
              <Time iso={i.openedAt} />
            </td>
            <td>{i.failures}</td>
            <td>{i.errorClass ? <Badge tone="fail">{i.errorClass}</Badge> : <span class="muted">—</span>}</td>
            <td class="small">
              {props.closed ? (
                <>
                  <Time iso={i.closedAt} />
                  <div class="muted">{i.closedSummary ?? ""}</div>
                </>
              ) : (
                <>
                  <span class="mono">{i.lastKind}</span> <Time iso={i.lastEventAt} />
                  <div class="muted">{i.lastSummary}</div>
                </>
              )}
            </td>
            {props.closed ? null : (
              <td class="small" data-role="ack">
                {i.acknowledgedAt ? (
                  <>
                    <b>{i.acknowledgedBy}</b> <Time iso={i.acknowledgedAt} />
                    {i.acknowledgedNote ? <div class="muted">{i.acknowledgedNote}</div> : null}
                  </>
                ) : (
                  <button type="button" data-action="ack-incident" data-id={String(i.id)} data-name={i.title}>
                    Acknowledge
                  </button>
                )}
                <SnoozeNote silences={props.snoozes?.get(i.id)} />
              </td>
            )}
            {props.closed ? null : (
              <td class="small" data-role="escalation">
                <EscalationCell rows={props.escalations?.get(i.id)} />
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const incidentsPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const [open, closed, esc, active] = await Promise.all([
    api<{ incidents: IncidentView[] }>(c, "/v4/incidents?status=open&limit=200"),
    api<{ incidents: IncidentView[] }>(c, `/v4/incidents?status=closed&sinceHours=${CLOSED_HOURS}&limit=100`),
    api<{ escalations: EscalationView[] }>(c, "/v4/escalations?limit=200"),
    api<{ silences: SilenceView[] }>(c, "/v4/silences?state=active&limit=200"),
  ]);
  const byIncident = new Map<number, EscalationView[]>();
  for (const e of esc.ok ? esc.data.escalations : []) byIncident.set(e.incidentId, [...(byIncident.get(e.incidentId) ?? []), e]);
  const snoozes = new Map<number, SilenceView[]>();
  for (const s of active.ok ? active.data.silences : [])
    if (s.matcher.incidentIds?.length === 1) snoozes.set(s.matcher.incidentIds[0]!, [...(snoozes.get(s.matcher.incidentIds[0]!) ?? []), s]);
  const off = !open.ok && open.status === 404;
  return c.html(
    <Layout title="Incidents" nav={{ active: "incidents", inbox: inbox() !== undefined, clock: siteClock() }}>
      {off ? (
        <section class="card">
          <Empty>Incidents are off (incidents.enabled: false in the config).</Empty>
        </section>
      ) : (
        <>
          <section class="card tight">
            <h2>Open</h2>
            {!open.ok ? (
              <ApiProblem status={open.status} error={open.error} what="Open incidents" />
            ) : open.data.incidents.length === 0 ? (
              <Empty>No open incidents: every task's last run succeeded.</Empty>
            ) : (
              <IncidentTable
                rows={[...open.data.incidents].sort((a, b) => (a.openedAt ?? "").localeCompare(b.openedAt ?? ""))}
                closed={false}
                escalations={byIncident}
                snoozes={snoozes}
              />
            )}
          </section>
          <section class="card tight" id="escalations">
            <h2>Escalations</h2>
            {!esc.ok ? <ApiProblem status={esc.status} error={esc.error} what="Escalations" /> : <EscalationTable rows={esc.data.escalations} />}
          </section>
          <section class="card tight">
            <h2>Closed in the last 7 days</h2>
            {!closed.ok ? (
              <ApiProblem status={closed.status} error={closed.error} what="Closed incidents" />
            ) : closed.data.incidents.length === 0 ? (
              <Empty>None.</Empty>
            ) : (
              <IncidentTable rows={closed.data.incidents} closed={true} />
            )}
          </section>
        </>
      )}
    </Layout>,
  );
};
