// Composes the task-event intake: UDP socket → allowlist → size → parse → dedupe → bounded queue → enrichment →
// bus, plus distribute polling and QRS reconciliation. app.ts adds `components` to the lifecycle in order.
import { isStoreUnavailable } from "../store/sql";
import type { RemoteInfo } from "node:dgram";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { Config } from "../config/schema";
import type { EventBus } from "../core/bus";
import type { Clock } from "../core/clock";
import type { Component } from "../core/lifecycle";
import type { MetricsRegistry } from "../core/metrics";
import type { ReadinessCheck } from "../core/readiness";
import type { SqlDb } from "../store/sql";
import type { DutyGate } from "../cluster/gate";
import type { QrsClient } from "../qlik/qrs-client";
import type { DomainEvents, TaskEvent } from "../events/types";
import { createTaskEventEnricher, type RunReport } from "../events/enrich-task-event";
import { routesWantSuccessLogs } from "../notify/routing";
import { createReconciler, type Reconciler } from "../events/reconcile";
import { parseDatagram, sniffSchedulerOutcome } from "./datagram-parser";
import type { SchedulerMessage } from "./datagram-types";
import { createDistributePoller, distributeKey, type DistributePoller } from "./distribute-poller";
import { createIntakeStore, type IntakeStore } from "./intake-store";
import { registerIntakeMetrics, type IntakeCounters } from "./intake-metrics";
import { createLogThrottle, createThrottledWarn } from "./log-throttle";
import { createRunProcessor, type RunProcessor } from "./run-processor";
import { createSourceAllowlist } from "./source-allowlist";
import { createUdpListener, type UdpListener } from "./udp-listener";
import { createWorkQueue } from "./work-queue";
import { readKernelUdpDrops } from "./kernel-drops";

export interface TaskIntakeDeps {
  bus: EventBus<DomainEvents>;
  log: Logger;
  clock: Clock;
  /** The store: the SQLite file, or the PostgreSQL store every Steward of a cluster shares (claims live there). */
  db: SqlDb;
  metrics: MetricsRegistry;
  qrs?: QrsClient;
  /** Tests bind port 0. */
  udpPort?: number;
  /** This Steward instance (named in run claims); a random id when not given. */
  instanceId?: string;
  /**
   * The Steward instances whose claims on runs are alive. Unset (a single Steward on its own store): only this
   * one, so claims left by a killed process are dropped at start.
   */
  liveInstances?: () => Promise<readonly string[]>;
  /** In a cluster: true while another Steward is dead (its node's runs are heard only by reconciliation). */
  memberDown?: () => Promise<boolean>;
  /**
   * In a cluster: runs reconciliation and distribute polling only while this Steward leads them; the poller
   * then also looks at the store for polls other Stewards added.
   */
  gate?: DutyGate;
  /** Between enrichment and the bus: adds history, cause and incident, returns follow-up events (src/incidents/). */
  annotate?: (e: TaskEvent) => Promise<TaskEvent[]>;
  /** Fetch the script log of successful reloads too (the incidents' warnings read it). */
  successLogs?: boolean;
}

export interface TaskIntake {
  /** Start order: workers, reconciliation, socket (so the socket stops first). */
  components: Component[];
  readiness: ReadinessCheck[];
  udp?: UdpListener;
  reconciler?: Reconciler;
  processor: RunProcessor;
  poller: DistributePoller;
  store: IntakeStore;
  counters: IntakeCounters;
  /** The socket's handler, exposed for tests and replays. */
  handleDatagram(msg: Buffer, from: Pick<RemoteInfo, "address" | "port">): void;
  /** Resolves when the seen marks and the give-ups of shed runs started so far are committed. */
  settled(): Promise<void>;
}

/** Enough for a few misconfigured nodes; a sender forging a new source address per datagram gets no more. */
const DATAGRAM_LINES_PER_MINUTE = 20;

/** The rank of failures and aborts: a queue full of these takes nothing more. */
const TOP_PRIORITY = 1;

/**
 * The shedding rule of a full queue: failures and aborts are kept over successes and distribution notices (an
 * alert is what a failure is for; a lost success only leaves a gap in the charts, and reconciliation with QRS
 * recovers either once the burst is over).
 */
function priorityOf(outcome: string): number {
  return outcome === "failed" || outcome === "aborted" ? TOP_PRIORITY : 0;
}

