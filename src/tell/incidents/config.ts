// Config of incidents (src/tell/incidents/): the run history kept per task, the error-class rules added to the
// built-in pattern table, and the "succeeded with warnings" rules. On by default; `steward config import-butler`
// turns the warnings off (a Butler site got no such alerts).
import { z } from "zod";
import { ERROR_CLASSES } from "../../platform/events/run-context";
import { DurationSchema } from "../../platform/core/duration";
import { pageAfterSchema } from "../notify/page-after";

type KnownClass = Exclude<(typeof ERROR_CLASSES)[number], "unknown">;
const CLASSES = ERROR_CLASSES.filter((c): c is KnownClass => c !== "unknown") as [KnownClass, ...KnownClass[]];

/** A regular expression from the config: compiled once here, so a typo is a config error naming the key. */
const patternSchema = () =>
  z
    .string()
    .min(1)
    .max(1_000)
    .superRefine((s, ctx) => {
      try {
        new RegExp(s, "i");
      } catch (err) {
        ctx.addIssue({ code: "custom", message: `not a valid regular expression: ${(err as Error).message}` });
      }
    })
    .transform((s) => new RegExp(s, "i"));

export const errorClassRuleSchema = () =>
  z.strictObject({
    class: z.enum(CLASSES).describe("The class a matching line gets."),
    pattern: patternSchema().describe("Regular expression (case-insensitive) tried on the line that states the failure, e.g. 'RFC_ERROR_COMMUNICATION'."),
  });

export const incidentsSchema = () =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Incidents, run history, error classes and warnings for task events."),
      keepRuns: DurationSchema.prefault("35d").describe("How long finished runs are kept for the history of later runs."),
      keepClosed: DurationSchema.prefault("90d").describe("How long closed incidents stay listed."),
      seedFromQrs: z
        .boolean()
        .default(true)
        .describe("The first time a task is seen, read its earlier runs from QRS so the first alert already has a history."),
      schedulerUsers: z
        .array(z.string().min(1))
        .default(["INTERNAL\\sa_scheduler"])
        .describe("Accounts the Qlik Sense Scheduler runs tasks as: a run by one of them was started by a trigger or a task chain, not a person."),
      errorClasses: z
        .array(errorClassRuleSchema())
        .max(500)
        .default([])
        .describe("Rules tried before the built-in pattern table (first match wins), e.g. for a connector's own messages."),
      hints: z
        .partialRecord(z.enum(ERROR_CLASSES), z.string().min(1).max(500))
        .default({})
        .describe("Replace the built-in one-line hint of a class, e.g. { connection: 'Call the DBA on-call: +46 …' }."),
      pageAfter: z
        .array(
          pageAfterSchema().extend({
            taskIds: z.array(z.string().min(1)).optional().describe("Tasks, by id."),
            taskNames: z.array(z.string().min(1)).optional().describe("Task names; * matches any characters."),
            appIds: z.array(z.string().min(1)).optional().describe("Tasks of these apps, by id."),
            appNames: z.array(z.string().min(1)).optional().describe("Tasks of these apps, by name; * matches any characters."),
          }),
        )
        .default([])
        .describe(
          "Tolerance for known-flaky tasks and apps: the first rule whose filters all match a task (a rule without filters matches every task) " +
            "holds its failures on every route until `failures` of them came within `within`; a route's own pageAfter takes its place on that route. " +
            "Empty (default): the 1st failure pages.",
        ),
      warnings: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe("Raise task.warning for a successful reload that looks wrong (needs the script log of successful reloads, fetched then)."),
          skippedErrors: z.boolean().default(true).describe("The log shows errors the script continued past (ErrorMode 0)."),
          emptyTables: z
            .strictObject({
              enabled: z.boolean().default(true).describe("Warn when a table earlier runs filled loaded 0 rows."),
              minRuns: z
                .number()
                .int()
                .min(1)
                .max(10)
                .default(3)
                .describe("Earlier runs that must have filled the table; all of the last 10 that loaded it must have."),
            })
            .prefault({})
            .describe("A table earlier runs filled loaded 0 rows."),
          shortRun: z
            .strictObject({
              enabled: z.boolean().default(true).describe("Warn when a run is far shorter than the task usually takes."),
              fraction: z.number().gt(0).lt(1).default(0.2).describe("Warn when a run takes less than this fraction of the usual duration."),
              minUsual: DurationSchema.prefault("1m").describe("Only for tasks that usually take at least this long."),
              minRuns: z.number().int().min(3).max(10).default(5).describe("Successful runs the usual duration must be read from."),
            })
            .prefault({})
            .describe("A run in a small fraction of its usual time (the median of the last 10 successful runs), and under half of the quickest of them."),
        })
        .prefault({})
        .describe("task.warning: a successful reload that looks wrong (errors skipped under ErrorMode 0, an emptied table, a far too short run)."),
    })
    .describe(
      "Incidents per task (opened by a failure, updated by the next ones, closed by a success with task.recovered), run history and likely cause on every task event, task.warning.",
    );
/** For tests and scripts: built on first use and kept. Steward builds it per parse (incidentsSchema()), so it is dropped after. */
export const IncidentsSchema = z.lazy(incidentsSchema);

export type IncidentsConfig = z.infer<ReturnType<typeof incidentsSchema>>;
