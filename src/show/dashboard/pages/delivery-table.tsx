/** @jsxImportSource hono/jsx */
// The table of alert deliveries (GET /v4/deliveries rows) with a Retry button on dead or suppressed ones.
import { Badge, Empty, Time, toneOf } from "../components";
import { SiteText } from "../page-clock";

/** The fields of a /v4/deliveries row the dashboard shows. */
export interface DeliveryView {
  id: number;
  status: string;
  reason: string | null;
  route: string;
  channel: string;
  recipient: string | null;
  target: string | null;
  kind: string;
  eventId: string | null;
  eventTitle?: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

const RETRYABLE = new Set(["dead", "suppressed"]);

export function DeliveryTable(props: { rows: DeliveryView[]; compact?: boolean }) {
  if (props.rows.length === 0) return <Empty>No deliveries.</Empty>;
  return (
    <table id="deliveries">
      <thead>
        <tr>
          <th>#</th>
          <th>Queued</th>
          <th>Status</th>
          <th>Channel</th>
          <th>To</th>
          {props.compact ? null : <th>Event</th>}
          {props.compact ? null : <th class="right">Attempts</th>}
          {props.compact ? null : <th>Last error / next try</th>}
          <th></th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((d) => (
          <tr data-delivery={d.id} data-status={d.status}>
            <td class="mono">{d.id}</td>
            <td>
              <Time iso={d.createdAt} />
            </td>
            <td>
              <Badge tone={toneOf(d.status)}>{d.status}</Badge>
              {d.reason ? (
                // The API's reason keeps the ISO instant a gate wrote ("held until …"); a person reads the site's time.
                <div class="small muted">
                  <SiteText text={d.reason} />
                </div>
              ) : null}
            </td>
            <td>
              <b>{d.channel}</b>
              <div class="small muted">{d.route}</div>
            </td>
            <td class="small">{d.recipient ?? d.target ?? ""}</td>
            {props.compact ? null : (
              <td class="small">
                <Badge tone={toneOf(d.kind)}>{d.kind}</Badge>
                {d.eventTitle ? (
                  <div data-role="event-title" title={d.eventId ?? undefined}>
                    {d.eventTitle}
                  </div>
                ) : (
                  <div class="mono muted">{d.eventId ?? ""}</div>
                )}
              </td>
            )}
            {props.compact ? null : <td class="right">{d.attempts}</td>}
            {props.compact ? null : (
              <td class="small">
                {d.lastError ? <div style="color:var(--fail)">{d.lastError}</div> : null}
                {d.nextAttemptAt ? (
                  <div class="muted">
                    next try <Time iso={d.nextAttemptAt} />
                  </div>
                ) : null}
                {d.deliveredAt ? (
                  <div class="muted">
                    delivered <Time iso={d.deliveredAt} />
                  </div>
                ) : null}
              </td>
            )}
            <td class="right">
              {RETRYABLE.has(d.status) ? (
                <button type="button" data-action="retry" data-id={String(d.id)}>
                  Retry
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