/** A claim refused by a store outage is tried again this often, this many times, for at most this many runs. */
const CLAIM_RETRY_MS = 2_000;
const CLAIM_RETRIES = 60;
const MAX_CLAIM_RETRIES = 1_000;

interface QueueItem {
  report: RunReport;
  key: string;
  /** The datagram's source address. */
  source: string;
  /**
   * The run's claim in the store, started when the queue took the run (so the claims of a burst share one
   * commit while the runs wait their turn); an Error when the store could not be written.
   */
  claim?: Promise<boolean | Error>;
}

export function createTaskIntake(config: Config, deps: TaskIntakeDeps): TaskIntake {
  const cfg = config.intake;
  const log = deps.log.child({ module: "intake" });
  const store = createIntakeStore(deps.db);
  const instanceId = deps.instanceId ?? `steward-${randomUUID()}`;
  const now = () => deps.clock.now();
  // Sub-modules get the root logger and name their own module (a child of a child would repeat the key).
  // A route that attaches script logs to success mails needs them fetched for successful reloads as well.
  const scriptLog = {
    ...cfg.enrichment.scriptLog,
    onSuccess: cfg.enrichment.scriptLog.onSuccess || routesWantSuccessLogs(config.routes) || deps.successLogs === true,
  };
  const enricher = createTaskEventEnricher(
    { ...cfg.enrichment, scriptLog },
    { qmcUrl: config.qlik?.qmcUrl, hubUrl: config.qlik?.hubUrl },
    {
      qrs: deps.qrs,
      log: deps.log,
      clock: deps.clock,
      maxRunAgeMs: cfg.dedupe.ttlHours * 3_600_000,
      // At least one worker stays free for runs QRS knows.
      maxWaitingForExecution: Math.max(1, cfg.concurrency - 1),
    },
  );

  // Counters are created before their users; the gauges read the objects below lazily.
  let queueDepth = () => 0;
  let inFlight = () => 0;
  const counters = registerIntakeMetrics(deps.metrics, {
    queueDepth: () => queueDepth(),
    inFlight: () => inFlight(),
    pendingDistribute: async () => (deps.db.isOpen ? store.pendingCount() : 0),
    seenEntries: async () => (deps.db.isOpen ? store.seenCount() : 0),
    kernelDrops: () => {
      const port = udp?.address()?.port;
      return port === undefined ? undefined : readKernelUdpDrops(port);
    },
  });
  // Lines a datagram causes: once per source and reason a minute, and at most DATAGRAM_LINES_PER_MINUTE overall.
  const warnOnce = createThrottledWarn(log, { intervalMs: 60_000, maxLinesPerInterval: DATAGRAM_LINES_PER_MINUTE, now });
  const processor = createRunProcessor({
    enricher,
    bus: deps.bus,
    store,
    clock: deps.clock,
    log: deps.log,
    dedupe: { enabled: cfg.dedupe.enabled, ttlMs: cfg.dedupe.ttlHours * 3_600_000 },
    alertUnconfirmed: cfg.confirm.alertUnconfirmed,
    counters,
    warnOnce,
    instanceId,
    ...(deps.annotate ? { annotate: deps.annotate } : {}),
  });
  /** Claims of Steward instances that are gone (killed while working on a run) are dropped: their runs are free. */
  async function dropDeadClaims(): Promise<void> {
    const live = deps.liveInstances ? await deps.liveInstances() : [instanceId];
    const n = await store.dropClaimsExcept(live.includes(instanceId) ? live : [...live, instanceId]);
    if (n > 0) log.warn({ claims: n }, "dropped run claims of a Steward that stopped without finishing them; reconciliation picks the runs up");
  }
  const poller = createDistributePoller(
    {
      pollIntervalMs: cfg.enrichment.distribute.pollIntervalSeconds * 1000,
      maxWaitMs: cfg.enrichment.distribute.maxWaitMinutes * 60_000,
      lookupTimeoutMs: cfg.enrichment.lookupTimeoutMs,
      maxPending: cfg.enrichment.distribute.maxPending,
      maxPendingPerSource: cfg.enrichment.distribute.maxPendingPerSource,
      confirmWithinMs: cfg.enrichment.distribute.confirmWithinSeconds * 1000,
      ...(deps.gate ? { rescanMs: cfg.enrichment.distribute.pollIntervalSeconds * 1000 } : {}),
    },
    { qrs: deps.qrs, store, processor, clock: deps.clock, log: deps.log },
  );
  const queue = createWorkQueue<QueueItem>({
    name: "task-events",
    size: cfg.queueSize,
    concurrency: cfg.concurrency,
    warnRatio: cfg.backpressureWarnRatio,
    log,
    now,
    priority: (item) => priorityOf(item.report.outcome),
    async worker(item) {
      const { report, key, source } = item;
      if (report.distribute) {
        // The pending row is the claim: a second datagram (or another Steward) finds it there.
        const added = await poller.add(report, source).finally(() => processor.release(key));
        if (added === "duplicate") return duplicate(report, "distribute run already waits for its poll");
        if (added !== "added") {
          // Reconciliation still finds a real run in QRS once it has ended.
          counters.distributeRefused.inc({ reason: added });
          warnOnce(
            `distribute|${added}|${added === "full" ? "" : source}`,
            {
              source,
              executionId: report.executionId,
              reason: added,
              maxPending: cfg.enrichment.distribute.maxPending,
              maxPendingPerSource: cfg.enrichment.distribute.maxPendingPerSource,
            },
            "distribution announcement not polled: too many pending; reconciliation will pick a real run up from QRS",
          );
        }
        return;
      }
      const ours = await claimOf(item);
      if (ours instanceof Error) {
        if (isStoreUnavailable(ours) && retryClaimLater(item)) return;
        log.error({ executionId: report.executionId, err: ours.message }, "cannot claim a task run in the store; reconciliation will pick it up");
        return;
      }
      if (!ours) return duplicate(report, "run already handled or claimed by another Steward");
      // The worker takes the next run once the event is on the bus; the mark commits with the next batch.
      await processor.process(report, key, { markInBackground: true });
    },
  });
  queueDepth = () => queue.depth();
  inFlight = () => queue.active();

  const allowlist = createSourceAllowlist(config.udp.allowedSources, { log, resolveIntervalMs: config.udp.resolveIntervalSeconds * 1000 });
  const dropThrottle = createLogThrottle(60_000, now);
  let stopping = false;

  /**
   * A run whose claim failed because the store was unreachable (PostgreSQL restarting, this Steward cut off from
   * it) is tried again every couple of seconds for up to two minutes, instead of waiting for the next
   * reconciliation pass: the Steward leading reconciliation may not have seen any outage (a partition of this
   * node only). Its reservation holds meanwhile, so a repeat datagram stays a duplicate. Bounded in number.
   */
  const claimRetries = new Map<string, { item: QueueItem; tries: number }>();
  let claimRetryTimer: ReturnType<typeof setTimeout> | undefined;
  function retryClaimLater(item: QueueItem): boolean {
    const entry = claimRetries.get(item.key) ?? { item, tries: 0 };
    if (stopping || entry.tries >= CLAIM_RETRIES || (!claimRetries.has(item.key) && claimRetries.size >= MAX_CLAIM_RETRIES)) {
      claimRetries.delete(item.key);
      return false;
    }
    entry.tries++;
    claimRetries.set(item.key, entry);
    claimRetryTimer ??= setTimeout(retryClaims, CLAIM_RETRY_MS);
    claimRetryTimer.unref?.();
    return true;
  }
  function retryClaims(): void {
    claimRetryTimer = undefined;
    const due = [...claimRetries.values()];
    for (const { item } of due) {
      item.claim = undefined;
      // Back into the queue (its place by priority); if refused, reconciliation is left to find it.
      if (queue.offer(item).accepted) {
        void claimOf(item);
        claimRetries.delete(item.key);
      }
    }
    if (claimRetries.size > 0) claimRetryTimer = setTimeout(retryClaims, CLAIM_RETRY_MS);
  }

  /** The run's store claim, started now if the queue handed the run to a worker before it was started. */
  function claimOf(item: QueueItem): Promise<boolean | Error> {
    item.claim ??= processor
      .claimStored(item.key, item.report.executionId, item.report.source)
      .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    return item.claim;
  }

  /** Shed runs whose claims are being given up: a repeat is a duplicate until their give-up is committed. */
  const abandoning = new Set<Promise<void>>();
  function abandonInBackground(item: QueueItem): void {
    const done = abandon(item).finally(() => abandoning.delete(done));
    abandoning.add(done);
  }

  /**
   * A queued run that will not be processed (shed, or left at stop): its store claim is given up, so a repeat or
   * reconciliation can pick the run up; its reservation here holds until then, so a repeat in between is a
   * duplicate rather than a run that finds its own stale claim.
   */
  function abandon(item: QueueItem): Promise<void> {
    if (!item.claim) {
      processor.release(item.key);
      return Promise.resolve();
    }
    return item.claim.then((ours) => (ours === true ? processor.giveUp(item.key) : undefined)).finally(() => processor.release(item.key));
  }

  function duplicate(report: RunReport, why: string) {
    counters.deduplicated.inc({ source: report.source });
    log.debug({ executionId: report.executionId, outcome: report.outcome, why }, "duplicate task datagram");
  }

  function rejected(reason: string, from: string, fields: Record<string, unknown>, msg: string) {
    counters.rejected.inc({ reason });
    warnOnce(`${from}|${reason}`, { source: from, reason, ...fields }, msg);
  }

  function toReport(m: SchedulerMessage): RunReport {
    return {
      source: "udp",
      outcome: m.outcome === "distribute" ? "succeeded" : m.outcome,
      executionId: m.executionId,
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

  function handleDatagram(msg: Buffer, from: Pick<RemoteInfo, "address" | "port">) {
    counters.received.inc();
    if (!allowlist.allows(from.address)) {
      return rejected("source_not_allowed", from.address, {}, "datagram from a source not in udp.allowedSources ignored");
    }
    if (msg.length > config.udp.maxDatagramBytes) {
      return rejected("too_large", from.address, { bytes: msg.length, max: config.udp.maxDatagramBytes }, "oversized datagram dropped");
    }
    // A queue full of runs that rank highest takes nothing more: refuse a scheduler datagram before parsing it.
    if (!queue.admits(TOP_PRIORITY)) {
      const outcome = sniffSchedulerOutcome(msg);
      if (outcome !== undefined) return dropped(stopping ? "stopping" : "queue_full", outcome, undefined);
    }
    const res = parseDatagram(msg, { maxFieldChars: config.udp.maxFieldChars });
    if (!res.ok) {
      return rejected(res.reason, from.address, { detail: res.detail, sample: msg.subarray(0, 160).toString("utf8") }, "unparseable datagram");
    }
    counters.parsed.inc({ kind: res.message.kind });
    if (res.message.kind === "engine") {
      const e = res.message;
      warnOnce(
        `${from.address}|engine|${e.appId}`,
        { source: from.address, host: e.host, appId: e.appId, user: `${e.userDirectory}\\${e.userId}`, message: e.message },
        "engine reported a failed reload",
      );
      return;
    }
    const m = res.message;
    const priority = priorityOf(m.outcome);
    // A full queue refuses a run it would not keep before anything else is done for it (no store work at all).
    if (!queue.admits(priority)) return dropped(stopping ? "stopping" : "queue_full", m.outcome, m.executionId);
    const key = m.outcome === "distribute" ? distributeKey(m.executionId) : `${m.executionId}:${m.outcome}`;
    if (!processor.reserve(key, m.executionId)) {
      counters.deduplicated.inc({ source: "udp" });
      log.debug({ executionId: m.executionId, outcome: m.outcome, source: from.address }, "duplicate task datagram");
      return;
    }
    const item: QueueItem = { report: toReport(m), key, source: from.address };
    const offer = queue.offer(item);
    if (!offer.accepted) {
      processor.release(key);
      return dropped(stopping ? "stopping" : "queue_full", m.outcome, m.executionId);
    }
    // Claimed now, not when a worker takes it: the claims of a burst share a commit (distribute runs are
    // claimed by their pending row instead).
    if (!item.report.distribute) void claimOf(item);
    if (offer.shed) {
      // A queued success made room for this failure: the rule is "failures are kept over successes".
      abandonInBackground(offer.shed);
      dropped("shed", offer.shed.report.distribute ? "distribute" : offer.shed.report.outcome, offer.shed.report.executionId);
    }
  }

  /** Counts (by reason and outcome) and logs, at most once a minute per reason, a run the queue did not keep. */
  /** Series per reason and outcome, resolved once: under overload this runs for most datagrams. */
  const droppedSeries = new Map<string, { inc(by?: number): void }>();
  function dropped(reason: "queue_full" | "stopping" | "shed", outcome: string, executionId: string | undefined): void {
    const seriesKey = `${reason}|${outcome}`;
    let series = droppedSeries.get(seriesKey);
    if (!series) droppedSeries.set(seriesKey, (series = counters.dropped.series({ reason, outcome })));
    series.inc();
    const suppressed = dropThrottle.take(reason);
    if (suppressed !== undefined) {
      log.warn(
        { reason, outcome, executionId, queueSize: cfg.queueSize, suppressedSinceLast: suppressed },
        "task datagram dropped; reconciliation will pick the run up from QRS",
      );
    }
  }

  const udp = config.udp.enabled
    ? createUdpListener({ host: config.udp.host, port: deps.udpPort ?? config.udp.port }, { log, onDatagram: handleDatagram })
    : undefined;
  const reconciler =
    deps.qrs && cfg.reconcile.enabled
      ? createReconciler(cfg.reconcile, {
          qrs: deps.qrs,
          state: store,
          sink: processor,
          clock: deps.clock,
          log: deps.log,
          lookupTimeoutMs: cfg.enrichment.lookupTimeoutMs,
          counters: { runs: counters.reconcileRuns, reconciled: counters.reconciled, deduplicated: counters.deduplicated },
          ...(deps.liveInstances ? { beforePass: dropDeadClaims } : {}),
          ...(deps.memberDown ? { memberDown: deps.memberDown } : {}),
        })
      : undefined;

  let purgeTimer: ReturnType<typeof setInterval> | undefined;
  const components: Component[] = [
    {
      name: "intake-workers",
      async start() {
        stopping = false;
        processor.open();
        const purge = () => store.purgeExpired(now()).catch((err: Error) => log.warn({ err: err.message }, "purging expired dedupe keys failed"));
        await purge();
        await dropDeadClaims().catch((err: Error) => log.warn({ err: err.message }, "cannot drop stale run claims"));
        purgeTimer = setInterval(() => void purge(), 10 * 60_000);
        purgeTimer.unref?.();
        if (!deps.gate) poller.start();
      },
      async stop(budgetMs) {
        stopping = true;
        clearInterval(purgeTimer);
        // Runs still waiting for the store are left to reconciliation at the next start.
        if (claimRetryTimer) clearTimeout(claimRetryTimer);
        claimRetryTimer = undefined;
        for (const { item } of claimRetries.values()) processor.release(item.key);
        claimRetries.clear();
        const started = Date.now();
        const left = await queue.stop(Math.max(100, budgetMs - 200));
        // The seen marks still waiting for their commit: they go before the store closes.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([settled(), new Promise<void>((r) => (timer = setTimeout(r, Math.max(100, budgetMs - 200 - (Date.now() - started)))))]);
        clearTimeout(timer);
        // Past this point the notifier stops too: whatever is still being enriched must not be emitted.
        processor.close();
        // Their claims are given up (the store is still open), so reconciliation picks the runs up at once.
        await Promise.race([Promise.allSettled(left.map(abandon)), new Promise<void>((r) => (timer = setTimeout(r, 200)))]);
        clearTimeout(timer);
        if (left.length > 0) {
          counters.dropped.inc({ reason: "stopping" }, left.length);
          log.warn({ dropped: left.length }, "stopped with task datagrams still queued; reconciliation recovers them at the next start");
        }
        if (!deps.gate) await poller.stop();
      },
    },
  ];
  if (deps.gate) components.push(deps.gate("distribute", { name: "distribute-poller", start: () => poller.start(), stop: () => poller.stop() }));
  if (reconciler) {
    const reconcile: Component = { name: "reconcile", start: () => reconciler.start(), stop: () => reconciler.stop() };
    components.push(deps.gate ? deps.gate("reconcile", reconcile) : reconcile);
  }
  if (udp) {
    components.push({
      name: "udp",
      async start() {
        await allowlist.start();
        if (allowlist.open) log.warn("udp.allowedSources is empty: datagrams from any host are accepted; list your Sense nodes to refuse spoofed events");
        await udp.start();
      },
      async stop() {
        stopping = true;
        allowlist.stop();
        await udp.stop();
      },
    });
  }
  // Informational: a socket that cannot bind already fails start().
  const udpCheck = (l: UdpListener): ReadinessCheck => ({
    name: "udp",
    required: false,
    check() {
      const a = l.address();
      if (!a) return { ok: false, detail: "not listening" };
      const drops = readKernelUdpDrops(a.port);
      return { ok: true, detail: `listening on ${a.address}:${a.port}${drops ? `; the OS dropped ${drops} datagrams (receive buffer full)` : ""}` };
    },
  });
  const readiness: ReadinessCheck[] = udp ? [udpCheck(udp)] : [];

  async function settled(): Promise<void> {
    await processor.marksSettled();
    while (abandoning.size > 0) await Promise.allSettled([...abandoning]);
  }

  return { components, readiness, udp, reconciler, processor, poller, store, counters, handleDatagram, settled };
}
