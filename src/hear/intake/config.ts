// Config of the task-event intake: extra UDP listener settings (allowlist, sizes) and the pipeline behind it
// (queue, dedupe, enrichment lookups, distribute polling, QRS reconciliation).
import { z } from "zod";
import { parseRange } from "../../platform/security/ip-match";

/** An IP, a CIDR, a host name, or "*"; something that looks like an address or range must parse as one. */
const sourceSchema = () =>
  z
    .string()
    .min(1)
    .refine((v) => v === "*" || parseRange(v) !== undefined || (!v.includes("/") && !/^[\d.*]+$/.test(v) && !v.includes(":") && !v.includes("*")), {
      message: 'not a valid IP address, CIDR range (10.0.0.0/24, fd00::/8), host name, or "*" (any source)',
    });

/** Fields added to the `udp:` section (declared in sections/core.ts). */
export const udpIntakeFields = () =>
  ({
    allowedSources: z
      .array(sourceSchema())
      .default([])
      .describe(
        "Who may send datagrams (the Scheduler's and the Engine's): IPs (10.0.0.5, fe80::1), CIDRs (10.0.0.0/24, fd00::/8) or host names " +
          "(re-resolved periodically). Empty: the Qlik nodes only, qlik.host and the server nodes QRS lists (this server's loopback " +
          'only without a qlik: section). "*": any source, on purpose. A datagram from anyone else is refused and counted.',
      ),
    resolveIntervalSeconds: z.number().int().min(10).max(86_400).default(300).describe("How often host names in allowedSources are resolved again."),
    maxDatagramBytes: z.number().int().min(256).max(65_535).default(65_507).describe("Larger datagrams are dropped and counted."),
    maxFieldChars: z
      .number()
      .int()
      .min(500)
      .max(65_535)
      .default(16_384)
      .describe("Generous cap per field (the log message included) after control characters are stripped; Butler cut at 500."),
  }) as const;

/** The `enrichment:` block of `intake:`. */
const enrichmentSchema = () =>
  z
    .strictObject({
      lookupTimeoutMs: z
        .number()
        .int()
        .min(100)
        .max(120_000)
        .default(8_000)
        .describe("Time budget of each QRS lookup (task, app, owner, execution, script log)."),
      finalStatusAttempts: z.number().int().min(1).max(30).default(5).describe("Reads of the execution result while QRS has not recorded the final state yet."),
      finalStatusDelayMs: z.number().int().min(0).max(60_000).default(1_000).describe("Wait between those reads, in milliseconds."),
      scriptLog: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Fetch the script log of failed and aborted reloads."),
          onSuccess: z.boolean().default(false).describe("Also fetch the log for successful reloads."),
          headLines: z.number().int().min(0).max(1_000).default(20).describe("First lines of the script log kept on the event."),
          tailLines: z
            .number()
            .int()
            .min(0)
            .max(5_000)
            .default(40)
            .describe("Last lines of the script log kept on the event; the lines that state the failure are kept as well."),
          maxTextBytes: z
            .number()
            .int()
            .min(0)
            .max(50 * 1024 * 1024)
            .default(1024 * 1024)
            .describe("Cap of the full log text attached to the event (0: none)."),
          attempts: z.number().int().min(1).max(20).default(3).describe("Tries while QRS has not caught up with the log."),
          retryDelayMs: z.number().int().min(0).max(60_000).default(2_000).describe("Wait between those tries, in milliseconds."),
        })
        .prefault({})
        .describe("The reload's script log on the event, for alerts that show the lines stating the failure."),
      distribute: z
        .strictObject({
          pollIntervalSeconds: z.number().min(0.05).max(3_600).default(30).describe("How often an unfinished distribution task is polled in QRS."),
          maxWaitMinutes: z
            .number()
            .min(0.01)
            .max(7 * 24 * 60)
            .default(360)
            .describe("After this the event goes out with the last known state."),
          maxPending: z
            .number()
            .int()
            .min(1)
            .max(10_000)
            .default(200)
            .describe(
              "Distribution runs polled at the same time; announcements beyond it are dropped and counted (reconciliation still finds real runs in QRS).",
            ),
          maxPendingPerSource: z
            .number()
            .int()
            .min(1)
            .max(10_000)
            .default(100)
            .describe("Of those, at most this many announced from one source address, so that one sender cannot fill the list."),
          confirmWithinSeconds: z
            .number()
            .min(0)
            .max(3_600)
            .default(120)
            .describe("A distribution run QRS has not shown within this time (while answering) is taken as never having happened and no longer polled."),
        })
        .prefault({})
        .describe("Distribution datagrams carry no outcome, so the run is polled in QRS until it ends."),
    })
    .prefault({})
    .describe("QRS lookups that complete an event: task, app, owner, execution result, script log.");

