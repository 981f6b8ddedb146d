// Composes the task-event intake from its parts: the socket and who may send (udp-socket.ts), what happens to a datagram
// up to the queue (datagram-handler.ts), the queue (run-queue.ts), the claim-and-mark path of a run (run-claims.ts), the
// distribute path, the run processor, distribute polling and QRS reconciliation. app.ts adds `components` in order.
import type { RemoteInfo } from "node:dgram";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { IntakeConfig, UdpConfig } from "./config";
import type { QlikConfig } from "../../platform/qlik/config";
import type { EventBus } from "../../platform/core/bus";
import { type Clock, every } from "../../platform/core/clock";
import type { Component } from "../../platform/core/lifecycle";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { ReadinessCheck } from "../../platform/core/readiness";
import type { SqlDb } from "../../platform/store/sql";
import type { DutyGate } from "../../platform/cluster/gate";
import type { Cluster } from "../../platform/cluster/cluster";
import { peerLookGate } from "../../platform/cluster/peer-poll";
import type { QrsClient } from "../../platform/qlik/qrs-client";
import type { QrsExecutionResult } from "../../platform/qlik/qrs-schemas";
import type { DomainEvents, TaskEvent } from "../../platform/events/types";
import { createTaskEventEnricher, type QueuedRun } from "../events/enrich-task-event";
import { createReconciler, type Reconciler } from "../events/reconcile";
import { type DropLook, reconcilerWithDropLook } from "./drop-look";
import { createDatagramHandler, type DatagramHandlerDeps } from "./datagram-handler";
import { createDistributePath } from "./distribute-path";
import { createDistributePoller, type DistributePoller, type DistributePollerOptions } from "./distribute-poller";
import { createIntakeStore, type IntakeStore } from "./intake-store";
import { registerIntakeMetrics, type IntakeCounters } from "./intake-metrics";
import { readKernelUdpDrops } from "./kernel-drops";
import { createThrottledWarn } from "./log-throttle";
import { createRunClaims } from "./run-claims";
import type { RunProcessor } from "./run-processor";
import { intakeProcessor } from "./intake-processor";
import { createUnconfirmedPages, type UnconfirmedPages } from "./unconfirmed-pages";
import { createHeldAttempts, type HeldAttempts } from "./held-attempts";
import { createRunQueue, type QueueItem } from "./run-queue";
import { drainWorkers } from "./drain-workers";
import { createIntakeSocket, type IntakeSocket, type IntakeSocketDeps } from "./udp-socket";
import { createNodeSilence, type NodeSilence } from "./node-silence";
import { createIntakeOverflow, overflowLimitsOf } from "./overflow";
import { createOverflowRefill } from "./overflow-refill";
import type { UdpListener } from "./udp-listener";

/** What the intake reads of the config. */
export interface IntakeSetupConfig {
  intake: IntakeConfig;
  udp: UdpConfig;
  qlik?: QlikConfig;
}

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
  /** In a cluster: the members' lease (store.postgres.leaseTtlMs), how soon a claim another live Steward holds is looked at again. */
  leaseMs?: number;
  /** In a cluster: true while another Steward is dead (its node's runs are heard only by reconciliation). */
  memberDown?: () => Promise<boolean>;
  /** In a cluster: the pace of a look for other Stewards' work that would come every `ms` (src/platform/cluster/peer-poll.ts). */
  peerPace?: (ms: number) => number;
  /**
   * In a cluster: whether this Steward is alone in it (the distribution poller then reads only its own next poll, no
   * rescan) and a wake when another Steward may have added polls (src/platform/cluster/peer-poll.ts).
   */
  peers?: Pick<Cluster, "alone" | "onPeerEpoch" | "peerEpoch">;
  /**
   * In a cluster: runs reconciliation and distribute polling only while this Steward leads them; the poller
   * then also looks at the store for polls other Stewards added.
   */
  gate?: DutyGate;
  /**
   * Between enrichment and the bus: adds history, cause and incident, returns follow-up events (src/tell/incidents/).
   * `heardAtMs`: when Steward heard of the run (Clock ms), so QRS reads begun since may serve it.
   */
  annotate?: (e: TaskEvent, heardAtMs?: number) => Promise<TaskEvent[]>;
  /** A queued run's task is known: the reads `annotate` will make for it may start while it waits (batched with the burst's). */
  prepareAnnotation?: (q: QueuedRun) => void;
  /** Fetch the script log of successful reloads too (a route or the incidents' warnings read it). */
  successLogs?: boolean;
  /** Times inside the sentences of the intake's own events, in the site's zone (ISO when not given). */
  formatTime?: (ms: number) => string;
  /** The site's nodes (qlik: configured), the senders admitted while udp.allowedSources is empty. */
  qlikNodes?: IntakeSocketDeps["nodes"];
  /** Where the Engine's reload lines go (src/hear/engine); they share the UDP port and its sources. */
  engineLines?: DatagramHandlerDeps["engine"];
  /** Each datagram's run QRS confirmed (src/hear/engine/lines-check.ts awaits the Engine's lines of a Scheduler reload). */
  confirmedRun?: (event: TaskEvent) => void;
}

