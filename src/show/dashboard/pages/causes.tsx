/** @jsxImportSource hono/jsx */
// GET /ui/causes: incidents per cause — open parents (what they affect, how many still fail, what is being done about
// them and what came of it) and those closed lately, read from /v4/causes with the viewer's own key.
import { ApiProblem, Badge, Empty, Time } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";
import type { ParentView } from "../../../tell/grouping";
import { BeingDoneRow } from "./cause-being-done";
import { ActionList, type ActionRow, viewerMayAct } from "./incident-actions";

/** Who is on an open cause, or the button that says so (it acknowledges every incident the cause holds too). */
function AckCell(props: { cause: ParentView }) {
  const p = props.cause;
  if (p.acknowledgedAt)
    return (
      <div class="small" data-role="ack">
        Acknowledged by <b>{p.acknowledgedBy}</b> <Time iso={p.acknowledgedAt} />
        {p.acknowledgedNote ? <div class="muted">{p.acknowledgedNote}</div> : null}
      </div>
    );
  if (p.status !== "open") return null;
  return (
    <div class="small" data-role="ack">
      <button type="button" data-action="ack-cause" data-id={String(p.id)} data-name={p.title}>
        Acknowledge
      </button>{" "}
      <button type="button" data-action="resolve-cause" data-id={String(p.id)} data-name={p.title}>
        Resolve
      </button>
    </div>
  );
}

/**
 * A node's reload queue cause whose cancelled runs have not run again, open or closed (the cause closes when its last
 * waiting run is cancelled, just when a re-run makes sense): the Re-run offered to a viewer who may start tasks
 * (POST /v4/causes/{id}/rerun-cancelled with the viewer's key; docs/remediation.md).
 */
function RerunCell(props: { cause: ParentView; offered: boolean; left: number }) {
  const p = props.cause;
  if (!props.offered || !p.cause.startsWith("queue:") || props.left === 0) return null;
  return (
    <div class="small" data-role="rerun">
      <button type="button" data-action="rerun-cause" data-id={String(p.id)} data-name={p.title}>
        Re-run the cancelled runs
      </button>
    </div>
  );
}

/** What the Causes page read of a queue cause's re-run: its actions, and the cancelled runs not yet run again. */
interface CauseRerun {
  actions: ActionRow[];
  left: number;
}

function CauseTable(props: { rows: ParentView[]; rerunOffered: boolean; actions: Map<number, CauseRerun> }) {
  return (
    <table class="causes">
      <thead>
        <tr>
          <th>#</th>
          <th>Cause</th>
          <th>Affected</th>
          <th>Opened</th>
          <th>State</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((p) => [
          <tr id={`cause-${p.id}`} data-cause={String(p.id)}>
            <td class="mono">{p.id}</td>
            <td>
              <b>{p.title}</b>
              {p.heldBy ? (
                <div class="small muted" data-role="held-by-window">
                  {`Held by maintenance window ${p.heldBy.window} (${p.heldBy.scope}) until `}
                  <Time iso={p.heldBy.until} />
                  {": every run it holds ran there; it pages then if still open"}
                </div>
              ) : null}
            </td>
            <td class="small">
              {p.affected.text}
              <div class="muted">{p.affected.tasks.join(", ")}</div>
              {p.affected.apps.length > 0 ? <div class="muted">{`Apps: ${p.affected.apps.join(", ")}`}</div> : null}
              {(p.promises ?? []).map((x) => (
                <div data-role="promise">
                  {`Promise ${x.promise}${x.app ? ` (${x.app})` : ""}: ${x.state} `}
                  <Time iso={x.at} />
                </div>
              ))}
            </td>
            <td>
              <Time iso={p.openedAt} />
              {p.updates > 0 ? (
                <div class="small muted" data-role="updates">
                  {`${p.updates} update${p.updates === 1 ? "" : "s"} sent, the last `}
                  <Time iso={p.lastPageAt} />
                </div>
              ) : null}
            </td>
            <td>
              {p.status !== "open" ? (
                <Badge tone="ok">recovered</Badge>
              ) : p.stillFailing === 0 && p.awaitingReload > 0 ? (
                <Badge tone="warn">{`${p.awaitingReload} awaiting a reload of the new data`}</Badge>
              ) : (
                <Badge tone="fail">{`${p.stillFailing} still failing`}</Badge>
              )}
              {p.closedAt ? (
                <div class="small">
                  <Time iso={p.closedAt} />
                </div>
              ) : null}
              <AckCell cause={p} />
              <RerunCell cause={p} offered={props.rerunOffered} left={props.actions.get(p.id)?.left ?? 0} />
            </td>
          </tr>,
          <BeingDoneRow causeId={p.id} beingDone={p.beingDone} />,
          props.actions.get(p.id)?.actions.length ? (
            <tr data-role="cause-actions" data-cause={String(p.id)}>
              <td />
              <td colSpan={4}>
                <div class="small">Re-run of the cancelled runs, in the order they run:</div>
                <ActionList actions={props.actions.get(p.id)?.actions ?? []} />
              </td>
            </tr>
          ) : null,
        ])}
      </tbody>
    </table>
  );
}

export const causesPage: PageHandler = async (c, { api, inbox, siteClock, remediation }) => {
  const rerunOffered = remediation !== undefined && viewerMayAct(c);
  const [open, closed] = await Promise.all([
    api<{ causes: ParentView[] }>(c, "/v4/causes?status=open&limit=100"),
    api<{ causes: ParentView[] }>(c, "/v4/causes?status=closed&limit=50"),
  ]);
  // What was done about each queue cause (its re-run's actions): read only for those, a few at most.
  const queueIds = [open, closed]
    .flatMap((r) => (r.ok ? r.data.causes : []))
    .filter((p) => p.cause.startsWith("queue:"))
    .map((p) => p.id);
  const actions = new Map<number, CauseRerun>();
  await Promise.all(
    queueIds.map(async (id) => {
      const r = await api<{ actions: ActionRow[]; left?: unknown[] }>(c, `/v4/causes/${id}/actions`);
      if (r.ok) actions.set(id, { actions: r.data.actions, left: r.data.left?.length ?? 0 });
    }),
  );
  const section = (title: string, r: typeof open, none: string) => (
    <section class="card tight">
      <h2>{title}</h2>
      {!r.ok ? (
        <ApiProblem status={r.status} error={r.error} what="Causes" />
      ) : r.data.causes.length === 0 ? (
        <Empty>{none}</Empty>
      ) : (
        <CauseTable rows={r.data.causes} rerunOffered={rerunOffered} actions={actions} />
      )}
    </section>
  );
  return c.html(
    <Layout title="Causes" nav={{ active: "causes", inbox: inbox() !== undefined, clock: siteClock() }}>
      <p class="small muted">Failures that share a cause page once; every task and app they affect is listed here.</p>
      {section("Open", open, "No open cause.")}
      {section("Recovered", closed, "None.")}
    </Layout>,
  );
};
