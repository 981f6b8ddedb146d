// POST /v4/admin/reload: the same reload as SIGHUP, answering with what changed, what was applied and what
// needs a restart (400 with the config errors when the file is invalid; the running config stays).
import { z } from "zod";
import { auditActorOf } from "../../platform/http/audit-actor";
import type { Router } from "../../platform/http/route";
import type { ConfigReloader } from "../../platform/config/reload/reloader";

export function registerReloadRoutes(router: Router, reloader: ConfigReloader): void {
  router.route(
    {
      method: "post",
      path: "/v4/admin/reload",
      summary: "Reload the config file (like SIGHUP)",
      description:
        "Reads and validates the config file again. Valid: security, channels, routes, notify, heartbeat and service monitoring " +
        "apply at once; other changed sections are listed in restartRequired. Invalid: 400 with every error; nothing changes.",
      tags: ["admin"],
      scope: "admin",
      responses: {
        200: {
          description: "reloaded",
          schema: () =>
            z.object({
              ok: z.literal(true),
              file: z.string(),
              trigger: z.string(),
              changed: z.array(z.string()),
              applied: z.array(z.string()),
              restartRequired: z.array(z.string()),
              durationMs: z.number(),
            }),
        },
        400: { description: "the file is invalid; the running config stays" },
        409: { description: "Steward runs on built-in defaults (no config file)" },
      },
    },
    async (c) => c.json(await reloader.reload("api", auditActorOf(c))),
  );
}