export interface TaskIntake {
  /** Start order: workers, reconciliation, socket (so the socket stops first). */
  components: Component[];
  readiness: ReadinessCheck[];
  udp?: UdpListener;
  reconciler?: Reconciler;
  /** Asks QRS at once when datagrams are dropped for want of room (with QRS and reconciliation on). */
  dropLook?: DropLook;
  /** Nodes whose runs reach Steward only through reconciliation (with QRS, reconciliation and the UDP listener on). */
  nodeSilence?: NodeSilence;
  /** The single pages of unconfirmed failures, ended once QRS says their run did not happen (with QRS). */
  unconfirmedPages?: UnconfirmedPages;
  processor: RunProcessor;
  poller: DistributePoller;
  store: IntakeStore;
  counters: IntakeCounters;
  /** Who may send datagrams (udp.allowedSources, or the Qlik nodes), for the doctor. */
  sources: IntakeSocket["allowlist"];
  /** The socket's handler, exposed for tests and replays. */
  handleDatagram(msg: Buffer, from: Pick<RemoteInfo, "address" | "port">): void;
  /** Resolves when the seen marks and the give-ups of shed runs started so far are committed. */
  settled(): Promise<void>;
}

/** Enough for a few misconfigured nodes; a sender forging a new source address per datagram gets no more. */
const DATAGRAM_LINES_PER_MINUTE = 20;

/** The enricher of the intake's runs; a route that attaches script logs to success mails needs them fetched for successful reloads as well. */
function intakeEnricher(config: IntakeSetupConfig, deps: TaskIntakeDeps) {
  const cfg = config.intake;
  const scriptLog = {
    ...cfg.enrichment.scriptLog,
    onSuccess: cfg.enrichment.scriptLog.onSuccess || deps.successLogs === true,
  };
  return createTaskEventEnricher(
    { ...cfg.enrichment, scriptLog },
    { qmcUrl: config.qlik?.qmcUrl, hubUrl: config.qlik?.hubUrl, appBaseUrl: config.qlik?.appBaseUrl },
    {
      qrs: deps.qrs,
      log: deps.log,
      clock: deps.clock,
      maxRunAgeMs: cfg.dedupe.ttlHours * 3_600_000,
      // At least one worker stays free for runs QRS knows.
      maxWaitingForExecution: Math.max(1, cfg.concurrency - 1),
      ...(deps.prepareAnnotation ? { taskKnown: deps.prepareAnnotation } : {}),
    },
  );
}

