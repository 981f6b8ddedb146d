/** @jsxImportSource hono/jsx */
// The incidents page's Snooze: the same choices as an alert's snooze link, and the same silence (its matcher the
// incident ids of one cause), created through POST /v4/silences with the viewer's own key (client-script.ts).
import { formatDuration } from "../../../platform/core/duration";
import { actionLinksSchema } from "../../../tell/ack-links/config";
import { snoozeChoices } from "../../../tell/ack-links/snooze-choices";
import type { SilenceView } from "../../../tell/silences/routes";
import { Time } from "../components";
import type { PageClock } from "../page-clock";
import type { PageDeps } from "../types";

export type SnoozeSettings = NonNullable<PageDeps["snooze"]>;

/** One choice as the page posts it: a duration, or the end of "until tomorrow" (the silence starts at the click). */
export interface SnoozeOption {
  label: string;
  body: { duration: string } | { endsAt: string };
}

export function snoozeOptions(settings: SnoozeSettings | undefined, clock: PageClock): SnoozeOption[] {
  const s = settings ?? actionLinksSchema().parse({});
  // The link page's "until tomorrow, <date time zone>" is long for a table cell: the header names the zone already.
  return snoozeChoices(s, clock.zone, clock.nowMs).map((c) => ({
    label: c.id === "tomorrow" ? `until ${s.snoozeUntil} tomorrow` : c.label,
    body: c.id === "tomorrow" ? { endsAt: new Date(c.until).toISOString() } : { duration: formatDuration(c.until - clock.nowMs) },
  }));
}

/** A snooze is an active silence of the incident alone or with its cause (the alert's Snooze link, this page, the API). */
export function SnoozeNote(props: { silences: SilenceView[] | undefined }) {
  const s = props.silences?.[0];
  if (!s) return null;
  return (
    <div data-role="snooze">
      Snoozed until <Time iso={s.endsAt} /> by <b>{s.author}</b>
    </div>
  );
}

/**
 * A choice of how long and a button that asks first; `ids`: every open incident of the cause (or the one alone);
 * `causeId`: a cause holding no task incident (a node down), snoozed by its id as its alert's Snooze link does.
 */
export function SnoozeControl(props: { ids: number[]; causeId?: number; name: string; options: SnoozeOption[] }) {
  if ((props.ids.length === 0 && props.causeId === undefined) || props.options.length === 0) return null;
  const names = props.causeId !== undefined ? { "data-cause-id": String(props.causeId) } : { "data-ids": props.ids.slice(0, 50).join(",") };
  return (
    <div class="snooze" data-role="snooze-action">
      <select aria-label={`snooze ${props.name}`} data-snooze-choice="">
        {props.options.map((o) => (
          <option value={JSON.stringify(o.body)}>{o.label}</option>
        ))}
      </select>{" "}
      {/* POST /v4/silences takes at most 50 incidents in one matcher. */}
      <button type="button" data-action="snooze" {...names} data-name={props.name}>
        Snooze
      </button>
    </div>
  );
}
