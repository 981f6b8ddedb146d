/** @jsxImportSource hono/jsx */
// The task page's incident card: the task's latest incident (read from /v4/incidents?taskId=… with the viewer's key),
// open or the last one closed, and who acknowledged it, so the person who opened the task from an alert sees at once
// whether someone is on it.
import type { Context } from "hono";
import type { HttpEnv } from "../../../platform/http/types";
import type { IncidentView } from "../../../tell/incidents/routes";
import type { ApiReader } from "../api-reader";
import { Badge, Time } from "../components";
import { ActionList, type ActionRow, type MoreOffer, MoreControls, RetryControl } from "./incident-actions";

/** The task's newest incident; undefined when it has none, incidents are off, or the viewer may not read them. */
export async function latestIncidentOf(api: ApiReader, c: Context<HttpEnv>, taskId: string): Promise<IncidentView | undefined> {
  const r = await api<{ incidents: IncidentView[] }>(c, `/v4/incidents?taskId=${encodeURIComponent(taskId)}&limit=1`);
  return r.ok ? r.data.incidents[0] : undefined;
}

/** `actions`: what was done about it (remediation); `retryDelays`, `more`: the Retry, Engine reload and chain offered to this viewer. */
export function TaskIncidentCard(props: { i: IncidentView; actions?: ActionRow[]; retryDelays?: readonly number[] | undefined; more?: MoreOffer | undefined }) {
  const i = props.i;
  const open = i.status === "open";
  return (
    <section class="card" id="task-incident" data-incident={String(i.id)} data-status={i.status}>
      <h2>
        {open ? "Open incident" : "Last incident"} <Badge tone={open ? "fail" : "ok"}>{i.status}</Badge>{" "}
        <a class="small" href="/ui/incidents">
          all incidents →
        </a>
      </h2>
      <dl class="props">
        <dt>Incident</dt>
        <dd>
          #{i.id}: {i.failures} failed run{i.failures === 1 ? "" : "s"} since <Time iso={i.openedAt} />
          {i.cause ? (
            <span>
              {" "}
              · part of <a href={`/ui/causes#cause-${i.cause.id}`}>{i.cause.title}</a>
            </span>
          ) : null}
        </dd>
        <dt>Acknowledged</dt>
        <dd data-role="ack">
          {i.acknowledgedAt ? (
            <>
              by <b>{i.acknowledgedBy}</b> <Time iso={i.acknowledgedAt} />
              {i.acknowledgedNote ? <div class="muted">{i.acknowledgedNote}</div> : null}
            </>
          ) : open ? (
            <span>
              <Badge tone="warn">nobody yet</Badge> acknowledge it on <a href="/ui/incidents">Incidents</a>
            </span>
          ) : (
            <span class="muted">nobody acknowledged it</span>
          )}
        </dd>
        {open ? null : (
          <>
            <dt>Closed</dt>
            <dd>
              <Time iso={i.closedAt} /> {i.closedSummary ? <span class="muted">{i.closedSummary}</span> : null}
            </dd>
          </>
        )}
        {props.retryDelays || props.more ? (
          <>
            <dt>Fix it</dt>
            <dd>
              {props.retryDelays ? <RetryControl i={i} delays={props.retryDelays} /> : null} {props.more ? <MoreControls i={i} more={props.more} /> : null}
            </dd>
          </>
        ) : null}
      </dl>
      {props.actions?.length ? (
        <>
          <h3>What was done</h3>
          <ActionList actions={props.actions} />
        </>
      ) : null}
    </section>
  );
}
