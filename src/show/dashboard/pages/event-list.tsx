/** @jsxImportSource hono/jsx */
// The timeline of recent task and service events, coloured by outcome (used by the overview and events pages).
import { isTaskEvent } from "../../../platform/events/types";
import { Badge, Empty, Time, formatDuration, toneOf } from "../components";
import { eventTitle, type TimelineEntry } from "../event-timeline";
import { SiteText } from "../page-clock";

/** A line of the list: text a datagram carried may be 16 KB; the event's own page shows it whole. */
const short = (s: string | undefined, max = 300) => (s && s.length > max ? `${s.slice(0, max)} …[cut]` : (s ?? ""));

export function EventList(props: { entries: TimelineEntry[] }) {
  if (props.entries.length === 0) return <Empty>No task events yet. They appear here as Qlik Sense reports them.</Empty>;
  return (
    <ul class="timeline">
      {props.entries.map(({ seq, seenAt, event, steward }) => {
        const tone = toneOf(event.kind);
        const label = isTaskEvent(event)
          ? event.outcome
          : event.kind === "service.stopped"
            ? "stopped"
            : event.kind === "service.started"
              ? "started"
              : event.kind;
        return (
          <li data-kind={event.kind}>
            <Time ms={seenAt} />
            <div class={`bar s-${tone}`}></div>
            <div>
              <Badge tone={tone}>{label}</Badge>{" "}
              <a href={`/ui/events/${seq}`}>
                <b>{short(eventTitle(event))}</b>
              </a>
              {isTaskEvent(event) ? (
                <div class="small muted">
                  {event.taskType}
                  {event.app ? ` · app ${short(event.app.name)}` : ""}
                  {` · ${short(event.host)}`}
                  {event.execution?.durationMs !== undefined ? ` · ${formatDuration(event.execution.durationMs)}` : ""}
                  {` · via ${event.source}`}
                  {steward ? ` · handled by ${steward}` : ""}
                  {event.complete ? "" : ` · incomplete (${event.missing.map((m) => m.item).join(", ")})`}
                </div>
              ) : "service" in event ? (
                <div class="small muted">
                  service on {event.host}: {event.previousState} → {event.state}
                </div>
              ) : (
                <div class="small muted">
                  <SiteText text={short(event.summary, 1_000)} />
                </div>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
