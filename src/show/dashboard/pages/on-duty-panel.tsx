/** @jsxImportSource hono/jsx */
// The overview's "On duty now" panel (issue 106): for each `oncall:` schedule, who is on duty (or nobody, outside its
// hours), why, until when and who is next, from GET /v4/oncall; the times on the page's clock. Below, for those who
// may change a schedule, its override form and the overrides made over REST or here (override-form.tsx).
import type { ScheduleDuty } from "../../../tell/oncall/duty-answer";
import { Time } from "../page-clock";
import { mayChangeSchedule, OverrideForm, OverrideList, type OverrideRow, type RotaViewer } from "./override-form";

export function OnDutyPanel(props: { schedules: readonly ScheduleDuty[]; overrides?: readonly OverrideRow[]; viewer?: RotaViewer; nowMs?: number }) {
  if (props.schedules.length === 0) return null;
  const viewer = props.viewer ?? { admin: false };
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
      {props.nowMs !== undefined
        ? props.schedules.filter((s) => mayChangeSchedule(viewer, s)).map((s) => <OverrideForm duty={s} viewer={viewer} nowMs={props.nowMs!} />)
        : null}
      <OverrideList overrides={props.overrides ?? []} duties={props.schedules} viewer={viewer} />
    </section>
  );
}

/** The duty's reason in a word or two: an override, the rotation's week, or the hours (the API's `why` says more). */
function whyWords(s: ScheduleDuty): string {
  if (s.why.startsWith("override")) return "override";
  if (!s.person) return "outside its hours";
  return s.why === "outside hours" ? "outside hours" : "rotation";
}
