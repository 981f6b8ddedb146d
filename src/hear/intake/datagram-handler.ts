// What happens to one datagram before a worker sees it: its source (udp-sources.ts), size, a cheap refusal when the queue and
// its overflow are full of failures, parse, the overflow when the queue is full, admission by priority, the in-memory
// reservation of its run, the queue (a failure may shed a queued success), and the store claim started at once.
// Refusals are counted by reason and logged within a budget; nothing here waits for the store.
import type { RemoteInfo } from "node:dgram";
import type { Logger } from "pino";
import { runKey } from "../events/run-key";
import type { RunReport } from "../events/enrich-task-event";
import { parseDatagram, sniffSchedulerOutcome } from "./datagram-parser";
import type { EngineMessage, EngineReloadMessage, SchedulerMessage } from "./datagram-types";
import { type IntakeCounters, seriesByKey } from "./intake-metrics";
import type { IntakeOverflow } from "./overflow";
import { createLogThrottle, type ThrottledWarn } from "./log-throttle";
import type { RunClaims } from "./run-claims";
import type { RunProcessor } from "./run-processor";
import { priorityOf, TOP_PRIORITY, type QueueItem } from "./run-queue";
import type { UdpSources } from "./udp-sources";
import type { WorkQueue } from "./work-queue";

export interface DatagramHandlerDeps {
  limits: { maxDatagramBytes: number; maxFieldChars: number; queueSize: number };
  /** Who may send; a refused sender is counted and summed up once a minute, never logged per datagram. */
  allowlist: Pick<UdpSources, "allows" | "refused">;
  queue: Pick<WorkQueue<QueueItem>, "admits" | "admitsFair" | "offer" | "offerFair" | "depth">;
  /** Where a run waits while the queue is full (overflow.ts); without it such a run is dropped. */
  overflow?: Pick<IntakeOverflow, "room" | "add" | "depth" | "waiting">;
  processor: Pick<RunProcessor, "reserve" | "release">;
  claims: Pick<RunClaims, "claimOf" | "abandon" | "abandonInBackground">;
  counters: Pick<IntakeCounters, "received" | "rejected" | "parsed" | "deduplicated" | "dropped" | "overflowed">;
  warnOnce: ThrottledWarn;
  log: Logger;
  now: () => number;
  /** True while the intake stops: a refused run is counted as "stopping" rather than "queue_full". */
  stopping: () => boolean;
  /** A run was queued: its QRS reads may start now, batched with those of the runs ahead of it. */
  queued?: (report: RunReport) => void;
  /** The Engine's reload lines (src/hear/engine); without it Butler's engine datagram is only logged, as Butler does. */
  engine?: (m: EngineMessage | EngineReloadMessage, source: string) => void;
  /** A run from this source was dropped for want of room: QRS is asked at once for the runs that ended (drop-look.ts). */
  droppedFrom?: (source: string) => void;
}

export type DatagramHandler = (msg: Buffer, from: Pick<RemoteInfo, "address" | "port">) => void;

export function toReport(m: SchedulerMessage): RunReport {
  return {
    source: "udp",
    outcome: m.outcome === "distribute" ? "succeeded" : m.outcome,
    executionId: m.executionId,
    ...(m.executionIdAsSent !== undefined ? { executionIdAsSent: m.executionIdAsSent } : {}),
    taskId: m.taskId,
    appId: m.appId,
    host: m.host,
    user: m.user,
    taskName: m.taskName,
    appName: m.appName || undefined,
    logTimestamp: m.timestamp,
    logLevel: m.level,
    logMessage: m.message,
    distribute: m.outcome === "distribute" || undefined,
  };
}

