/** @jsxImportSource hono/jsx */
// GET /ui/silences: create a silence, the active and coming ones (with an "End now" button), the recently ended,
// and the alerts silences held with what became of each. Read from /v4/silences with the viewer's own key.
import { ApiProblem, Badge, Empty, Time, type Tone } from "../components";
import { Layout } from "../layout";
import { zonedParts, zoneLabel } from "../../../platform/core/site-clock";
import type { PageHandler } from "../types";
import type { HoldView, SilenceView } from "../../../tell/silences";

const HOLD_LABEL: Record<string, [string, Tone]> = {
  held: ["held", "warn"],
  sent: ["sent when it ended", "ok"],
  closed: ["not sent: ended while silenced", "idle"],
  superseded: ["not sent: a later one was", "idle"],
  passed: ["not sent: a one-off", "idle"],
};

function heldText(h: SilenceView["held"]): string {
  const parts = Object.entries(h).map(([state, n]) => `${n} ${state}`);
  return parts.length ? parts.join(", ") : "none yet";
}

function SilenceTable(props: { rows: SilenceView[]; ended: boolean }) {
  return (
    <table class="silences">
      <thead>
        <tr>
          <th>#</th>
          <th>Matches</th>
          <th>Who and why</th>
          <th>From</th>
          <th>{props.ended ? "Ended" : "Until"}</th>
          <th>Alerts held</th>
          {props.ended ? null : <th></th>}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((s) => (
          <tr data-silence={String(s.id)}>
            <td class="mono">{s.id}</td>
            <td class="small">
              {s.matches}
              {s.state === "pending" ? (
                <div>
                  <Badge tone="info">starts later</Badge>
                </div>
              ) : null}
            </td>
            <td class="small">
              <b>{s.author}</b>
              <div class="muted">{s.reason}</div>
            </td>
            <td>
              <Time iso={s.startsAt} />
            </td>
            <td>
              {props.ended ? (
                <>
                  <Time iso={s.endedAt ?? s.endsAt} />
                  <div class="small muted">{s.endedBy ? `ended by ${s.endedBy}` : "expired"}</div>
                </>
              ) : (
                <Time iso={s.endsAt} />
              )}
            </td>
            <td class="small">{heldText(s.held)}</td>
            {props.ended ? null : (
              <td>
                <button type="button" data-action="end-silence" data-id={String(s.id)}>
                  End now
                </button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HoldTable(props: { rows: HoldView[] }) {
  return (
    <table class="holds">
      <thead>
        <tr>
          <th>Held</th>
          <th>Alert</th>
          <th>Route → channel</th>
          <th>Silence</th>
          <th>What became of it</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((h) => {
          const [label, tone] = HOLD_LABEL[h.state] ?? [h.state, "info"];
          return (
            <tr>
              <td>
                <Time iso={h.heldAt} />
              </td>
              <td class="small">
                <span class="mono">{h.kind}</span> {h.title}
              </td>
              <td class="small">
                {h.route} → {h.channel}
                {h.recipient ? <div class="muted">{h.recipient}</div> : null}
              </td>
              <td class="mono">#{h.silenceId}</td>
              <td>
                <Badge tone={tone}>{label}</Badge> {h.settledAt ? <Time iso={h.settledAt} /> : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** "2026-11-26T22:00": the instant as a date-time field shows it, on the site's wall clock. */
function fieldValue(ms: number, zone: string): string {
  const p = zonedParts(ms, zone);
  return `${p.date}T${p.hm}`;
}

function NewSilenceForm(props: { zone: string; nowMs: number }) {
  const field = (name: string, label: string, hint: string) => (
    <label>
      {label}
      <input type="text" name={`matcher.${name}`} data-list="1" placeholder={hint} />
    </label>
  );
  const zone = zoneLabel(props.zone, props.nowMs);
  return (
    <form id="new-silence" method="post" data-api-form="/v4/silences" data-done="Silence created">
      <fieldset class="grid-form">
        <legend>Which alerts</legend>
        {field("taskNames", "Task names", "Sales*, Finance - load")}
        {field("appNames", "App names", "Sales dashboard")}
        {field("streams", "Streams", "Finance")}
        {field("tags", "Tags (task or app)", "critical")}
        {field("nodes", "Nodes", "qlik2")}
        {field("kinds", "Event kinds", "task.failed, task.missed, app.*")}
        <label>
          Source
          <select name="matcher.source">
            <option value="">any</option>
            <option value="on-premise">on-premise</option>
            <option value="cloud">Qlik Cloud</option>
          </select>
        </label>
      </fieldset>
      <fieldset class="grid-form" id="silence-when" data-zone={props.zone}>
        <legend>When, in {zone}</legend>
        <label>
          From (empty: now)
          <input type="datetime-local" name="startsAt" />
        </label>
        <label>
          Until
          <input type="datetime-local" name="endsAt" required value={fieldValue(props.nowMs + 2 * 3_600_000, props.zone)} />
        </label>
        <p class="small muted hint">The site's zone (notify.timeZone), whatever zone this browser is in.</p>
      </fieldset>
      <fieldset class="grid-form">
        <legend>Who and why</legend>
        <label>
          Who
          <input type="text" name="author" placeholder="you@corp.example" />
        </label>
        <label>
          Why
          <input type="text" name="reason" required placeholder="patching qlik2" />
        </label>
      </fieldset>
      <div class="form-actions">
        <button type="submit" class="primary">
          Silence
        </button>
      </div>
    </form>
  );
}

export const silencesPage: PageHandler = async (c, { api, inbox, siteClock }) => {
  const clock = siteClock();
  const [active, pending, ended, held] = await Promise.all([
    api<{ silences: SilenceView[] }>(c, "/v4/silences?state=active&limit=200"),
    api<{ silences: SilenceView[] }>(c, "/v4/silences?state=pending&limit=200"),
    api<{ silences: SilenceView[] }>(c, "/v4/silences?state=ended&limit=50"),
    api<{ suppressed: HoldView[] }>(c, "/v4/silences/suppressed?limit=200"),
  ]);
  const current = active.ok && pending.ok ? [...pending.data.silences, ...active.data.silences] : [];
  return c.html(
    <Layout title="Silences" nav={{ active: "silences", inbox: inbox() !== undefined, clock }}>
      <section class="card">
        <h2>New silence or maintenance window</h2>
        <p class="small muted">
          Alerts of the events it matches are held on every route from its start until it ends, and listed below. Every field given must match; in a field, any
          value (comma-separated, * as a wildcard). When it ends, what it held is sent if the condition still lasts. For work tonight, give its start and end; a
          window that comes back every week belongs in the config (maintenance.windows).
        </p>
        <NewSilenceForm zone={clock.zone} nowMs={clock.nowMs} />
      </section>
      <section class="card tight">
        <h2>Active and coming</h2>
        {!active.ok ? (
          <ApiProblem status={active.status} error={active.error} what="Silences" />
        ) : current.length === 0 ? (
          <Empty>No silence: every alert goes out.</Empty>
        ) : (
          <SilenceTable rows={current} ended={false} />
        )}
      </section>
      <section class="card tight">
        <h2>Alerts held by silences</h2>
        {!held.ok ? (
          <ApiProblem status={held.status} error={held.error} what="Held alerts" />
        ) : held.data.suppressed.length === 0 ? (
          <Empty>None.</Empty>
        ) : (
          <HoldTable rows={held.data.suppressed} />
        )}
      </section>
      <section class="card tight">
        <h2>Ended</h2>
        {!ended.ok ? (
          <ApiProblem status={ended.status} error={ended.error} what="Ended silences" />
        ) : ended.data.silences.length === 0 ? (
          <Empty>None.</Empty>
        ) : (
          <SilenceTable rows={ended.data.silences} ended={true} />
        )}
      </section>
    </Layout>,
  );
};
