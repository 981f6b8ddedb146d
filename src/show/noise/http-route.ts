// GET /v4/noise (the report), GET /v4/noise/proposals/{id} (a proposal as a diff against the config file) and
// POST /v4/noise/proposals/{id}/apply (written after the config check passes, audited, reloaded).
import { z } from "zod";
import { auditActorOf } from "../../platform/http/audit-actor";
import type { Router } from "../../platform/http/route";
import { NOISE_MAX_DAYS } from "./config";
import type { NoiseService } from "./service";
import type { NoiseReport } from "./types";

const sinceDays = z.coerce
  .number()
  .int()
  .min(1)
  .max(NOISE_MAX_DAYS)
  .default(7)
  .describe(`The window: the last N days, up to now (default 7, at most ${NOISE_MAX_DAYS}).`);
const proposalId = z.object({ id: z.string().regex(/^[a-z0-9-]{1,80}$/, "a proposal id as GET /v4/noise lists it, e.g. page-after-route-on-call") });

/** The report as the API answers it: times as ISO text. */
export function noiseAnswer(r: NoiseReport) {
  return { ...r, from: new Date(r.from).toISOString(), to: new Date(r.to).toISOString() };
}

export function registerNoiseRoutes(router: Router, noise: NoiseService): void {
  router.route(
    {
      method: "get",
      path: "/v4/noise",
      summary: "How noisy the pages were, and what to change",
      description:
        "For the last `sinceDays` days: per route and per kind the pages sent and held, the share acknowledged, the median time to acknowledge and the share that recovered by itself; the noisiest tasks and routes; pages per week against the budget and the share acted on; and for each noisy source a proposed config change (a YAML fragment and its path). Steward never applies one by itself.",
      tags: ["Alerts"],
      scope: "read",
      query: z.object({ sinceDays }),
      responses: { 200: { description: "the noise report" } },
    },
    async (c, { query }) => c.json(noiseAnswer(await noise.report(query.sinceDays))),
  );
  router.route(
    {
      method: "get",
      path: "/v4/noise/proposals/:id",
      summary: "A proposed config change, as a diff against the config file",
      description:
        "What `steward config propose ID` prints: the proposal, the lines of the config file it would change, and `reviewed`, a hash of that diff to give to the apply. Nothing is written.",
      tags: ["Alerts"],
      scope: "admin",
      params: proposalId,
      query: z.object({ sinceDays }),
      responses: {
        200: { description: "the proposal, the file and the diff" },
        404: { description: "No such proposal in the window" },
        409: { description: "No config file, or a change made outside it" },
      },
    },
    async (c, { params, query }) => c.json(await noise.review(params.id, query.sinceDays)),
  );
  router.route(
    {
      method: "post",
      path: "/v4/noise/proposals/:id/apply",
      summary: "Apply a proposed config change",
      description:
        "Writes the proposal into the config file (every other line stays as written) only when the changed file passes `steward config check`, records it in the audit log (config.apply_proposal) and reloads the config. A change to routes applies at once; others are reported under restartRequired.",
      tags: ["Alerts"],
      scope: "admin",
      params: proposalId,
      body: z
        .strictObject({
          sinceDays: sinceDays.optional(),
          reviewed: z
            .string()
            .regex(/^[0-9a-f]{12}$/, "the 12 hexadecimal digits GET /v4/noise/proposals/{id} answered as reviewed")
            .optional()
            .describe("The `reviewed` of the review: the diff written is that one, or the answer is 409 and nothing is written."),
        })
        .prefault({}),
      responses: {
        200: { description: "the proposal, the diff written and the reload's answer" },
        400: { description: "The changed file does not pass the config check (nothing written)" },
        404: { description: "No such proposal in the window" },
        409: { description: "No config file, a change made outside it, or the diff is no longer the one reviewed" },
      },
    },
    async (c, { params, body }) => c.json(await noise.apply(params.id, auditActorOf(c), body.sinceDays ?? 7, body.reviewed)),
  );
}
