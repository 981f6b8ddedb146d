/** @jsxImportSource hono/jsx */
// GET /ui/audit: the audit log (who did what, when, with which result), filterable by action (a REST write's operation
// included) and result.
import { ApiProblem, Badge, Empty, Time, toneOf } from "../components";
import { Layout } from "../layout";
import { SiteText } from "../page-clock";
import type { PageHandler } from "../types";

interface AuditView {
  id: number;
  at: string;
  actor: { kind: string; name: string; ip?: string };
  action: string;
  target?: string;
  result: string;
  details?: Record<string, unknown>;
}

export const auditPage: PageHandler = async (c, { api, inbox, siteClock, taskNames }) => {
  const action = c.req.query("action") ?? "";
  const result = c.req.query("result") ?? "";
  const qs = new URLSearchParams({ limit: "200" });
  if (action) qs.set("action", action);
  if (result) qs.set("result", result);
  const res = await api<{ entries: AuditView[] }>(c, `/v4/audit?${qs}`);
  // Targets and actors are often ids: schedules by the schedules list (when this viewer may read it), tasks by QRS.
  const names = new Map<string, string>();
  if (res.ok) {
    const schedules = await api<Array<{ id: string; name: string }>>(c, "/v4/schedules");
    if (schedules.ok) for (const s of schedules.data) names.set(s.id.toLowerCase(), `schedule ${s.name}`);
    const ids = res.data.entries.flatMap((e) => [e.target ?? "", e.actor.name]).filter((x) => x && !names.has(x.toLowerCase()));
    for (const [id, name] of await taskNames.of(ids)) names.set(id, `task ${name}`);
  }
  const named = (id: string | undefined) => (id ? names.get(id.toLowerCase()) : undefined);
  return c.html(
    <Layout title="Audit log" nav={{ active: "audit", inbox: inbox() !== undefined, clock: siteClock() }}>
      <form class="toolbar" method="get" action="/ui/audit">
        <input type="search" name="action" value={action} placeholder="action or operation, e.g. task.start or oncall.*" size={28} />
        <select name="result" aria-label="result">
          {["", "ok", "denied", "failed"].map((r) => (
            <option value={r} selected={r === result}>
              {r || "any result"}
            </option>
          ))}
        </select>
        <button type="submit">Filter</button>
        <span class="spacer"></span>
        <span class="small muted">Newest first, at most 200.</span>
      </form>
      <section class="card tight">
        {!res.ok ? (
          <ApiProblem status={res.status} error={res.error} what="The audit log" />
        ) : res.data.entries.length === 0 ? (
          <Empty>No audit entries{action || result ? " match" : " yet"}.</Empty>
        ) : (
          <table id="audit">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>Target</th>
                <th>Result</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {res.data.entries.map((e) => (
                <tr>
                  <td>
                    <Time iso={e.at} />
                  </td>
                  <td class="small">
                    <b title={named(e.actor.name) ? e.actor.name : undefined}>{named(e.actor.name) ?? e.actor.name}</b>
                    <div class="muted">
                      {e.actor.kind}
                      {e.actor.ip ? ` · ${e.actor.ip}` : ""}
                    </div>
                  </td>
                  <td class="mono">
                    {e.action}
                    {/* A REST write's operation, what a filter by action finds it by. */}
                    {e.action === "api.write" && typeof e.details?.op === "string" ? (
                      <div class="muted" data-role="op">
                        {e.details.op}
                      </div>
                    ) : (
                      ""
                    )}
                  </td>
                  <td class="small" data-role="target">
                    {named(e.target) ? (
                      <>
                        <span title={e.target}>{named(e.target)}</span>
                        <div class="mono muted">{e.target}</div>
                      </>
                    ) : (
                      <span class="mono">{e.target ?? ""}</span>
                    )}
                  </td>
                  <td>
                    <Badge tone={toneOf(e.result)}>{e.result}</Badge>
                  </td>
                  <td class="mono small muted">{e.details ? <SiteText text={JSON.stringify(e.details)} max={300} /> : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Layout>,
  );
};