/** Distribution polling as `intake.enrichment.distribute` sets it; in a cluster (`gated`) it also rescans the store. */
function distributePollerOptions(cfg: IntakeConfig, gated: boolean, deps: Pick<TaskIntakeDeps, "peerPace" | "peers">): DistributePollerOptions {
  const pace = deps.peerPace ?? ((ms: number) => ms);
  const peers = deps.peers;
  return {
    pollIntervalMs: cfg.enrichment.distribute.pollIntervalSeconds * 1000,
    maxWaitMs: cfg.enrichment.distribute.maxWaitMinutes * 60_000,
    lookupTimeoutMs: cfg.enrichment.lookupTimeoutMs,
    maxPending: cfg.enrichment.distribute.maxPending,
    maxPendingPerSource: cfg.enrichment.distribute.maxPendingPerSource,
    confirmWithinMs: cfg.enrichment.distribute.confirmWithinSeconds * 1000,
    // Alone in the cluster nobody else adds polls: its own are read as the next due, a change of the peers wakes it.
    ...(gated ? { rescanMs: () => (peers?.alone() ? Number.POSITIVE_INFINITY : pace(cfg.enrichment.distribute.pollIntervalSeconds * 1000)) } : {}),
    ...(gated && peers ? { onPeerEpoch: (fn: () => void) => peers.onPeerEpoch(fn) } : {}),
  };
}

/** Counts (and logs at debug) a report of a run already handled or in flight. */
function countDuplicate(counters: IntakeCounters, log: Logger) {
  return ({ report }: QueueItem, why: string) => {
    counters.deduplicated.inc({ source: report.source });
    log.debug({ executionId: report.executionId, outcome: report.outcome, why }, "duplicate task datagram");
  };
}

/** The distribution poller of the intake's store (polls QRS for a distribute run's outcome). */
function intakePoller(cfg: IntakeConfig, deps: TaskIntakeDeps, store: IntakeStore, processor: RunProcessor): DistributePoller {
  const pollerDeps = { qrs: deps.qrs, store, processor, clock: deps.clock, log: deps.log };
  return createDistributePoller(distributePollerOptions(cfg, deps.gate !== undefined, deps), pollerDeps);
}

/** Reconciliation with QRS (`intake.reconcile`); `beforePass` drops the claims of Stewards that are gone. */
function intakeReconciler(
  cfg: IntakeConfig,
  deps: TaskIntakeDeps,
  qrs: QrsClient,
  store: IntakeStore,
  processor: RunProcessor,
  counters: IntakeCounters,
  beforePass: (() => Promise<void>) | undefined,
  nodeSilence: NodeSilence | undefined,
): Reconciler {
  return createReconciler(cfg.reconcile, {
    qrs,
    state: store,
    sink: processor,
    clock: deps.clock,
    log: deps.log,
    lookupTimeoutMs: cfg.enrichment.lookupTimeoutMs,
    counters: { runs: counters.reconcileRuns, reconciled: counters.reconciled, deduplicated: counters.deduplicated },
    ...(beforePass ? { beforePass } : {}),
    ...(deps.memberDown ? { memberDown: deps.memberDown } : {}),
    ...(deps.peerPace ? { peerPace: deps.peerPace } : {}),
    ...(nodeSilence
      ? {
          onReconciled: async (r: QrsExecutionResult, excused: boolean) => {
            if (r.executingNodeName && r.executionID && r.stopTime)
              await nodeSilence.reconciled(r.executingNodeName, r.executionID.toLowerCase(), Date.parse(r.stopTime), excused);
          },
        }
      : {}),
  });
}

/** The single pages of unconfirmed runs, checked again until QRS has its final word (with QRS configured only). */
function intakeUnconfirmedPages(cfg: IntakeConfig, deps: TaskIntakeDeps, counters: IntakeCounters) {
  if (!deps.qrs) return undefined;
  return createUnconfirmedPages({ ...deps, qrs: deps.qrs, counters, finalWordWithinMs: cfg.confirm.finalWordWithinMinutes * 60_000 });
}

