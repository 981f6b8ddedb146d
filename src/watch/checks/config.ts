// Config of the data checks (src/watch/checks): named Engine expressions with an expectation, attached to apps or
// reload tasks, evaluated after each successful reload. An expectation that does not parse is a config error
// at its line. Built on first use (lazySection): a config that leaves the block out never builds its schema.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";
import { DurationSchema } from "../../platform/core/duration";
import { parseExpectation } from "./expectation";

const buildCheck = () => {
  const Names = z.array(z.string().min(1));
  const NameValues = z.array(
    z.strictObject({ name: z.string().min(1).describe("Custom property name."), value: z.string().describe("Custom property value.") }),
  );
  return z
    .strictObject({
      name: z
        .string()
        .min(1)
        .max(100)
        .regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, "letters, digits, space, _ . - (starting with a letter or digit)")
        .describe("Unique name: shown in alerts, the dashboard and metrics, and usable as a StewardChecks value."),
      description: z.string().optional().describe("What the check guards, for people reading the config."),
      expression: z.string().min(1).max(10_000).describe("Qlik expression the Engine evaluates in the app, e.g. NoOfRows('Orders') or Sum(Amount)."),
      expect: z
        .string()
        .superRefine((text, ctx) => {
          const r = parseExpectation(text);
          if (!r.ok) ctx.addIssue({ code: "custom", message: `expectation: ${r.error}` });
        })
        .describe('What the value must be: "> 0", ">= Today() - 1", "between 1e5 and 1e8", ">= 0.8 * previous", "= \'EUR\'".'),
      severity: z.enum(["warn", "block"]).default("warn").describe("block: a failure holds back the follow-up tasks Steward would start after the reload."),
      apps: Names.optional().describe("Apps by id or name (case-insensitive)."),
      appTags: Names.optional().describe("Apps with any of these Qlik tags."),
      streams: Names.optional().describe("Apps published to any of these streams."),
      appCustomProperties: NameValues.optional().describe("Apps with any of these custom property values."),
      tasks: Names.optional().describe("Reload tasks by id or name: the check runs after their reloads."),
      taskTags: Names.optional().describe("Reload tasks with any of these Qlik tags."),
      sets: Names.optional().describe(
        "Check sets this check belongs to: an app or reload task whose StewardChecks custom property names a set gets its checks.",
      ),
    })
    .describe("One data check. It applies to an app when any of its attachments (apps, appTags, streams, appCustomProperties, tasks, taskTags, sets) matches.");
};

const ATTACHMENTS = ["apps", "appTags", "streams", "appCustomProperties", "tasks", "taskTags", "sets"] as const;

export const DataChecksSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Run the checks. Off: the section is kept but not used."),
      engine: z
        .strictObject({
          host: z.string().min(1).optional().describe("Engine node to open apps on; default qlik.host."),
          port: z.number().int().min(1).max(65535).optional().describe("Default qlik.enginePort."),
        })
        .prefault({})
        .describe("Where the checks run. Opening an app loads it into that Engine's memory: pick a node with room to spare."),
      concurrency: z.number().int().min(1).max(16).default(1).describe("Apps checked at the same time (each one loaded in the Engine)."),
      timeout: DurationSchema.prefault("2m").describe("Per app: connecting, opening it and evaluating every check. Past it: data.check_error."),
      retryDelay: DurationSchema.prefault("15s").describe(
        "An Engine that cannot be reached (or drops the connection) is tried once more after this long before data.check_error; 0s: not.",
      ),
      maxAppSizeMb: z.number().int().min(1).optional().describe("Apps larger than this (QRS file size) are not opened: data.check_error instead."),
      customProperty: z
        .string()
        .min(1)
        .default("StewardChecks")
        .describe("QMC custom property on apps and reload tasks whose values name check sets (or checks)."),
      holdOnError: z.boolean().default(true).describe("A block check that could not be evaluated holds back the follow-up tasks too."),
      maxWait: DurationSchema.prefault("30m").describe(
        "How long a follow-up task waits for its reload's checks (queue included); past it they count as an error.",
      ),
      keep: DurationSchema.prefault("90d").describe("How long check values stay in the store (history, dashboard, previous)."),
      influxChannel: z.string().min(1).optional().describe("Name of an influxdb channel to write every value to (measurement steward_data_check)."),
      checks: z.array(buildCheck()).min(1).describe("The checks, each with a name, an Engine expression, an expectation and what it applies to."),
    })
    .superRefine((cfg, ctx) => {
      const seen = new Map<string, number>();
      cfg.checks.forEach((c, i) => {
        const key = c.name.toLowerCase();
        if (seen.has(key))
          ctx.addIssue({ code: "custom", path: ["checks", i, "name"], message: `check name "${c.name}" is used twice (also checks[${seen.get(key)}])` });
        else seen.set(key, i);
        if (!ATTACHMENTS.some((a) => c[a] !== undefined && c[a].length > 0)) {
          ctx.addIssue({
            code: "custom",
            path: ["checks", i],
            message: `check "${c.name}" is attached to nothing: give apps, appTags, streams, appCustomProperties, tasks, taskTags or sets`,
          });
        }
      });
    })
    .describe("Data checks after each successful reload: Engine expressions and what their values must be (see docs/data-checks.md)."),
);

export type DataChecksConfig = z.infer<typeof DataChecksSchema>;
export type DataCheckConfig = z.infer<ReturnType<typeof buildCheck>>;

/** The checks read Qlik Sense, and their influxChannel must name an influxdb channel. */
export function checkDataCheckReferences(
  config: { dataChecks?: DataChecksConfig; qlik?: unknown; channels: Record<string, { type: string }> },
  ctx: z.RefinementCtx,
): void {
  const dc = config.dataChecks;
  if (!dc?.enabled) return;
  if (!config.qlik)
    ctx.addIssue({
      code: "custom",
      path: ["dataChecks"],
      message: "dataChecks evaluate expressions in the Engine: configure qlik: (host and certificates) or remove dataChecks",
    });
  if (dc.influxChannel !== undefined && config.channels[dc.influxChannel]?.type !== "influxdb") {
    ctx.addIssue({ code: "custom", path: ["dataChecks", "influxChannel"], message: `no influxdb channel named "${dc.influxChannel}"` });
  }
}
