// POST /v4/config/rehearse: a config's YAML rehearsed on the window's recorded history beside the config in force.
import { z } from "zod";
import type { Router } from "../../platform/http/route";
import type { RehearseService } from "./service";

export const rehearseBodySchema = z.strictObject({
  config: z
    .string()
    .min(1, "the new config file's YAML text")
    .max(1_000_000, "at most 1 MB of YAML")
    .describe("The new config file's text (YAML), as `steward config check` reads it."),
  since: z
    .string()
    .regex(/^\d+[wdhms][\dwdhms]*$/, "a window such as 4w, 28d or 36h")
    .optional()
    .describe("The window rehearsed, up to now (default 4w, at most 92 days; no longer than notify.outbox.keep)."),
});

export function registerRehearseRoutes(router: Router, rehearse: RehearseService): void {
  router.route(
    {
      method: "post",
      path: "/v4/config/rehearse",
      summary: "Rehearse a config on the site's recorded history",
      description:
        "Replays the recorded events of the window (default four weeks) through the given config's routes, renotify, pageAfter, rate limits, maintenance windows and retry rules with their budgets, and judges its freshness promises' deadlines and warning times and the queue's backlog threshold again on the recorded runs where they differ, beside the config in force: pages per route and channel under each, the retries each would have started and what the recorded runs say of them, `thresholds` (the late, at-risk and backlog pages that appear or vanish, named), and `unpagedFaults`, the faults that paged under the config in force and would not under the new one. Nothing is written: not the config, not the store.",
      tags: ["Alerts"],
      scope: "admin",
      body: rehearseBodySchema,
      responses: {
        200: { description: "the rehearsal (unpagedFaults non-empty: the new config hides a fault)" },
        400: { description: "The config does not pass the check, or the window is not one" },
        409: { description: "The outbox keeps less history than the window" },
      },
    },
    async (c, { body }) => c.json(await rehearse(body.config, body.since)),
  );
}
