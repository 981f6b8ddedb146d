// GET /v4/oncall: who is on duty now in each `oncall:` schedule, since when, until when and who is next (issue 106).
// Read from the config in force and the clock, like the pages' recipients: every Steward of a site answers the same
// (but for a Slack user group's problem, which is what this Steward found when it last tried).
import type { Clock } from "../../platform/core/clock";
import type { Router } from "../../platform/http/route";
import { type OnCallConfig, scheduleOf } from "./config";
import { type ScheduleDuty, scheduleDuties } from "./duty-answer";
import type { SlackGroupProblem } from "./slack-group-sync";

export interface OnCallRouteDeps {
  oncall: () => OnCallConfig | undefined;
  clock: Clock;
  /** What stops each schedule's Slack user group being kept in step, as this Steward last found it. */
  slackGroupProblems?: () => Record<string, SlackGroupProblem | undefined>;
}

/** A schedule's duty as GET /v4/oncall answers it: with its Slack user group's state when it keeps one. */
export type OnCallDuty = ScheduleDuty & { slackUserGroup?: { id: string; problem: string | null; fix: string | null } };

/** The schedules' duties, with the state of the Slack user group of those that keep one. */
function answer(deps: OnCallRouteDeps): OnCallDuty[] {
  const oncall = deps.oncall();
  const problems = deps.slackGroupProblems?.() ?? {};
  return scheduleDuties(oncall, deps.clock.now()).map((d) => {
    const g = scheduleOf(oncall, d.schedule)?.slackUserGroup;
    if (!g) return d;
    const p = problems[d.schedule];
    return { ...d, slackUserGroup: { id: g.id, problem: p?.problem ?? null, fix: p?.fix ?? null } };
  });
}

export function registerOnCallDutyRoutes(router: Router, deps: OnCallRouteDeps): void {
  router.route(
    {
      method: "get",
      path: "/v4/oncall",
      summary: "Who is on duty now",
      description:
        "For each `oncall:` schedule: the person on duty now (null: nobody, outside its hours), why (the rotation's week, an override, outside hours), since when and until when (ISO instants; null when duty does not change within eight days) and who is next; a schedule with slackUserGroup also says what stops its Slack user group being kept in step (problem and fix, null when nothing).",
      tags: ["Alerts"],
      scope: "read",
      responses: { 200: { description: "the schedules, each with who is on duty" } },
    },
    async (c) => c.json({ at: new Date(deps.clock.now()).toISOString(), schedules: answer(deps) }),
  );
}
