// GET /v4/freshness: every promise and the apps it names, for the administrator (the dashboard's Freshness page).
// /status is the users' view of the same apps; this one adds the promise, why an app is late and the next deadline.
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { AppError } from "../../platform/core/errors";
import type { Router } from "../../platform/http/route";
import { adminFreshnessView } from "./admin-view";
import type { Freshness } from "./setup";

const RowSchema = z.object({
  promise: z.string(),
  promiseText: z.string(),
  app: z.object({ id: z.string(), name: z.string(), stream: z.string().nullable() }),
  state: z.enum(["fresh", "warning", "breached", "unknown"]).describe("unknown: Steward has seen no successful reload of the app yet."),
  dataAsOf: z.string().nullable(),
  lastSuccessTask: z.string().nullable(),
  failedAt: z.string().nullable().describe("The last failed reload, when later than the last success."),
  nextDeadline: z.string().nullable(),
  open: z
    .object({ deadline: z.string(), since: z.string(), why: z.string().nullable(), expectedAt: z.string().nullable(), failed: z.boolean() })
    .nullable()
    .describe("While the app is late: the deadline, since when, why, and when it is now expected."),
});

export function registerFreshnessRoute(router: Router, deps: { freshness?: Freshness; clock: Clock }): void {
  router.route(
    {
      method: "get",
      path: "/v4/freshness",
      summary: "Every freshness promise and its apps: fresh, warning or breached, data as of, next deadline, and why when late",
      tags: ["Status"],
      scope: "read",
      responses: {
        200: { description: "Breached first, then warnings", schema: z.object({ rows: z.array(RowSchema), lastError: z.string().nullable() }) },
        404: { description: "No freshness promises are configured" },
      },
    },
    async (c) => {
      const f = deps.freshness;
      if (!f) throw new AppError("NOT_FOUND", "no freshness promises are configured (freshness:)");
      const [apps, open] = await Promise.all([f.store.apps(), f.store.openConditions()]);
      return c.json({ rows: adminFreshnessView(f.service.promises(), apps, open, deps.clock.now()), lastError: f.service.lastError() ?? null });
    },
  );
}
