/** @jsxImportSource hono/jsx */
// GET /ui/freshness: the administrator's view of the freshness promises (GET /v4/freshness): each promised app's
// state, data as of, next deadline, and while late why and when it is now expected; beside it what the watchdog says
// of the same app, linked both ways. /status is what users see of the same apps.
import type { AdminFreshnessRow } from "../../../watch/freshness/admin-view";
import { FRESHNESS_WORDS, type FreshnessState, isBehind } from "../../../watch/freshness/states";
import { ApiProblem, Badge, Empty, Time, type Tone } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";

export type FreshnessRowView = AdminFreshnessRow;

const TONE: Record<FreshnessState, Tone> = { late: "fail", at_risk: "warn", unknown: "idle", fresh: "ok" };

/** The state in the one vocabulary; a missed promise is a failure to the people it was made to: it shows as one. */
export const FRESHNESS_LABEL: Record<FreshnessState, [string, Tone]> = {
  late: [FRESHNESS_WORDS.late, TONE.late],
  at_risk: [FRESHNESS_WORDS.at_risk, TONE.at_risk],
  unknown: [FRESHNESS_WORDS.unknown, TONE.unknown],
  fresh: [FRESHNESS_WORDS.fresh, TONE.fresh],
};

/** When the app is now expected, from the judge's projection, else from the alert; an expected time gone by is overdue. */
function Expected(props: { r: FreshnessRowView; nowMs: number }) {
  const { r } = props;
  const e = r.expected;
  const at = e?.at ?? r.open?.expectedAt ?? null;
  const overdue = e ? e.overdue : at !== null && Date.parse(at) < props.nowMs;
  const miss =
    e?.willMiss && !r.open ? (
      <div data-will-miss>
        will not be fresh by <Time iso={e.deadline} about />: {e.willMiss}
      </div>
    ) : null;
  // The cause that holds the chain up, also while the promise's alert is open (its "why" was written when it opened).
  const cause = e?.cause ? (
    <div data-cause={e.cause.id}>
      {e.cause.ended ? "held up by" : "held up by the open"} <a href={`/ui/causes#cause-${e.cause.id}`}>cause #{e.cause.id}</a> ({e.cause.title}, since{" "}
      <Time iso={e.cause.since} />
      {e.cause.ended ? (
        <>
          , ended <Time iso={e.cause.ended} />
        </>
      ) : null}
      ){e.cause.ended ? "" : ": fresh only once it is fixed"}
    </div>
  ) : null;
  if (!at)
    return (
      <>
        {cause}
        {miss ?? (r.open || e ? <div class="muted">when it will be fresh is not known yet</div> : null)}
      </>
    );
  return (
    <>
      {cause}
      {miss}
      <div data-expected={overdue ? "overdue" : "expected"}>
        {overdue ? (
          <>
            <Badge tone="fail">overdue</Badge> it was expected at about <Time iso={at} about />
          </>
        ) : (
          <>
            expected fresh at about <Time iso={at} about />
          </>
        )}
      </div>
    </>
  );
}

interface WatchdogLite {
  enabled: boolean;
  open: Array<{ app?: { id: string }; condition: { type: string } }>;
}

export const freshnessPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const clock = siteClock();
  const nav = { active: "freshness", inbox: inbox() !== undefined, clock };
  const [res, watch] = await Promise.all([
    api<{ rows: FreshnessRowView[]; lastError: string | null }>(c, "/v4/freshness"),
    api<WatchdogLite>(c, "/v4/watchdog"),
  ]);
  if (!res.ok) {
    return c.html(
      <Layout title="Freshness" nav={nav}>
        {res.status === 404 ? (
          <Empty>
            No freshness promises are configured. A promise says by when an app's data is fresh (or never older than what); see{" "}
            <a href="/help/freshness">the freshness help page</a>.
          </Empty>
        ) : (
          <ApiProblem status={res.status} error={res.error} what="The freshness promises" />
        )}
      </Layout>,
    );
  }
  const stale = new Set(
    watch.ok && watch.data.enabled ? watch.data.open.filter((x) => x.condition.type === "stale" && x.app).map((x) => x.app!.id.toLowerCase()) : [],
  );
  const rows = res.data.rows;
  const late = rows.filter((r) => isBehind(r.state)).length;
  return c.html(
    <Layout title="Freshness" nav={nav}>
      <section class="card tight" id="freshness">
        <h2>
          Freshness promises{" "}
          <span class="small muted">
            {late === 0 ? "every promised app is on time" : `${late} of ${rows.length} late or at risk`} · what users see: <a href="/status">/status</a>
          </span>
        </h2>
        {res.data.lastError ? <p class="small">The last judgement failed: {res.data.lastError}</p> : null}
        {rows.length === 0 ? (
          <Empty>No app matches a promise yet (Steward learns the apps from QRS and from their reloads).</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th>App</th>
                <th>State</th>
                <th>Data as of</th>
                <th>Next deadline</th>
                <th>Promise</th>
                <th>Why late, and when fresh</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const [label, tone] = FRESHNESS_LABEL[r.state];
                return (
                  <tr data-app={r.app.id} data-state={r.state} id={`app-${r.app.id}`}>
                    <td>
                      {r.app.name}
                      {r.app.stream ? <div class="small muted">{r.app.stream}</div> : null}
                    </td>
                    <td>
                      <Badge tone={tone}>{label}</Badge>
                      {stale.has(r.app.id.toLowerCase()) ? (
                        <div class="small">
                          <a href="/ui/watchdog#needs-attention">stale on the watchdog</a>
                        </div>
                      ) : null}
                    </td>
                    <td>
                      {r.dataAsOf ? <Time iso={r.dataAsOf} /> : <span class="muted">no successful reload seen</span>}
                      {r.failedAt ? (
                        <div class="small">
                          a reload failed at <Time iso={r.failedAt} />
                        </div>
                      ) : null}
                    </td>
                    <td>{r.nextDeadline ? <Time iso={r.nextDeadline} /> : "—"}</td>
                    <td class="small">
                      <b>{r.promise}</b>: {r.promiseText}
                    </td>
                    <td class="small">
                      {r.open ? (
                        <>
                          {r.state === "late" ? "missed " : "due "}
                          <Time iso={r.open.deadline} about />
                          {r.open.why ? `: ${r.open.why}` : ""}
                        </>
                      ) : null}
                      {r.heldBy && !r.open ? <div data-held-by>not fresh, however recently it reloaded: {r.heldBy}</div> : null}
                      <Expected r={r} nowMs={clock.nowMs} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </section>
    </Layout>,
  );
};
