// GET /v4/maintenance (scope admin): the windows the config declares, the occurrences active now and the next one of
// each. The dashboard's banner shows the active ones on every page.
import { z } from "zod";
import type { Router } from "../../platform/http/route";
import type { MaintenanceService } from "./service";
import type { Occurrence } from "./windows";

const view = (o: Occurrence) => ({
  window: o.window,
  reason: o.reason ?? null,
  scope: o.scope,
  startsAt: new Date(o.startsAt).toISOString(),
  endsAt: new Date(o.endsAt).toISOString(),
});

const OccurrenceSchema = z.object({ window: z.string(), reason: z.string().nullable(), scope: z.string(), startsAt: z.string(), endsAt: z.string() });

export function registerMaintenanceRoutes(router: Router, service: MaintenanceService): void {
  router.route(
    {
      method: "get",
      path: "/v4/maintenance",
      summary: "Maintenance windows active now and coming next",
      description: "Alerts of events a window covers are held while it lasts (recorded as suppressed) and summed up in one maintenance.summary at its end.",
      tags: ["Alerts"],
      scope: "read",
      responses: {
        200: { description: "Windows", schema: () => z.object({ active: z.array(OccurrenceSchema), upcoming: z.array(OccurrenceSchema) }) },
      },
    },
    (c) => c.json({ active: service.active().map(view), upcoming: service.upcoming().map(view) }),
  );
}