export function createDatagramHandler(deps: DatagramHandlerDeps): DatagramHandler {
  const { limits, queue, processor, counters, log } = deps;
  const dropThrottle = createLogThrottle(60_000, deps.now);

  function rejected(reason: string, from: string, fields: Record<string, unknown>, msg: string) {
    counters.rejected.inc({ reason });
    deps.warnOnce(`${from}|${reason}`, { source: from, reason, ...fields }, msg);
  }

  /** Series per reason and outcome, resolved once: under overload this runs for most datagrams. */
  const droppedSeries = new Map<string, { inc(by?: number): void }>();
  const parsedCount = seriesByKey(counters.parsed, (kind: string) => ({ kind }));
  /** Counts (by reason and outcome) and logs, at most once a minute per reason, a run the queue did not keep. */
  function dropped(reason: "queue_full" | "stopping" | "shed" | "source_full", outcome: string, executionId: string | undefined, source?: string): void {
    // The dropped run may be a node's real one behind a flood spoofing its address: QRS knows (drop-look.ts).
    if (source !== undefined && reason !== "stopping") deps.droppedFrom?.(source);
    const seriesKey = `${reason}|${outcome}`;
    let series = droppedSeries.get(seriesKey);
    if (!series) droppedSeries.set(seriesKey, (series = counters.dropped.series({ reason, outcome })));
    series.inc();
    const suppressed = dropThrottle.take(reason);
    if (suppressed !== undefined) {
      log.warn(
        { reason, outcome, executionId, queueSize: limits.queueSize, suppressedSinceLast: suppressed },
        "task datagram dropped; reconciliation will pick the run up from QRS",
      );
    }
  }
  /** A queued run that gave its place to another sender's: it waits in the overflow again, once its claim is given up. */
  function giveBack(run: QueueItem): void {
    const outcome = run.report.outcome;
    const room = deps.overflow?.room(run.source, run.report);
    if (room !== "ok") {
      // Its sender's share is full, or there is no overflow (PostgreSQL): it gave way, as a shed success does.
      deps.claims.abandonInBackground(run);
      dropped(room === "source_full" ? "source_full" : "shed", outcome, run.report.executionId, run.source);
      return;
    }
    void deps.claims.abandon(run).then(() =>
      deps.overflow?.add({ report: run.report, key: run.key, source: run.source }, (kept) => {
        if (!kept) dropped("shed", outcome, run.report.executionId, run.source);
      }),
    );
  }
  /** Why a run the queue would not take is dropped: its source's share of the overflow is full, or all of it is. */
  const full = (source: string, report?: RunReport) =>
    deps.stopping() ? "stopping" : deps.overflow?.room(source, report) === "source_full" ? "source_full" : "queue_full";

  return (msg, from) => {
    counters.received.inc();
    if (!deps.allowlist.allows(from.address)) {
      counters.rejected.inc({ reason: "source_not_allowed" });
      return deps.allowlist.refused(from.address);
    }
    if (msg.length > limits.maxDatagramBytes) {
      return rejected("too_large", from.address, { bytes: msg.length, max: limits.maxDatagramBytes }, "oversized datagram dropped");
    }
    // A queue full of runs that rank highest, with no room in its overflow and no turn for this sender, takes nothing
    // more: refuse a scheduler datagram before parsing it.
    if (!queue.admitsFair(TOP_PRIORITY, from.address) && deps.overflow?.room(from.address) !== "ok") {
      const outcome = sniffSchedulerOutcome(msg);
      if (outcome !== undefined) return dropped(full(from.address), outcome, undefined, from.address);
    }
    const res = parseDatagram(msg, { maxFieldChars: limits.maxFieldChars, receivedMs: deps.now() });
    if (!res.ok) {
      return rejected(res.reason, from.address, { detail: res.detail, sample: msg.subarray(0, 160).toString("utf8") }, "unparseable datagram");
    }
    parsedCount(res.message.kind).inc();
    if (res.message.kind === "engine-reload") return deps.engine?.(res.message, from.address);
    if (res.message.kind === "engine") {
      const e = res.message;
      deps.warnOnce(
        `${from.address}|engine|${e.appId}`,
        { source: from.address, host: e.host, appId: e.appId, user: `${e.userDirectory}\\${e.userId}`, message: e.message },
        "engine reported a failed reload",
      );
      // Also a failure line of a reload outside the Scheduler (src/hear/engine), when that is on.
      deps.engine?.(e, from.address);
      return;
    }
    // The node it names is heard only once QRS confirms the run (run-processor's confirmedNode): anyone can send this.
    const m = res.message;
    const key = runKey(m.executionId, m.outcome);
    // A full queue hands the run to its overflow, and so does any queue while runs wait there (they go first; distribute
    // runs are claimed by their pending row, at once); else a full queue refuses a run it would not keep before
    // anything else is done for it (no store work at all). A sender with nothing waiting in the overflow takes its turn
    // in the queue at once instead: a queue full of another sender's runs gives the newest of them back to the overflow.
    const overflowing = deps.overflow !== undefined && (deps.overflow.depth() > 0 || queue.depth() >= limits.queueSize);
    const ownTurn = overflowing && deps.overflow?.waiting(from.address) === 0;
    // The run as it would wait: one padded past any Scheduler line's fields waits only within its sender's own share.
    const waitingRun = overflowing ? toReport(m) : undefined;
    const canWait = waitingRun !== undefined && m.outcome !== "distribute" && deps.overflow?.room(from.address, waitingRun) === "ok" && !deps.stopping();
    const wait = () =>
      deps.overflow?.add({ report: { ...waitingRun!, heardAtMs: deps.now() }, key, source: from.address }, (kept) =>
        kept ? counters.overflowed.inc() : counters.deduplicated.inc({ source: "udp" }),
      );
    if (canWait && !ownTurn) return wait();
    if (!ownTurn && !queue.admits(priorityOf(m.outcome))) return dropped(full(from.address, waitingRun), m.outcome, m.executionId, from.address);
    if (!processor.reserve(key, m.executionId)) {
      counters.deduplicated.inc({ source: "udp" });
      log.debug({ executionId: m.executionId, outcome: m.outcome, source: from.address }, "duplicate task datagram");
      return;
    }
    const item: QueueItem = { report: { ...toReport(m), heardAtMs: deps.now() }, key, source: from.address };
    const offer = ownTurn ? queue.offerFair(item) : queue.offer(item);
    if (!offer.accepted) {
      processor.release(key);
      if (canWait) return wait();
      return dropped(full(from.address, waitingRun), m.outcome, m.executionId, from.address);
    }
    // Claimed now, not when a worker takes it: the claims of a burst share a commit (distribute runs are
    // claimed by their pending row instead).
    if (!item.report.distribute) void deps.claims.claimOf(item);
    deps.queued?.(item.report);
    if ("displaced" in offer) giveBack(offer.displaced);
    if ("shed" in offer && offer.shed) {
      // A queued success made room for this failure: the rule is "failures are kept over successes".
      deps.claims.abandonInBackground(offer.shed);
      dropped("shed", offer.shed.report.distribute ? "distribute" : offer.shed.report.outcome, offer.shed.report.executionId, offer.shed.source);
    }
  };
}
