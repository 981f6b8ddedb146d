/** @jsxImportSource hono/jsx */
// The "On duty now" panel's own changes (issue 106): a person of a schedule (signed in) or an admin puts someone on
// duty for a while, themself ("take this shift") or a colleague ("swap with"), through POST /v4/oncall/overrides, and
// cancels an override made that way (DELETE). Times are typed on the schedule's wall clock, as the API reads them.
import { zonedParts } from "../../../platform/core/site-clock";
import type { ScheduleDuty } from "../../../tell/oncall/duty-answer";
import { Time } from "../page-clock";

export interface OverrideRow {
  id: number;
  schedule: string;
  person: string;
  from: string;
  until: string;
  createdBy: string;
}

/** Who looks at the panel: an admin changes every schedule, a signed-in person those they are on. */
export interface RotaViewer {
  admin: boolean;
  /** The signed-in person's mail address. */
  address?: string;
}

export const mayChangeSchedule = (viewer: RotaViewer, s: ScheduleDuty) => viewer.admin || (viewer.address !== undefined && s.people.includes(viewer.address));

/** "2026-11-26T22:00": the instant as a date-time field shows it, on `zone`'s wall clock. */
function fieldValue(ms: number, zone: string): string {
  const p = zonedParts(ms, zone);
  return `${p.date}T${p.hm}`;
}

export function OverrideForm(props: { duty: ScheduleDuty; viewer: RotaViewer; nowMs: number }) {
  const s = props.duty;
  const me = props.viewer.address;
  // The rest of the current duty by default: "take this shift" is one click for the person taking it.
  const until = s.until ? Date.parse(s.until) : props.nowMs + 86_400_000;
  const chosen = me && s.people.includes(me) && me !== s.person ? me : s.people.find((p) => p !== s.person);
  return (
    <details class="override-form">
      <summary>Take a shift in {s.schedule}, or swap…</summary>
      <form method="post" data-api-form="/v4/oncall/overrides" data-done="Override made: the people are told" data-schedule-form={s.schedule}>
        <input type="hidden" name="schedule" value={s.schedule} />
        <fieldset class="grid-form">
          <legend>
            Who is on duty in {s.schedule}, in {s.timeZone}
          </legend>
          <label>
            Who
            <select name="person">
              {s.people.map((p) => (
                <option value={p} selected={p === chosen}>
                  {p === me ? `me (${p})` : p}
                </option>
              ))}
            </select>
          </label>
          <label>
            From
            <input type="datetime-local" name="from" required value={fieldValue(props.nowMs, s.timeZone)} />
          </label>
          <label>
            Until
            <input type="datetime-local" name="until" required value={fieldValue(until, s.timeZone)} />
          </label>
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="primary">
            Put on duty
          </button>
        </div>
      </form>
    </details>
  );
}

export function OverrideList(props: { overrides: readonly OverrideRow[]; duties: readonly ScheduleDuty[]; viewer: RotaViewer }) {
  if (props.overrides.length === 0) return null;
  const duty = (name: string) => props.duties.find((d) => d.schedule === name);
  return (
    <>
      <h3>Overrides made here</h3>
      <table id="overrides">
        <thead>
          <tr>
            <th>Schedule</th>
            <th>On duty</th>
            <th>From</th>
            <th>Until</th>
            <th>Made by</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {props.overrides.map((o) => {
            const d = duty(o.schedule);
            return (
              <tr data-override={String(o.id)}>
                <td>{o.schedule}</td>
                <td>{o.person}</td>
                <td>
                  <Time iso={o.from} />
                </td>
                <td>
                  <Time iso={o.until} />
                </td>
                <td class="small">{o.createdBy}</td>
                <td>
                  {d && mayChangeSchedule(props.viewer, d) ? (
                    <button type="button" data-action="cancel-override" data-id={String(o.id)} data-name={`${o.person} in ${o.schedule}`}>
                      Cancel
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
