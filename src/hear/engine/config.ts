// Config of reloads heard from the Qlik Sense Engine (src/hear/engine, docs/engine-reloads.md): which users are the
// Scheduler, which are service accounts, which failed reloads are alerted, where the script logs can be read.
import { z } from "zod";
import { DurationSchema } from "../../platform/core/duration";

const userGlobs = (dflt: string[], what: string) =>
  z
    .array(z.string().min(1).max(300))
    .max(500)
    .default(dflt)
    .describe(`${what} As DIRECTORY\\userid, case-insensitive; * matches any run of characters (INTERNAL\\*, CORP\\svc_*).`);

/** How many Engine reloads page per app and node an hour, failures and successes (issue 75, issue 86). */
const pageBudgetSchema = () =>
  z
    .strictObject({
      perAppPerHour: z.number().int().min(1).max(10_000).default(4).describe("Failed reloads alerted per app and hour at most (a token bucket)."),
      perNodePerHour: z.number().int().min(1).max(100_000).default(30).describe("Failed reloads alerted per node and hour at most (a token bucket)."),
      successes: z
        .strictObject({
          perAppPerHour: z
            .number()
            .int()
            .min(1)
            .max(10_000)
            .default(6)
            .describe("Successful reloads announced (app.reload_succeeded) per app and hour at most (a token bucket)."),
          perNodePerHour: z.number().int().min(1).max(100_000).default(60).describe("Successful reloads announced per node and hour at most (a token bucket)."),
        })
        .prefault({})
        .describe(
          "Successes page too where a route sends app.reload_succeeded to a channel: beyond this budget a success is listed and counted (verdict over_budget), not announced. The first success after a failure alerted is the recovery and always goes out.",
        ),
    })
    .prefault({})
    .describe(
      "Beyond the budget a failed reload is listed (dashboard, reports) and counted (verdict over_budget), not alerted; the failures of one app are one cause anyway (one page, its next failures listed there).",
    );

export const engineReloadsSchema = () =>
  z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe("Hear the Engine's reload lines (they arrive only once its appender file is installed: steward appender-xml --engine)."),
      schedulerUsers: userGlobs(
        ["INTERNAL\\sa_scheduler"],
        "The account the Scheduler reloads apps as: the Engine logs its reloads too, and the Scheduler's own datagrams already report them, so these are never alerted here.",
      ),
      serviceAccounts: userGlobs(
        ["INTERNAL\\*"],
        "Accounts that are not people (integrations, mashups, Steward itself): their failed reloads are alerted even on apps that are not published.",
      ),
      alertFor: z
        .strictObject({
          publishedApps: z.boolean().default(true).describe("A failed reload of a published app, whoever started it (the app people read is now stale)."),
          serviceAccounts: z.boolean().default(true).describe("A failed reload started by a service account, published app or not (nobody watches it)."),
          developers: z
            .boolean()
            .default(false)
            .describe("A failed reload of an app that is not published, by a person (a developer iterating in the data load editor sees the error there)."),
        })
        .prefault({})
        .describe("Which failed reloads outside the Scheduler raise app.reload_failed; every reload is listed on the dashboard whatever is chosen here."),
      alwaysUsers: userGlobs([], "Users whose failed reloads are always alerted."),
      ignoreUsers: userGlobs([], "Users whose failed reloads are never alerted (checked after alwaysUsers)."),
      settle: DurationSchema.prefault("5s").describe(
        "After a reload's end line, how long its other lines (the Engine's service log, a second audit line) are awaited before it is judged.",
      ),
      forgetRunningAfter: DurationSchema.prefault("1d").describe("A reload whose start was heard but no end is forgotten after this (a lost datagram)."),
      scriptLogDirs: z
        .record(z.string().min(1).max(255), z.string().min(1).max(1_000))
        .default({})
        .describe(
          "Per node (short or full host name, or * for any node): a folder Steward can read the Engine's script logs in, e.g. " +
            "C:\\ProgramData\\Qlik\\Sense\\Log\\Script on the node itself, or \\\\sense2\\c$\\ProgramData\\Qlik\\Sense\\Log\\Script. " +
            "The failed reload's log (<app id>.<time>.log) then goes with the alert.",
        )
        .meta({ examples: [{ "*": "C:\\ProgramData\\Qlik\\Sense\\Log\\Script" }] }),
      scriptLog: z
        .strictObject({
          headLines: z.number().int().min(0).max(1_000).default(20).describe("First lines of the script log kept on the event."),
          tailLines: z.number().int().min(0).max(5_000).default(40).describe("Last lines kept; the lines that state the failure are kept as well."),
          maxBytes: z
            .number()
            .int()
            .min(1_024)
            .max(50 * 1024 * 1024)
            .default(1024 * 1024)
            .describe("At most this much of the log's end is read."),
        })
        .prefault({})
        .describe("How much of a failed reload's script log goes with the alert."),
      linesCheck: z
        .strictObject({
          enabled: z
            .boolean()
            .default(true)
            .describe(
              "Once a node's Engine has sent a line, check that each Scheduler reload QRS confirms there is heard from the Engine too; when none comes, the node's Engine lines are incomplete (/ready, the doctor, one steward.degraded).",
            ),
          within: DurationSchema.prefault("5m").describe("How long after a Scheduler reload is heard its node's Engine lines are awaited."),
        })
        .prefault({})
        .describe("Steward checks its own ears: whether the Engine's lines of each node keep coming (docs/engine-reloads.md)."),
      keep: DurationSchema.prefault("30d").describe("How long the reloads heard are listed (dashboard, reports, MCP)."),
      maxRunsPerMinute: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .default(600)
        .describe(
          "Reloads judged per minute at most, as a steady rate (a token bucket): beyond it they are counted and dropped, said in one log line a minute (a flood of forged lines cannot fill the store).",
        ),
      burst: z.number().int().min(1).max(100_000).default(60).describe("Reloads judged at once above maxRunsPerMinute's steady rate (the bucket's size)."),
      pageBudget: pageBudgetSchema(),
      maxOpen: z
        .number()
        .int()
        .min(10)
        .max(100_000)
        .default(2_000)
        .describe("Reloads awaited at once (started, not ended); the oldest is forgotten beyond it."),
      maxStoreBytes: z
        .number()
        .int()
        .min(1024 * 1024)
        .max(4 * 1024 * 1024 * 1024)
        .default(32 * 1024 * 1024)
        .describe(
          "Bytes of text the store keeps of the reloads heard (each keeps at most 4 KiB of failing lines); beyond it the oldest are deleted, whatever `keep` says.",
        ),
      maxStoreBytesPerSourcePerHour: z
        .number()
        .int()
        .min(64 * 1024)
        .max(4 * 1024 * 1024 * 1024)
        .default(4 * 1024 * 1024)
        .describe(
          "Bytes of reloads one sender's address may add to the store per hour (a token bucket as large as an hour's worth); beyond it its reloads are counted (verdict source_budget) and dropped, said in one log line a minute. A sender spoofing a node's address cannot replace the table's history with its own.",
        ),
    })
    .describe("Reloads outside the Scheduler, heard from the Qlik Sense Engine's log lines (hub, data load editor, Engine API): docs/engine-reloads.md.");

export type EngineReloadsConfig = z.infer<ReturnType<typeof engineReloadsSchema>>;
