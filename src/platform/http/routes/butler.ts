// Butler-compatible housekeeping routes: ping and the list of enabled endpoints.
import { z } from "zod";
import { VERSION } from "../../core/version";
import type { Router } from "../route";

export function registerButlerRoutes(router: Router): void {
  router.route(
    {
      method: "get",
      path: "/v4/butlerping",
      summary: "Butler-compatible ping",
      tags: ["butler"],
      scope: "public",
      butlerFlag: "butlerping",
      responses: { 200: { description: "alive", schema: () => z.object({ response: z.string(), butlerVersion: z.string() }) } },
    },
    (c) => c.json({ response: "Butler reporting for duty", butlerVersion: VERSION }),
  );

  router.route(
    {
      method: "get",
      path: "/v4/configfile/endpointsenabled",
      summary: "Names of the Butler endpoint flags whose routes this Steward serves",
      description:
        "Butler answers with the leaf names of `restServerEndpointsEnable` flags that are true; Steward lists the flags of the routes it has registered.",
      tags: ["butler"],
      scope: "public",
      butlerFlag: "apiListEnabledEndpoints",
      responses: { 200: { description: "flag names", schema: () => z.array(z.string()) } },
    },
    (c) => c.json([...new Set(router.routes.flatMap((r) => (r.butlerFlag ? [r.butlerFlag] : [])))].sort()),
  );
}
