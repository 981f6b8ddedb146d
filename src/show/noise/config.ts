// Config of the noise report (docs/noise.md#measuring-the-noise): the budget it measures pages against, and whether
// the weekly report carries it (to the routes that list report.weekly in on:).
import { z } from "zod";

/** The longest window the report reads (GET /v4/noise?sinceDays=…). */
export const NOISE_MAX_DAYS = 31;

export const noiseSchema = () =>
  z
    .strictObject({
      weekly: z
        .boolean()
        .default(true)
        .describe("Add the noise of the last seven days, with its proposals, to the weekly report (sent only to routes whose on: lists report.weekly)."),
      pagesPerPerson: z.number().int().min(1).max(1000).default(8).describe("Pages a week one on-call person can take: the budget line's measure."),
      onCallPeople: z.number().int().min(1).max(100).default(1).describe("People who share the on-call duty; the budget is pagesPerPerson × onCallPeople."),
      actedOnGoal: z.number().min(0).max(1).default(0.3).describe("The share of pages that should be acknowledged (acted on); below it, the report says so."),
      top: z.number().int().min(1).max(50).default(5).describe("How many noisiest tasks the report lists and makes proposals for."),
    })
    .prefault({})
    .describe("The noise report: pages per route and kind, what was acted on, the budget, and proposed config changes.");
export type NoiseConfig = z.infer<ReturnType<typeof noiseSchema>>;

export const DEFAULT_NOISE: NoiseConfig = { weekly: true, pagesPerPerson: 8, onCallPeople: 1, actedOnGoal: 0.3, top: 5 };
