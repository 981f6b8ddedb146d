// Butler-compatible housekeeping routes: ping and the list of enabled endpoints.
import { z } from "zod";
import { VERSION } from "../../core/version";
import { jsonAnswer } from "../request-state";
import type { Router } from "../route";

/** The ping's answer never changes: made into text once, and answered with the request's id (jsonAnswer). */
const PING_BODY = JSON.stringify({ response: "Butler reporting for duty", butlerVersion: VERSION });

export function registerButlerRoutes(router: Router): void {
  router.route(
    {
      method: "get",
      path: "/v4/butlerping",
      summary: "Butler-compatible ping",
      tags: ["butler"],
      scope: "public",
      storeFree: true,
      butlerFlag: "butlerping",
      responses: { 200: { description: "alive", schema: () => z.object({ response: z.string(), butlerVersion: z.string() }) } },
    },
    (c) => jsonAnswer(c, PING_BODY),
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
      storeFree: true,
      butlerFlag: "apiListEnabledEndpoints",
      responses: { 200: { description: "flag names", schema: () => z.array(z.string()) } },
    },
    (c) => c.json([...new Set(router.routes.flatMap((r) => (r.butlerFlag ? [r.butlerFlag] : [])))].sort()),
  );
}
