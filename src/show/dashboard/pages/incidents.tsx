/** @jsxImportSource hono/jsx */
// GET /ui/incidents: what needs someone now, one group per cause (a cause's heading, then the task incidents it holds;
// a task failing for its own reason is a cause of one), read from /v4/incidents/by-cause (as many as its 1 MiB answer
// holds, with a note of those it left out), and those closed in the last 7 days, with the viewer's own key, and their
// escalations (/v4/escalations, one read): pending and fired ones on each open incident's row and on each cause's
// heading, every recent timer in a table of its own.
import { ApiProblem, Badge, Empty, Time } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";
import type { IncidentView } from "../../../tell/incidents/routes";
import type { EscalationView } from "../../../tell/escalation";
import type { SilenceView } from "../../../tell/silences/routes";
import { type CauseExtras, type CauseHead, CauseHeading, causeExtras } from "./cause-heading";
import { EscalationCell, EscalationTable } from "./escalation-table";
import { SnoozeControl, SnoozeNote, type SnoozeOption, snoozeOptions } from "./snooze-action";

/** One entry of GET /v4/incidents/by-cause. */
interface ByCause {
  cause: CauseHead | null;
  incidents: IncidentView[];
}

const CLOSED_HOURS = 7 * 24;

interface TableProps {
  closed: boolean;
  escalations?: Map<number, EscalationView[]>;
  snoozes?: Map<number, SilenceView[]>;
  /** The snooze choices; offered on a row that is a cause of one, and on a cause's heading for all it holds. */
  snoozeOptions?: SnoozeOption[];
}

/** A title from a datagram may be long (the API cuts it at 2,000): a row shows 300 characters, the task's page the rest. */
const short = (s: string, max = 300) => (s.length > max ? `${s.slice(0, max)} …[cut]` : s);

const FROM_WORDS: Record<string, string> = { link: "the alert's link", rest: "REST, the dashboard or the assistant" };

/** What is being done on the incident and who asked: a rule (its page waits too) or a person (what it causes waits). */
function HeldByLine(props: { held: NonNullable<IncidentView["heldBy"]> }) {
  const h = props.held;
  const due = h.dueAt ? (
    <>
      {" "}
      at <Time iso={h.dueAt} />
    </>
  ) : null;
  if (h.rule !== null)
    return (
      <div class="small" data-role="held-by">
        Retrying: held by rule <b>{h.rule}</b>, {h.doing}
        {due}; not paged on any route unless it gives up
      </div>
    );
  // A person may have asked for an Engine reload of the app or a restart of the chain rather than a retry.
  const label = /^(retry|re-run)\b/.test(h.doing) ? "Retrying" : "In hand";
  return (
    <div class="small" data-role="held-by">
      {label}: asked by <b>{h.askedBy}</b> (from {FROM_WORDS[h.askedFrom] ?? h.askedFrom}), {h.doing}
      {due}; what it causes (the apps after it, a promise) is not paged unless it fails
    </div>
  );
}

function IncidentRow(props: TableProps & { i: IncidentView; grouped?: boolean }) {
  const i = { ...props.i, title: short(props.i.title) };
  return (
    <tr data-incident={String(i.id)}>
      <td>
        {i.taskId ? <a href={`/ui/tasks/${encodeURIComponent(i.taskId)}`}>{i.title}</a> : <b>{i.title}</b>}
        <div class="small muted mono">#{i.id}</div>
        {i.cause ? (
          <div class="small" data-role="cause">
            part of <a href={`/ui/causes#cause-${i.cause.id}`}>{short(i.cause.title)}</a>
          </div>
        ) : null}
        {i.heldBy ? <HeldByLine held={i.heldBy} /> : null}
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
          {props.grouped || props.snoozes?.has(i.id) ? null : <SnoozeControl ids={[i.id]} name={i.title} options={props.snoozeOptions ?? []} />}
          <button type="button" data-action="resolve-incident" data-id={String(i.id)} data-name={i.title}>
            Resolve
          </button>
        </td>
      )}
      {props.closed ? null : (
        <td class="small" data-role="escalation">
          <EscalationCell rows={props.escalations?.get(i.id)} />
        </td>
      )}
    </tr>
  );
}

