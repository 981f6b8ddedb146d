/** @jsxImportSource hono/jsx */
// GET /ui/noise: how noisy the pages were (GET /v4/noise): the budget line, pages per route and kind, the noisiest
// tasks, and each proposed config change with its path, its YAML and an Apply button (the viewer's key must be an
// admin's: the change is written to the config file after the config check, audited and reloaded).
import type { NoiseReport } from "../../noise/types";
import { budgetLine, minutes, noProposal, percent, sourceWhat } from "../../noise/noise-text";
import { ApiProblem, Badge, Empty } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";
import { RehearseForm } from "./rehearse-form";

const SPANS: Array<[days: number, label: string]> = [
  [7, "last 7 days"],
  [14, "last 14 days"],
  [31, "last 31 days"],
];

function Proposals(props: { r: NoiseReport }) {
  if (props.r.proposals.length === 0)
    return <Empty>{noProposal(props.r) === "Nothing to change." ? "Nothing to change: no source is noisy enough for a proposal." : noProposal(props.r)}</Empty>;
  return (
    <>
      {props.r.proposals.map((p) => (
        <article class="proposal" data-proposal={p.id}>
          <h3>{p.title}</h3>
          <p class="small">{p.why}</p>
          <p class="small">
            <code>{p.path}</code> {p.live ? <Badge tone="ok">applies at once</Badge> : <Badge tone="info">after a restart</Badge>}
          </p>
          <pre class="small">{p.yaml}</pre>
          {p.edit ? (
            <button type="button" data-action="apply-proposal" data-id={p.id}>
              Apply to the config file
            </button>
          ) : null}
          <p class="small muted">
            Review: <code>steward config propose {p.id}</code>
          </p>
        </article>
      ))}
    </>
  );
}

function Tables(props: { r: NoiseReport }) {
  const { r } = props;
  return (
    <>
      <section class="card tight" id="noise-routes">
        <h2>Per route and kind</h2>
        {r.rows.length === 0 ? (
          <Empty>No alert in this span.</Empty>
        ) : (
          <table class="noise">
            <thead>
              <tr>
                <th>Route</th>
                <th>Kind</th>
                <th>Sent</th>
                <th>Held</th>
                <th>Acknowledged</th>
                <th>Median to acknowledge</th>
                <th>Recovered by itself</th>
              </tr>
            </thead>
            <tbody>
              {r.rows.map((x) => (
                <tr>
                  <td>{x.route}</td>
                  <td class="mono">{x.kind}</td>
                  <td>{x.pages}</td>
                  <td>{x.held}</td>
                  <td>{percent(x.acknowledged)}</td>
                  <td>{minutes(x.medianAckMs)}</td>
                  <td>{percent(x.recoveredAlone)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section class="card tight" id="noise-tasks">
        <h2>Noisiest sources</h2>
        {r.tasks.length === 0 ? (
          <Empty>No page went out.</Empty>
        ) : (
          <table class="noise">
            <thead>
              <tr>
                <th>Source</th>
                <th>What</th>
                <th>Pages</th>
                <th>Days</th>
                <th>Acknowledged</th>
                <th>Recovered by itself</th>
                <th>Recovered by retry</th>
                <th>Routes</th>
              </tr>
            </thead>
            <tbody>
              {r.tasks.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td class="small">{sourceWhat(t)}</td>
                  <td>{t.pages}</td>
                  <td>{t.days}</td>
                  <td>{t.acknowledged}</td>
                  <td>{t.recoveredAlone}</td>
                  <td>{t.recoveredByRetry}</td>
                  <td class="small">{t.routes.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

export const noisePage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const days = Number(c.req.query("sinceDays") ?? "7");
  const r = await api<NoiseReport>(c, `/v4/noise?sinceDays=${encodeURIComponent(c.req.query("sinceDays") ?? "7")}`);
  const line = r.ok ? budgetLine(r.data) : undefined;
  return c.html(
    <Layout title="Noise" nav={{ active: "noise", inbox: inbox() !== undefined, clock: siteClock() }}>
      <section class="card tight" id="noise-span">
        <h2>Noise</h2>
        <p class="small">
          What reached people and what was done with it, counted from the deliveries and the incidents; each noisy source with a config change to review.
          Steward never applies one by itself. <code>steward noise</code> prints the same on the server.
        </p>
        <p class="small">
          {SPANS.map(([d, label]) => (
            <>
              <a href={`/ui/noise?sinceDays=${d}`} class={days === d ? "active" : undefined}>
                {label}
              </a>{" "}
            </>
          ))}
        </p>
      </section>
      {!r.ok ? <ApiProblem status={r.status} error={r.error} what="The noise report" /> : null}
      {r.ok && line ? (
        <>
          <section class="card" id="noise-budget">
            <h2>
              {r.data.pages} pages, {r.data.held} held
            </h2>
            <p>
              <Badge tone={line.tone}>{line.tone === "ok" ? "within budget" : "over budget or too little acted on"}</Badge> {line.text}
            </p>
            {r.data.recoveredByRetry ? <p class="small muted">{r.data.recoveredByRetry} runs recovered by the Scheduler's retry, not paged.</p> : null}
          </section>
          <Tables r={r.data} />
          <section class="card tight" id="noise-proposals">
            <h2>Proposed changes</h2>
            <Proposals r={r.data} />
          </section>
        </>
      ) : null}
      <RehearseForm />
    </Layout>,
  );
};