/** Failed attempts held for their run's outcome, announced past `intake.retryOutcome.deadlineMinutes` (held-attempts.ts). */
function intakeHeldAttempts(cfg: IntakeConfig, deps: TaskIntakeDeps, instanceId: string): HeldAttempts {
  const { annotate, peers } = deps;
  return createHeldAttempts(cfg.retryOutcome.deadlineMinutes, {
    db: deps.db,
    clock: deps.clock,
    log: deps.log,
    bus: deps.bus,
    instanceId,
    ...(deps.liveInstances ? { liveInstances: deps.liveInstances } : {}),
    ...(deps.leaseMs !== undefined ? { recheckMs: deps.leaseMs } : {}),
    ...(annotate ? { annotate: (e: TaskEvent) => annotate(e) } : {}),
    ...(peers ? { peers: { alone: () => peers.alone(), gate: peerLookGate(peers) } } : {}),
  });
}

/** Nodes heard only through reconciliation (needs QRS, reconciliation and the UDP listener). */
function intakeNodeSilence(config: IntakeSetupConfig, deps: TaskIntakeDeps): NodeSilence | undefined {
  const cfg = config.intake;
  if (!deps.qrs || !cfg.reconcile.enabled || !config.udp.enabled || !cfg.nodeSilence.enabled) return undefined;
  return createNodeSilence(cfg.nodeSilence, {
    db: deps.db,
    clock: deps.clock,
    log: deps.log,
    emit: (e) => deps.bus.emit(e.kind, e),
    formatTime: deps.formatTime ?? ((ms) => new Date(ms).toISOString()),
    udpPort: config.udp.port,
  });
}

