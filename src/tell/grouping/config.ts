// Config of incidents per cause (src/tell/grouping/): which failures share a cause and page once as a parent.
import { z } from "zod";
import { ERROR_CLASSES } from "../../platform/events/run-context";
import { DurationSchema } from "../../platform/core/duration";

type KnownClass = Exclude<(typeof ERROR_CLASSES)[number], "unknown">;
const CLASSES = ERROR_CLASSES.filter((c): c is KnownClass => c !== "unknown") as [KnownClass, ...KnownClass[]];

export const groupingSchema = () =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Failures that share a cause page once, as one parent incident listing every task and app affected."),
      sameSource: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Group failures of the same error class reading the same data connection or source."),
          classes: z
            .array(z.enum(CLASSES))
            .min(1)
            .default(["connection", "access", "timeout"])
            .describe("Error classes for which the source is the cause (a script error in one app is not another app's)."),
        })
        .prefault({})
        .describe("The same error class and the same data connection or source (from the script log)."),
      nodeDown: z
        .strictObject({
          enabled: z.boolean().default(true).describe("A Qlik service stopped on a node is the cause of what that node then misses or fails."),
          services: z
            .array(z.string().min(1).max(200))
            .min(1)
            .default(["QlikSense*", "Qlik Sense*"])
            .describe("Watched services (serviceMonitor) whose stop opens a node's cause; * matches any characters."),
          failingRuns: z
            .strictObject({
              enabled: z
                .boolean()
                .default(true)
                .describe("Every run of a node failing in the window opens the node's cause, even with no service seen stopped."),
              window: DurationSchema.prefault("15m").describe("How far back the node's ended runs are looked at."),
              minTasks: z
                .number()
                .int()
                .min(2)
                .max(10_000)
                .default(5)
                .describe("Distinct tasks that must have failed on the node in the window (and none succeeded) before the node is the cause."),
              classes: z
                .array(z.enum(CLASSES))
                .min(1)
                .default(["executor", "memory", "file", "lock", "timeout", "connection", "access"])
                .describe("Error classes of the failures counted: a node's trouble, not a script's own error (script is left out by default)."),
            })
            .prefault({})
            .describe("A node whose runs all fail: failures no other rule grouped, counted per node."),
          unreachable: z
            .strictObject({
              enabled: z
                .boolean()
                .default(true)
                .describe(
                  "Read each node's service states from QRS (servicestatus/full, the QMC's service status) and raise service.stopped for a service the central Repository cannot reach, or for the Repository on qlik.host when QRS does not answer. Needs qlik:; on by default, so a node down is one cause without any setting.",
                ),
              interval: DurationSchema.prefault("60s").describe(
                "Time between two reads of the service states while every watched service is running (each read opens a TLS connection to QRS: most of what an idle Steward costs).",
              ),
              recheck: DurationSchema.prefault("30s").describe(
                "Time between two reads while a watched service is seen unreachable, until it is counted down and while it is down: more reads inside `after`, and its return heard sooner. Never longer than `interval`.",
              ),
              after: DurationSchema.prefault("2m").describe(
                "How long a service must be seen unreachable on every read before it counts as down: a shorter blip opens nothing.",
              ),
              services: z
                .array(z.enum(["repository", "scheduler", "engine", "proxy", "printing"]))
                .min(1)
                .default(["repository", "scheduler"])
                .describe("Which services of each node are watched: by default the Repository (QRS) and the Scheduler."),
            })
            .prefault({})
            .describe("A node's QRS or Scheduler unreachable, as QRS reports it: opens the node's cause like a stopped service."),
        })
        .prefault({})
        .describe("A node or Qlik service down: its later task.missed, task.chain_broken, task.running_long and failed runs are symptoms."),
      updates: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe("A parent that comes to affect more tasks or apps after its first page sends an update to the channels that page went to."),
          every: DurationSchema.prefault("30m").describe(
            "At most one update per parent this often: it lists every task and app added since the parent's last page.",
          ),
        })
        .prefault({})
        .describe("Update pages of an open parent, rate-limited: never one per symptom."),
      upstream: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe(
              "A failed task that others wait for (task-event triggers), or a check-in job that failed or did not check in, is the cause of what then does not happen downstream.",
            ),
          symptoms: z
            .array(z.enum(["task.chain_broken", "task.missed", "app.stale", "app.freshness_warning", "app.freshness_breached"]))
            .default(["task.chain_broken", "task.missed", "app.stale", "app.freshness_warning", "app.freshness_breached"])
            .describe("Watchdog and freshness alerts that join the open cause of their upstream instead of paging on their own."),
        })
        .prefault({})
        .describe("Upstream failures: the chain graph the watchdog reads from QRS, and the feeds of check-in jobs (checkins.checks.<name>.feeds)."),
    })
    .describe("Incidents per cause: one page when a cause opens, one when its last symptom recovers; the symptoms are listed, not sent.");
/** For tests and scripts: built on first use and kept. Steward builds it per parse (groupingSchema()), so it is dropped after. */
export const GroupingSchema = z.lazy(groupingSchema);

export type GroupingConfig = z.infer<ReturnType<typeof groupingSchema>>;
