/** @jsxImportSource hono/jsx */
// GET /ui/reloads: who reloaded what outside the schedule (the hub, the data load editor, the Engine API) in the last
// seven days, as the Engine's lines told Steward: time, app, user, node, outcome, and whether the failure was alerted.
// Read from /v4/engine-reloads with the viewer's own key.
import type { reloadView } from "../../../hear/engine";
import { ApiProblem, Badge, Empty, formatDuration, Time } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";

type Row = ReturnType<typeof reloadView>;

function ReloadTable(props: { rows: Row[] }) {
  return (
    <table class="reloads">
      <thead>
        <tr>
          <th>Ended</th>
          <th>App</th>
          <th>User</th>
          <th>Node</th>
          <th>Outcome</th>
          <th>Alert</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr data-app={r.app.id} data-outcome={r.outcome}>
            <td>
              <Time iso={r.endedAt} />
              {r.durationMs !== undefined ? <div class="small muted">{formatDuration(r.durationMs)}</div> : null}
            </td>
            <td>
              <b>{r.app.name ?? r.app.id}</b>
              <div class="small muted">{r.app.published === false ? "not published" : r.app.stream ? `stream ${r.app.stream}` : ""}</div>
            </td>
            <td class="mono">{r.user ?? "—"}</td>
            <td>{r.node}</td>
            <td>
              <Badge tone={r.outcome === "failed" ? "fail" : "ok"}>{r.outcome}</Badge>
              {r.unconfirmed ? <Badge tone="warn">unconfirmed</Badge> : null}
              {r.failingLines.slice(0, 3).map((l) => (
                <div class="small mono">{l}</div>
              ))}
            </td>
            <td class="small">
              {r.outcome === "failed" ? <Badge tone={r.alerted ? "warn" : "idle"}>{r.alerted ? "alerted" : "not alerted"}</Badge> : null}
              {r.reason ? <div class="muted">{r.reason}</div> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const reloadsPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  // A page of the API's answer (about 1 MiB at most); `after` is the cursor the previous page linked to.
  const after = c.req.query("after");
  const r = await api<{ reloads: Row[]; note?: string; next?: string | null }>(
    c,
    `/v4/engine-reloads?sinceHours=168&limit=500${after ? `&after=${encodeURIComponent(after.slice(0, 4_000))}` : ""}`,
  );
  return c.html(
    <Layout title="Reloads outside the Scheduler" nav={{ active: "reloads", inbox: inbox() !== undefined, clock: siteClock() }}>
      <p class="small muted">
        Reloads the Scheduler did not run, in the last seven days: from the hub, the data load editor or the Engine API, as the Engine's own lines told Steward
        (steward appender-xml --engine on each node). The Scheduler's reloads are on the task pages.
      </p>
      <section class="card tight">
        <h2>Who reloaded what</h2>
        {!r.ok ? (
          <ApiProblem status={r.status} error={r.error} what="Reloads outside the Scheduler" />
        ) : r.data.reloads.length === 0 ? (
          <Empty>{r.data.note ?? "None heard. Without the Engine's appender file on a node, nothing is sent from it: see docs/engine-reloads.md."}</Empty>
        ) : (
          <ReloadTable rows={r.data.reloads} />
        )}
        {r.ok && r.data.next ? (
          <p class="small">
            <a href={`/ui/reloads?after=${encodeURIComponent(r.data.next)}`}>Older reloads →</a>
          </p>
        ) : null}
      </section>
    </Layout>,
  );
};