export function createTaskIntake(config: IntakeSetupConfig, deps: TaskIntakeDeps): TaskIntake {
  const cfg = config.intake;
  const log = deps.log.child({ module: "intake" });
  const store = createIntakeStore(deps.db);
  const instanceId = deps.instanceId ?? `steward-${randomUUID()}`;
  const now = () => deps.clock.now();
  // Sub-modules get the root logger and name their own module (a child of a child would repeat the key).
  const enricher = intakeEnricher(config, deps);

  // Counters are created before their users; the gauges read the objects below lazily.
  let queueDepth = () => 0;
  let inFlight = () => 0;
  const overflow = createIntakeOverflow(deps.db, { ...overflowLimitsOf(cfg), log, now: () => deps.clock.now() });
  const counters = registerIntakeMetrics(deps.metrics, {
    queueDepth: () => queueDepth(),
    overflowDepth: () => overflow.depth(),
    overflowBytes: () => overflow.bytes().total,
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
  const nodeSilence = intakeNodeSilence(config, deps);
  const heldAttempts = intakeHeldAttempts(cfg, deps, instanceId);
  const unconfirmedPages = intakeUnconfirmedPages(cfg, deps, counters);
  const processor = intakeProcessor(cfg, deps, { enricher, store, counters, warnOnce, instanceId, nodeSilence, heldAttempts, unconfirmedPages });
  /** Claims of Steward instances that are gone (killed while working on a run) are dropped: their runs are free. */
  async function dropDeadClaims(): Promise<void> {
    const live = deps.liveInstances ? await deps.liveInstances() : [instanceId];
    const n = await store.dropClaimsExcept(live.includes(instanceId) ? live : [...live, instanceId]);
    if (n > 0) log.warn({ claims: n }, "dropped run claims of a Steward that stopped without finishing them; reconciliation picks the runs up");
  }
  const poller = intakePoller(cfg, deps, store, processor);
  let stopping = false;
  const duplicate = countDuplicate(counters, log);
  const distribute = createDistributePath({
    poller,
    processor,
    counters,
    warnOnce,
    limits: { maxPending: cfg.enrichment.distribute.maxPending, maxPendingPerSource: cfg.enrichment.distribute.maxPendingPerSource },
    duplicate,
  });
  const claims = createRunClaims({ processor, log, clock: deps.clock, requeue: (item) => queue.offer(item).accepted, stopping: () => stopping, duplicate });
  const queue = createRunQueue(cfg, { log, now, worker: (item) => (item.report.distribute ? distribute(item) : claims.work(item)).finally(() => refill()) });
  const queued = (report: QueueItem["report"]) => enricher.prefetch?.(report);
  const admitting = { processor, claims, counters, duplicate, queued, now, stopping: () => stopping, log };
  const refill = createOverflowRefill({ overflow, queue, queueSize: cfg.queueSize, ...admitting });
  queueDepth = () => queue.depth();
  inFlight = () => queue.active() + processor.announcing();

  const socket = createIntakeSocket(config.udp, {
    log,
    onDatagram: (msg, from) => handleDatagram(msg, from),
    onStopping: () => (stopping = true),
    clock: deps.clock,
    ...(deps.udpPort !== undefined ? { port: deps.udpPort } : {}),
    ...(deps.qlikNodes ? { nodes: deps.qlikNodes } : {}),
  });
  const { udp, allowlist: sources } = socket;
  const handleDatagram = createDatagramHandler({
    limits: { maxDatagramBytes: config.udp.maxDatagramBytes, maxFieldChars: config.udp.maxFieldChars, queueSize: cfg.queueSize },
    allowlist: socket.allowlist,
    queue,
    // A run stored in the overflow may find the queue with room (its workers idle): the refill takes it.
    overflow: { ...overflow, add: (item, stored) => overflow.add(item, (kept) => (stored(kept), refill())) },
    processor,
    claims,
    counters,
    warnOnce,
    log,
    now,
    stopping: () => stopping,
    queued,
    ...(deps.engineLines ? { engine: deps.engineLines } : {}),
    droppedFrom: (source) => looking?.dropLook.dropped(source),
  });

  const reconciler =
    deps.qrs && cfg.reconcile.enabled
      ? intakeReconciler(cfg, deps, deps.qrs, store, processor, counters, deps.liveInstances ? dropDeadClaims : undefined, nodeSilence)
      : undefined;
  // A dropped datagram may have been a node's real run behind a flood spoofing its address: QRS is asked now.
  const looking = reconciler && reconcilerWithDropLook(reconciler, { clock: deps.clock, log });

  let stopPurge: (() => void) | undefined;
  const components: Component[] = [
    {
      name: "intake-workers",
      async start() {
        stopping = false;
        processor.open();
        nodeSilence?.start();
        heldAttempts.start();
        const purge = () => store.purgeExpired(now()).catch((err: Error) => log.warn({ err: err.message }, "purging expired dedupe keys failed"));
        await purge();
        await dropDeadClaims().catch((err: Error) => log.warn({ err: err.message }, "cannot drop stale run claims"));
        stopPurge = every(deps.clock, 10 * 60_000, () => void purge());
        await overflow.load();
        refill();
        if (!deps.gate) poller.start();
      },
      async stop(budgetMs) {
        stopping = true;
        stopPurge?.();
        heldAttempts.stop();
        // Runs still waiting for the store are left to reconciliation at the next start.
        claims.stop();
        await drainWorkers(budgetMs, { queue, claims, processor, counters, log, settled });
        if (!deps.gate) await poller.stop();
      },
    },
  ];
  if (deps.gate) components.push(deps.gate("distribute", { name: "distribute-poller", start: () => poller.start(), stop: () => poller.stop() }));
  if (looking) components.push(deps.gate ? deps.gate("reconcile", looking.component) : looking.component);
  if (unconfirmedPages) components.push(unconfirmedPages.component);
  if (socket.component) components.push(socket.component);
  const readiness = nodeSilence ? [...socket.readiness, nodeSilence.readiness] : socket.readiness;

  async function settled(): Promise<void> {
    await processor.marksSettled();
    await claims.settled();
    await nodeSilence?.settled();
  }

  const parts = { processor, poller, store, counters, sources, handleDatagram, settled, ...(looking ? { dropLook: looking.dropLook } : {}) };
  return { components, readiness, udp, reconciler, ...(nodeSilence ? { nodeSilence } : {}), ...(unconfirmedPages ? { unconfirmedPages } : {}), ...parts };
}
