/** @jsxImportSource hono/jsx */
// GET /ui/data-checks: each checked app with its checks' latest values; /ui/data-checks/:appId: one app's
// values over time and its recent runs (one per reload). Read from /v4/data-checks.
import { ApiProblem, Badge, Empty, Time, type Tone } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";

interface ValueView {
  check: string;
  runId: string;
  at: string;
  status: "passed" | "failed" | "error";
  value: { text: string; number: number | null } | null;
  previous: number | null;
  expect: string;
  resolved: string | null;
  message: string | null;
}

interface RunView {
  runId: string;
  appName: string;
  reload: { kind: string; id: string };
  task: { id: string; name: string } | null;
  verdict: string | null;
  holdBack: string | null;
  error: string | null;
  createdAt: string;
}

const TONE: Record<string, Tone> = { passed: "ok", failed: "fail", error: "warn", blocked: "fail" };
const tone = (s: string | null) => TONE[s ?? ""] ?? "info";
const shown = (v: ValueView["value"]) => (v === null ? "—" : v.number === null || v.text === String(v.number) ? v.text : `${v.text} (${v.number})`);

function ValueRow(props: { v: ValueView; link?: string }) {
  const v = props.v;
  return (
    <tr data-check={v.check} data-status={v.status}>
      <td>{props.link ? <a href={props.link}>{v.check}</a> : v.check}</td>
      <td>
        <Badge tone={tone(v.status)}>{v.status}</Badge>
      </td>
      <td class="mono">{shown(v.value)}</td>
      <td class="mono">{v.resolved && v.resolved !== v.expect ? `${v.expect} (${v.resolved})` : v.expect}</td>
      <td class="mono">{v.previous ?? "—"}</td>
      <td>
        <Time iso={v.at} />
      </td>
      <td class="small muted">{v.message ?? ""}</td>
    </tr>
  );
}

const HEAD = (
  <thead>
    <tr>
      <th>Check</th>
      <th>Status</th>
      <th>Value</th>
      <th>Expected</th>
      <th>Previous</th>
      <th>When</th>
      <th>Note</th>
    </tr>
  </thead>
);

export const dataChecksPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const nav = { active: "data-checks", inbox: inbox() !== undefined, clock: siteClock() };
  const res = await api<{ apps: Array<{ appId: string; appName: string; lastRun: RunView | null; checks: ValueView[] }> }>(c, "/v4/data-checks");
  if (!res.ok) {
    return c.html(
      <Layout title="Data checks" nav={nav}>
        <ApiProblem status={res.status} error={res.error} what="Data checks" />
      </Layout>,
    );
  }
  return c.html(
    <Layout title="Data checks" nav={nav}>
      {res.data.apps.length === 0 ? <Empty>No checked app has been reloaded yet. Values appear here after the first reload.</Empty> : null}
      {res.data.apps.map((a) => (
        <section class="card tight" data-app={a.appId}>
          <h2>
            <a href={`/ui/data-checks/${encodeURIComponent(a.appId)}`}>{a.appName}</a>{" "}
            {a.lastRun ? (
              <span class="small muted">
                last reload <Badge tone={tone(a.lastRun.verdict)}>{a.lastRun.verdict ?? "running"}</Badge>{" "}
                {a.lastRun.holdBack ? `· follow-ups held back: ${a.lastRun.holdBack}` : ""}
              </span>
            ) : null}
          </h2>
          <table>
            {HEAD}
            <tbody>
              {a.checks.map((v) => (
                <ValueRow v={v} />
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </Layout>,
  );
};

export const dataCheckAppPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const nav = { active: "data-checks", inbox: inbox() !== undefined, clock: siteClock() };
  const appId = c.req.param("appId") ?? "";
  const res = await api<{ appName: string | null; values: ValueView[]; runs: RunView[] }>(c, `/v4/data-checks/apps/${encodeURIComponent(appId)}?limit=300`);
  if (!res.ok) {
    return c.html(
      <Layout title="Data checks" nav={nav}>
        <ApiProblem status={res.status} error={res.error} what="Data checks" />
      </Layout>,
    );
  }
  const byCheck = new Map<string, ValueView[]>();
  for (const v of res.data.values) byCheck.set(v.check, [...(byCheck.get(v.check) ?? []), v]);
  return c.html(
    <Layout title={`Data checks · ${res.data.appName ?? appId}`} nav={nav}>
      {byCheck.size === 0 ? <Empty>No values for this app yet.</Empty> : null}
      {[...byCheck.entries()].map(([check, values]) => (
        <section class="card tight" data-check={check}>
          <h2>
            {check} <span class="small muted">the last {values.length} values, newest first</span>
          </h2>
          <table>
            {HEAD}
            <tbody>
              {values.map((v) => (
                <ValueRow v={v} />
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <section class="card tight" id="check-runs">
        <h2>Runs (one per reload)</h2>
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Reload</th>
              <th>Verdict</th>
              <th>Follow-ups</th>
            </tr>
          </thead>
          <tbody>
            {res.data.runs.map((r) => (
              <tr>
                <td>
                  <Time iso={r.createdAt} />
                </td>
                <td>{r.task ? `task ${r.task.name}` : `${r.reload.kind} ${r.reload.id}`}</td>
                <td>
                  <Badge tone={tone(r.verdict)}>{r.verdict ?? "running"}</Badge> <span class="small muted">{r.error ?? ""}</span>
                </td>
                <td class="small">{r.holdBack ? `held back: ${r.holdBack}` : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Layout>,
  );
};