const confirmSchema = () =>
  z
    .strictObject({
      alertUnconfirmed: z
        .enum(["never", "qrsUnavailable", "always"])
        .default("qrsUnavailable")
        .describe(
          "Runs a datagram reports but QRS does not confirm (UDP is unauthenticated): qrsUnavailable announces them, marked unconfirmed, " +
            "only when QRS could not be asked; always also when QRS has no such run; never not at all. They never start a task.",
        ),
      unconfirmedBudget: z
        .strictObject({
          perTaskPerHour: z
            .number()
            .int()
            .min(1)
            .max(10_000)
            .default(4)
            .describe("Unconfirmed runs announced per task and outcome in an hour at most (a token bucket)."),
          perOutcomePerHour: z
            .number()
            .int()
            .min(1)
            .max(100_000)
            .default(60)
            .describe("Unconfirmed runs announced per outcome (failed, aborted, succeeded …) in an hour at most, of all tasks together."),
          perSource: z
            .number()
            .int()
            .min(1)
            .max(1_000)
            .default(3)
            .describe(
              "Unconfirmed runs of one outcome from one source address paged one by one within perSourceWindowMinutes, one budget for the site (Stewards sharing a PostgreSQL spend it together); past it the source's runs become ONE page naming the address and a few of the tasks, an incident of its own (the address's cause), and its further unconfirmed runs are counted, not paged, until it sends none for the window or QRS confirms its runs: then Steward resolves that incident by itself.",
            ),
          perSourceWindowMinutes: z
            .number()
            .int()
            .min(1)
            .max(1_440)
            .default(10)
            .describe(
              "The window of perSource, in minutes; a source quiet (no unconfirmed run) this long ends its summary page: its incident is resolved by itself.",
            ),
        })
        .prefault({})
        .describe(
          'A page budget for the runs alertUnconfirmed lets through (a forged datagram cannot be told from a real one while QRS is down): beyond it a run is counted (steward_intake_unconfirmed_total{action="over_budget"}) and not announced; reconciliation reports a real one once QRS answers. A flood from one address (spoofing a node while QRS is slow) is one page past perSource.',
        ),
      finalWordWithinMinutes: z
        .number()
        .min(0)
        .max(1440)
        .default(10)
        .describe(
          "How long QRS may take to show a run paged unconfirmed in its final state: its page is ended as 'did not happen' only when QRS still has no execution of that id this long after the page (or has the execution ended otherwise than the datagram said); a run QRS shows still going waits for its end.",
        ),
    })
    .prefault({})
    .describe("Each datagram's run is checked in QRS (when qlik is configured) before alerts or event-triggered schedules fire.");

