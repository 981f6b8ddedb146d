/** @jsxImportSource hono/jsx */
// The overview's "On duty now" panel (issue 106): for each `oncall:` schedule, who is on duty (or nobody, outside its
// hours), why, until when and who is next, from GET /v4/oncall; the times on the page's clock. Below, for those who
// may change a schedule, its override form and the overrides made over REST or here (override-form.tsx). A schedule
// whose Slack user group (slackUserGroup) cannot be kept in step says so in its row, as GET /v4/oncall does.
import type { OnCallDuty } from "../../../tell/oncall/http-route";
import { Badge } from "../components";
import { Time } from "../page-clock";
import { mayChangeSchedule, OverrideForm, OverrideList, type OverrideRow, type RotaViewer } from "./override-form";

export function OnDutyPanel(props: { schedules: readonly OnCallDuty[]; overrides?: readonly OverrideRow[]; viewer?: RotaViewer; nowMs?: number }) {
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
              <td>
                {s.schedule}
                <SlackGroupProblem duty={s} />
              </td>
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

/**
 * What Slack refused when this Steward last tried to keep the group in step (a scope missing, a person it does not
 * know), and what to do: else the page-by-@handle people rely on may page the wrong person, and nothing else shows it.
 */
function SlackGroupProblem(props: { duty: OnCallDuty }) {
  const g = props.duty.slackUserGroup;
  if (!g?.problem) return null;
  return (
    <div class="small" data-slack-group-problem={g.id}>
      <Badge tone="fail">Slack user group {g.id} is not kept in step</Badge> {g.problem}
      {g.fix ? <div class="small muted">{g.fix}</div> : null}
    </div>
  );
}

/** The duty's reason in a word or two: an override, the rotation's week, or the hours (the API's `why` says more). */
function whyWords(s: OnCallDuty): string {
  if (s.why.startsWith("override")) return "override";
  if (!s.person) return "outside its hours";
  return s.why === "outside hours" ? "outside hours" : "rotation";
}
