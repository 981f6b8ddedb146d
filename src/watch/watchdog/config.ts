// Config of the watchdog (src/watch/watchdog/): what did not happen as the tasks' own QRS triggers planned. Off unless
// the block is present; needs qlik:. Every threshold is learned per task by default; these keys set the floors
// and the per-task, per-tag or per-app settings an administrator may prefer to QMC custom properties.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";
import { DurationSchema } from "../../platform/core/duration";

/** One rule's schema, built by WatchdogSchema's lazySection: a config without watchdog builds neither. */
const watchRuleSchema = () =>
  z
    .strictObject({
      taskIds: z
        .array(z.string().min(1))
        .optional()
        .describe("Task ids the rule applies to.")
        .meta({ examples: [["7552d9fc-d1bb-4975-9a38-18357de531ea"]] }),
      taskNames: z.array(z.string().min(1)).optional().describe("Task names (wildcard *) the rule applies to."),
      taskTags: z.array(z.string().min(1)).optional().describe("Tasks with one of these tags."),
      appIds: z
        .array(z.string().min(1))
        .optional()
        .describe("Apps (and their reload tasks) the rule applies to.")
        .meta({ examples: [["0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11"]] }),
      appTags: z.array(z.string().min(1)).optional().describe("Apps with one of these tags (and their reload tasks)."),
      watch: z.boolean().optional().describe("false: no watchdog alert for these tasks and apps (StewardWatch=off does the same per task)."),
      disabled: z
        .boolean()
        .optional()
        .describe("false: no task.disabled for these tasks (turned off on purpose, e.g. seasonal ones); their other alerts are unchanged."),
      grace: DurationSchema.optional().describe("How late a start may be before task.missed (StewardGrace)."),
      maxDuration: DurationSchema.optional().describe("A run longer than this is running long, instead of the learned limit (StewardMaxDuration)."),
      expectSuccessWithin: DurationSchema.optional().describe(
        "The app is stale when its last successful reload is older than this, instead of the learned interval (StewardExpectSuccessWithin).",
      ),
    })
    .describe("Settings for some tasks or apps; the first rule that names a task (or its app) wins, QMC custom properties on the task win over rules.");

export const WatchdogSchema = lazySection(() =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Watch the tasks' triggers and runs. Off: the section is kept but not used."),
      interval: DurationSchema.prefault("1m").describe(
        "How often runs in progress and new execution results are read from QRS (two small calls, plus three counts that tell when triggers changed).",
      ),
      planRefresh: DurationSchema.prefault("1h").describe("Tasks and triggers are read again at least this often, and whenever QRS shows one changed."),
      grace: DurationSchema.prefault("5m").describe(
        "Least time a start may be late before task.missed or task.chain_broken; at least the time a start usually takes on this site.",
      ),
      retrying: z
        .boolean()
        .default(false)
        .describe(
          "Raise a task.notice when QRS shows a run in Retry (status 10): the first failed attempt of a long retry chain. A notice, not a page: the run's outcome is paged (docs/noise.md).",
        ),
      runningLong: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Raise task.running_long while a run takes longer than its task usually does."),
          minRuns: z.number().int().min(2).max(100).default(5).describe("Successful runs to learn from before a task is judged."),
          learnRuns: z
            .number()
            .int()
            .min(2)
            .max(100)
            .default(10)
            .describe(
              "Until a task has this many successful runs its limit is still being learned: a run past it is a task.notice, and only a clear hang (4.5 × the median) is paged.",
            ),
          floor: DurationSchema.prefault("10m").describe("A run is never long before this (so a 20-second task is not paged at 40 seconds)."),
        })
        .prefault({})
        .describe(
          "task.running_long: a run in progress past what its task usually takes: the largest of the floor, 2 × the median of its recent successful runs, the median × e^(4 × (1 + 1/√runs) × their spread in log space) (up to 3 × the longest), and 1.25 × their 95th percentile (up to 4 × the median); scaled up on days whose runs take longer (month-end, a weekday). While fewer than learnRuns are seen: a task.notice past it, a page only past 4.5 × the median.",
        ),
      stale: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Raise app.stale when an app's last successful reload is older than expected."),
          factor: z.number().min(1.1).max(100).default(2).describe("Stale after this many usual intervals between its successful reloads (plus grace)."),
          minRuns: z.number().int().min(2).max(100).default(4).describe("Successful reloads to learn the usual interval from."),
        })
        .prefault({})
        .describe("app.stale: an app whose last successful reload is older than its usual interval allows."),
      queue: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe("Raise scheduler.queue_backlog when a node's Scheduler queue (reloads waiting for a free engine) stays non-empty too long."),
          backlogAfter: DurationSchema.prefault("15m").describe(
            "How long a node's queue may stay non-empty before it pages: half of Qlik's default queue timeout (30 minutes), so the page comes before Qlik cancels the first waiting run, while the few minutes a busy hour's first runs wait stay quiet. Never later than half the node's own queue timeout when QRS tells it.",
          ),
        })
        .prefault({})
        .describe(
          "scheduler.queue_backlog: each node's queued runs (QRS status Queued, or Triggered for over a minute) and its Max concurrent reloads (docs/scheduler-queue.md).",
        ),
      rules: z.array(watchRuleSchema()).max(1_000).default([]).describe("Settings for some tasks or apps, instead of the learned ones."),
      keepRuns: DurationSchema.prefault("35d").describe("How long finished runs are kept to learn durations and intervals from."),
      readLimit: z
        .number()
        .int()
        .min(50)
        .max(100_000)
        .default(500)
        .describe("Execution results one look reads at most (about 2.5 kB each); after a QRS outage the next looks carry on where it stopped."),
    })
    .describe("Alerts on what did not happen: missed runs, broken chains, hung reloads, stale apps (docs/watchdog.md)."),
);
export type WatchdogConfig = z.infer<typeof WatchdogSchema>;
export type WatchRule = WatchdogConfig["rules"][number];

/** The watchdog reads the tasks' triggers and runs from QRS, or Qlik Cloud tenants' Scheduling Tasks. */
export function checkWatchdogReferences(config: { watchdog?: WatchdogConfig; qlik?: unknown; qlikCloud?: { enabled: boolean } }, ctx: z.RefinementCtx): void {
  if (config.watchdog?.enabled && !config.qlik && !config.qlikCloud?.enabled)
    ctx.addIssue({
      code: "custom",
      path: ["watchdog"],
      message:
        "the watchdog reads the tasks' triggers and runs from QRS or a Qlik Cloud tenant's Scheduling Tasks: configure qlik: (host and certificates) or qlikCloud:, or remove watchdog",
    });
}
