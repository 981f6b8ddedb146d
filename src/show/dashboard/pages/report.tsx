/** @jsxImportSource hono/jsx */
// GET /ui/report: the morning report now, for any span (GET /v4/report): the same sections the 07:00 mail carries,
// built on request and sent nowhere. Linked from the overview's "Last hour" (the menu has no room left at 1366 px). The last 24 hours by default; `hours`, or `from` and `to`, choose another.
import { ApiProblem, Badge, Empty } from "../components";
import { Layout } from "../layout";
import type { PageHandler } from "../types";

interface ReportView {
  from: string;
  to: string;
  title: string;
  summary: string;
  facts: Array<{ name: string; value: string }>;
  sections: Array<{ title: string; lines: Array<{ text: string; tone?: "ok" | "warn" | "fail" | "info" }>; empty?: string }>;
}

const SPANS: Array<[hours: number, label: string]> = [
  [12, "last 12 hours"],
  [24, "last 24 hours"],
  [72, "last 3 days"],
  [168, "last 7 days"],
];

/** The API's query from the page's: `from`/`to` as given (the API names a wrong one), or `hours` back from now. */
function spanQuery(q: (k: string) => string | undefined): { qs: URLSearchParams; hours: number | undefined } {
  const qs = new URLSearchParams();
  const from = q("from")?.trim();
  const to = q("to")?.trim();
  if (from || to) {
    if (from) qs.set("from", from);
    if (to) qs.set("to", to);
    return { qs, hours: undefined };
  }
  const hours = q("hours") ?? "24";
  qs.set("hours", hours);
  return { qs, hours: Number(hours) };
}

export const reportPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const { qs, hours } = spanQuery((k) => c.req.query(k));
  const r = await api<ReportView>(c, `/v4/report?${qs}`);
  return c.html(
    <Layout title="Report" nav={{ active: "report", inbox: inbox() !== undefined, clock: siteClock() }}>
      <section class="card tight" id="report-span">
        <h2>Report now</h2>
        <p class="small">
          The morning report's facts for the span you choose, built now from what Steward keeps (the run history holds 35 days; a span is at most 31 days).{" "}
          <code>steward report</code> prints the same on the server.
        </p>
        <p class="small">
          {SPANS.map(([h, label]) => (
            <>
              <a href={`/ui/report?hours=${h}`} class={hours === h ? "active" : undefined}>
                {label}
              </a>{" "}
            </>
          ))}
        </p>
        <form method="get" action="/ui/report" class="small">
          <label>
            From <input name="from" placeholder="2026-11-24T07:00:00+01:00" value={c.req.query("from") ?? ""} />
          </label>{" "}
          <label>
            to <input name="to" placeholder="now" value={c.req.query("to") ?? ""} />
          </label>{" "}
          <button type="submit">Show</button>
        </form>
      </section>
      {!r.ok ? <ApiProblem status={r.status} error={r.error} what="The report" /> : null}
      {r.ok ? (
        <>
          <section class="card" id="report-summary">
            <h2>{r.data.title}</h2>
            <p>{r.data.summary}</p>
            {r.data.facts.map((f) => (
              <p class="small muted">{`${f.name}: ${f.value}`}</p>
            ))}
          </section>
          {r.data.sections.map((s) => (
            <section class="card tight" data-section={s.title}>
              <h2>{s.title}</h2>
              {s.lines.length === 0 ? (
                <Empty>{s.empty ?? "Nothing."}</Empty>
              ) : (
                <ul>
                  {s.lines.map((l) => (
                    <li>
                      {l.tone && l.tone !== "info" ? <Badge tone={l.tone}>{l.tone === "fail" ? "!" : l.tone === "warn" ? "~" : "ok"}</Badge> : null} {l.text}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </>
      ) : null}
    </Layout>,
  );
};
