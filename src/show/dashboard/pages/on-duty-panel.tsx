/** @jsxImportSource hono/jsx */
// The overview's "On duty now" panel (issue 106): for each `oncall:` schedule, who is on duty (or nobody, outside its
// hours), why, until when and who is next, from GET /v4/oncall; the times on the page's clock.
import type { ScheduleDuty } from "../../../tell/oncall/duty-answer";
import { Time } from "../page-clock";

export function OnDutyPanel(props: { schedules: readonly ScheduleDuty[] }) {
  if (props.schedules.length === 0) return null;
  return (
    <section class="card" id="on-duty">
      <h2>On duty now</h2>
      <table>
        <thead>
          <tr>
            <th>Schedule</th>
            <th>On duty</th>
            <th>Until</th>
            <th>Next</th>
          </tr>
        </thead>
        <tbody>
          {props.schedules.map((s) => (
            <tr data-schedule={s.schedule}>
              <td>{s.schedule}</td>
              <td data-person>
                {s.person ?? <span class="muted">nobody</span>}
                <div class="small muted">{whyWords(s)}</div>
              </td>
              <td>{s.until ? <Time iso={s.until} about /> : <span class="muted">—</span>}</td>
              <td data-next>{s.next ?? <span class="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The duty's reason in a word or two: an override, the rotation's week, or the hours (the API's `why` says more). */
function whyWords(s: ScheduleDuty): string {
  if (s.why.startsWith("override")) return "override";
  if (!s.person) return "outside its hours";
  return s.why === "outside hours" ? "outside hours" : "rotation";
}
