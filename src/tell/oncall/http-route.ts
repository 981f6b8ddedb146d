// GET /v4/oncall: who is on duty now in each `oncall:` schedule, since when, until when and who is next (issue 106).
// Read from the config in force and the clock, like the pages' recipients: every Steward of a site answers the same.
import type { Clock } from "../../platform/core/clock";
import type { Router } from "../../platform/http/route";
import type { OnCallConfig } from "./config";
import { scheduleDuties } from "./duty-answer";

export interface OnCallRouteDeps {
  oncall: () => OnCallConfig | undefined;
  clock: Clock;
}

export function registerOnCallDutyRoutes(router: Router, deps: OnCallRouteDeps): void {
  router.route(
    {
      method: "get",
      path: "/v4/oncall",
      summary: "Who is on duty now",
      description:
        "For each `oncall:` schedule: the person on duty now (null: nobody, outside its hours), why (the rotation's week, an override, outside hours), since when and until when (ISO instants; null when duty does not change within eight days) and who is next.",
      tags: ["Alerts"],
      scope: "read",
      responses: { 200: { description: "the schedules, each with who is on duty" } },
    },
    async (c) => c.json({ at: new Date(deps.clock.now()).toISOString(), schedules: scheduleDuties(deps.oncall(), deps.clock.now()) }),
  );
}
