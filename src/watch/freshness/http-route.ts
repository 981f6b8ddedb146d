// GET /v4/freshness: every promise and the apps it names, for the administrator (the dashboard's Freshness page).
// /status is the users' view of the same apps; this one adds the promise, why an app is late and the next deadline.
import { z } from "zod";
import type { Clock } from "../../platform/core/clock";
import { AppError } from "../../platform/core/errors";
import type { Router } from "../../platform/http/route";
import { adminFreshnessView } from "./admin-view";
import type { Freshness } from "./setup";
import { FRESHNESS_MEANING, FRESHNESS_STATES } from "./states";

const RowSchema = z.lazy(() =>
  z.object({
    promise: z.string(),
    promiseText: z.string(),
    app: z.object({ id: z.string(), name: z.string(), stream: z.string().nullable() }),
    state: z
      .enum(FRESHNESS_STATES)
      .describe(`The app's state (docs/freshness.md, the same words everywhere): ${FRESHNESS_STATES.map((s) => `${s}: ${FRESHNESS_MEANING[s]}`).join("; ")}.`),
    dataAsOf: z.string().nullable(),
    lastSuccessTask: z.string().nullable(),
    failedAt: z.string().nullable().describe("The last failed reload, when later than the last success."),
    heldBy: z
      .string()
      .nullable()
      .describe("At risk with no alert open yet: the app is not fresh, however recently it reloaded, because a run upstream of it failed (docs/freshness.md)."),
    nextDeadline: z.string().nullable(),
    open: z
      .object({ deadline: z.string(), since: z.string(), why: z.string().nullable(), expectedAt: z.string().nullable(), failed: z.boolean() })
      .nullable()
      .describe("While the app is late or at risk: the deadline, since when, why, and when the alert expected it."),
    expected: z
      .object({
        deadline: z.string(),
        at: z.string().nullable(),
        overdue: z.boolean(),
        willMiss: z.string().nullable(),
        willMissForUsers: z.string().nullable(),
        cause: z
          .object({ id: z.number().int(), title: z.string(), since: z.string(), ended: z.string().nullable() })
          .nullable()
          .describe("The cause (GET /v4/causes/{id}) that holds the app's chain up: open (ended null), or ended since the chain began."),
      })
      .nullable()
      .describe(
        "While the app is not fresh for the deadline at hand and its chain has begun (a fresh-by promise): when it is now expected to be fresh (at), whether that time has passed (overdue), why the deadline will be missed (willMiss) and the cause that holds the chain up (cause), as the judge projected at its last look.",
      ),
  }),
);

export function registerFreshnessRoute(router: Router, deps: { freshness?: Freshness; clock: Clock }): void {
  router.route(
    {
      method: "get",
      path: "/v4/freshness",
      summary: "Every freshness promise and its apps: fresh, at risk, late or not known yet, data as of, next deadline, why when late and when expected",
      tags: ["Status"],
      scope: "read",
      responses: {
        200: { description: "Late first, then at risk", schema: () => z.object({ rows: z.array(RowSchema), lastError: z.string().nullable() }) },
        404: { description: "No freshness promises are configured" },
      },
    },
    async (c) => {
      const f = deps.freshness;
      if (!f) throw new AppError("NOT_FOUND", "no freshness promises are configured (freshness:)");
      const now = deps.clock.now();
      const [apps, open, projections, verdicts] = await Promise.all([f.store.apps(), f.store.openConditions(), f.projections(now), f.verdicts(now)]);
      return c.json({ rows: adminFreshnessView(f.service.promises(), apps, open, now, projections, verdicts), lastError: f.service.lastError() ?? null });
    },
  );
}