export const intakeSchema = () =>
  z
    .strictObject({
      queueSize: z
        .number()
        .int()
        .min(1)
        .max(100_000)
        .default(1_000)
        .describe("Parsed events waiting for enrichment in memory; beyond it they wait in the store (overflowSize)."),
      overflowSize: z
        .number()
        .int()
        .min(0)
        .max(1_000_000)
        .default(100_000)
        .describe(
          "Runs that wait in the store while the queue is full (a burst of task ends), taken into the queue in arrival order, each source in turn; beyond it new ones are dropped and counted (reconciliation with QRS finds them). 0: none wait. On the SQLite store only.",
        ),
      overflowMaxBytes: z
        .number()
        .int()
        .min(64 * 1024)
        .max(1024 * 1024 * 1024)
        .default(16 * 1024 * 1024)
        .describe(
          "Bytes the runs waiting in the overflow may weigh together (each keeps only its ids, outcome and cut names, at most about 3 KB); beyond it new ones are dropped and counted.",
        ),
      overflowMaxBytesPerSource: z
        .number()
        .int()
        .min(16 * 1024)
        .max(1024 * 1024 * 1024)
        .default(4 * 1024 * 1024)
        .describe(
          "Bytes the waiting runs of one source address may always weigh. A source may take more while few others have runs waiting: overflowMaxBytes less one such share for each other source waiting and one for a newcomer (alone, three quarters of the defaults' 16 MiB), for runs whose fields are no longer than a Scheduler line's; a run with a longer field (a padded forgery) waits only within this share. One sender (a node flushing a backlog, or a forger) cannot take the whole overflow.",
        ),
      // Runs in flight share the store's commits: four at a time kept a burst's commits so small that a burst of
      // 5,000 failures a second on two cores outran them (issue 89); sixteen matches the QRS client's sockets.
      concurrency: z
        .number()
        .int()
        .min(1)
        .max(64)
        .default(16)
        .describe("Events enriched at the same time (their QRS reads shared, their store writes committed together)."),
      backpressureWarnRatio: z.number().min(0.1).max(1).default(0.8).describe("Queue fill ratio that logs a backpressure warning (at most once a minute)."),
      dedupe: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Announce each run once, however many datagrams or passes report it."),
          ttlHours: z
            .number()
            .min(0.1)
            .max(24 * 90)
            .default(72)
            .describe("How long an ExecutionId + outcome is remembered (in the store, across restarts)."),
        })
        .prefault({})
        .describe("Suppress repeated reports of the same run (several appenders or nodes, a restart, reconciliation)."),
      enrichment: enrichmentSchema(),
      confirm: confirmSchema(),
      reconcile: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Ask QRS for runs that no datagram announced (needs qlik)."),
          intervalSeconds: z.number().min(0.05).max(86_400).default(300).describe("Seconds between reconciliation passes."),
          settleSeconds: z.number().min(0).max(3_600).default(60).describe("Runs younger than this are left to the datagram path."),
          initialLookbackMinutes: z
            .number()
            .min(0)
            .max(7 * 24 * 60)
            .default(0)
            .describe("On the very first start, how far back to look (0: from now)."),
          maxPerPass: z.number().int().min(1).max(10_000).default(500).describe("Runs handled per pass; the rest wait for the next one."),
        })
        .prefault({})
        .describe("Find in QRS the runs no datagram announced (a lost packet, Steward down) and report them with source: reconcile."),
      nodeSilence: z
        .strictObject({
          enabled: z.boolean().default(true).describe("Raise intake.node_silent when a node's runs reach Steward only through reconciliation."),
          minRuns: z
            .number()
            .int()
            .min(1)
            .max(1_000)
            .default(2)
            .describe("Runs of one node found only by reconciliation, with no datagram from that node since the first of them, that make it silent."),
          windowMinutes: z
            .number()
            .min(1)
            .max(7 * 24 * 60)
            .default(60)
            .describe("Only runs that ended within the last this many minutes count."),
        })
        .prefault({})
        .describe(
          "A node whose Scheduler stopped sending task events (its appender file gone after an upgrade, a firewall change): its runs reach Steward only through reconciliation, minutes late. Not raised for runs that ended while a Steward of the cluster was down or before this one started.",
        ),
      retryOutcome: z
        .strictObject({
          deadlineMinutes: z
            .number()
            .int()
            .min(5)
            .max(7 * 24 * 60)
            .default(120)
            .describe(
              "How long after the last failed attempt held for its outcome the run's final result may take; past it the run is announced as failed, outcome unknown (it pages as a failure).",
            ),
        })
        .prefault({})
        .describe(
          "A failed attempt heard while the Scheduler retries its run is held: the run's outcome pages, not the attempt. When the Scheduler reports no final result (it stopped, the datagram was lost and QRS never shows the run ended), the held failure pages after deadlineMinutes.",
        ),
    })
    .describe("Task events: queue, dedupe, enrichment from QRS and reconciliation with QRS.");

export type IntakeConfig = z.infer<ReturnType<typeof intakeSchema>>;

export const udpSchema = () =>
  z
    .strictObject({
      enabled: z.boolean().default(true).describe("Listen for the Qlik Sense Scheduler's task events."),
      host: z.string().min(1).default("0.0.0.0").describe("Address for Qlik Sense scheduler datagrams; '::' for IPv6 (dual stack)."),
      port: z.number().int().min(0).max(65535).default(9998).describe("UDP port the Scheduler's appender sends to (Butler's port by default)."),
      ...udpIntakeFields(),
    })
    .describe("UDP intake of the Qlik Sense Scheduler's log4net datagrams.");

export type UdpConfig = z.infer<ReturnType<typeof udpSchema>>;