function Head(props: { closed: boolean }) {
  return (
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
  );
}

function IncidentTable(props: TableProps & { rows: IncidentView[] }) {
  return (
    <table class={props.closed ? "incidents closed" : "incidents open"}>
      <Head closed={props.closed} />
      <tbody>
        {props.rows.map((i) => (
          <IncidentRow {...props} i={i} />
        ))}
      </tbody>
    </table>
  );
}

/**
 * A cause's snooze holds each task incident it holds (as its alert's link does); offered while one of them is not
 * snoozed. A cause holding only its conditions' incidents (a node's stopped service, its missed starts) is snoozed by
 * its id, which holds everything of it.
 */
const taskIncidents = (g: ByCause) => g.incidents.filter((i) => i.taskId !== null);
function groupSnooze(g: ByCause, props: TableProps) {
  const ids = taskIncidents(g).map((i) => i.id);
  return { ids, all: ids.every((id) => props.snoozes?.has(id)), options: props.snoozeOptions ?? [] };
}

/** The open incidents, one group per cause: a task failing for its own reason is a cause of one (no heading). */
function OpenByCause(props: TableProps & { groups: ByCause[]; causes: CauseExtras }) {
  return (
    <table class="incidents open">
      <Head closed={false} />
      {props.groups.map((g) => (
        <tbody data-group={g.cause ? `cause-${g.cause.id}` : `own-${g.incidents[0]?.id ?? 0}`}>
          {g.cause ? <CauseHeading cause={g.cause} count={taskIncidents(g).length} snooze={groupSnooze(g, props)} extras={props.causes} /> : null}
          {g.incidents.map((i) => (
            <IncidentRow {...props} i={i} grouped={Boolean(g.cause)} />
          ))}
        </tbody>
      ))}
    </table>
  );
}

export const incidentsPage: PageHandler = async (c, { api, inbox, siteClock, snooze }) => {
  const [open, closed, esc, active] = await Promise.all([
    api<{ causes: ByCause[]; truncated?: boolean; omitted?: number }>(c, "/v4/incidents/by-cause?limit=1000"),
    api<{ incidents: IncidentView[] }>(c, `/v4/incidents?status=closed&sinceHours=${CLOSED_HOURS}&limit=100`),
    api<{ escalations: EscalationView[] }>(c, "/v4/escalations?limit=200"),
    api<{ silences: SilenceView[] }>(c, "/v4/silences?state=active&limit=200"),
  ]);
  const byIncident = new Map<number, EscalationView[]>();
  for (const e of esc.ok ? esc.data.escalations : []) if (e.incidentId !== null) byIncident.set(e.incidentId, [...(byIncident.get(e.incidentId) ?? []), e]);
  const snoozes = new Map<number, SilenceView[]>();
  for (const s of active.ok ? active.data.silences : []) for (const id of s.matcher.incidentIds ?? []) snoozes.set(id, [...(snoozes.get(id) ?? []), s]);
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
            <h2>Open, by cause</h2>
            {!open.ok ? (
              <ApiProblem status={open.status} error={open.error} what="Open incidents" />
            ) : open.data.causes.length === 0 ? (
              <Empty>No open incidents: every task's last run succeeded.</Empty>
            ) : (
              <OpenByCause
                groups={open.data.causes}
                closed={false}
                escalations={byIncident}
                causes={causeExtras(esc.ok ? esc.data.escalations : [], active.ok ? active.data.silences : [])}
                snoozes={snoozes}
                snoozeOptions={snoozeOptions(snooze, siteClock())}
              />
            )}
            {open.ok && open.data.truncated ? (
              <p class="small" data-role="left-out">
                {`${open.data.omitted ?? "More"} open incident${open.data.omitted === 1 ? " is" : "s are"} not shown: the list stops at about 1 MiB. `}
                <a href="/v4/incidents?status=open">/v4/incidents?status=open</a> pages through them all.
              </p>
            ) : null}
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
