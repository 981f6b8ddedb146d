// The outbox worker: claims due deliveries, sends them through their channel with a timeout, and records
// the outcome (delivered, retry with backoff, or dead-lettered). Resumes whatever was pending at start;
// on stop it lets in-flight sends finish within the budget and hands interrupted ones back to the store.
import type { Logger } from "pino";
import type { Clock, Timer } from "../../platform/core/clock";
import { describeError } from "../../platform/core/errors";
import type { NotifyMetrics } from "./metrics";
import type { ChannelHealth } from "./channel-health";
import { backoffDelay } from "./backoff";
import { randomOf } from "../../platform/core/clock-random";
import { inFlight } from "../../platform/core/stepped-clock";
import { drainInFlight } from "./drain-in-flight";
import { abandonedSends } from "./abandoned-sends";
import { deliveryError, isPermanent } from "../../platform/http/delivery-error";
import type { DeliveryRow, OutboxStore } from "./outbox-store";
import { causedByStoreOutage, isStoreUnavailable } from "../../platform/store/sql";
import { createFullDiskLines } from "../../platform/store/full-disk-lines";
import type { Channel, Notification } from "./types";
import { fallbackRowReason, type TemplateFallback } from "./fallback/format";

export interface WorkerChannel {
  channel: Channel;
  timeoutMs: number;
}

export interface WorkerSettings {
  concurrency: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  maxAttempts: number;
  keepMs: number;
}

export interface WorkerDeps {
  outbox: OutboxStore;
  channels: ReadonlyMap<string, WorkerChannel>;
  settings: WorkerSettings;
  clock: Clock;
  log: Logger;
  metrics: NotifyMetrics;
  /** Told how each attempt went, per channel (/ready and the degraded watch read it). */
  health?: Pick<ChannelHealth, "delivered" | "failed">;
  /** Builds the notification of a claimed row (rejects when its events are gone or a template fails). */
  buildNotification(row: DeliveryRow, attempt: number): Promise<Notification>;
  /** Told of a delivery that went out in the plain form because its template failed (metric, log). */
  fellBack?: (row: DeliveryRow, fallback: TemplateFallback) => void;
  /** The Steward instances alive in the cluster (their deliveries in sending are theirs); unset: only this one. */
  liveInstances?: () => Promise<readonly string[]>;
  /** In a cluster: whether these members are certainly still alive, known without a statement (an idle look sends none). */
  stillLive?: (ids: Iterable<string>) => boolean;
  /** In a cluster: how often to look for deliveries another Steward queued (CLUSTER_SLEEP_MS when not given). */
  peerPollMs?: () => number;
  /**
   * In a cluster: how long a member alive at an earlier look may stay missing before its sends in flight are taken
   * over (a heartbeat or two: after a store outage every member's heartbeat is late until its next beat).
   */
  memberGraceMs?: number;
  /**
   * In a cluster: whether this Steward is alone in it, and a wake when another Steward may have written work for it
   * (src/platform/cluster/peer-poll.ts). Alone, an idle worker sleeps until its own next due or the purge, as on a
   * store of its own, and its look for a dead Steward's sends is skipped while the peer epoch stands still.
   */
  peers?: PeerLooks;
}

/** What the worker asks of the cluster about the other Stewards. */
export interface PeerLooks {
  alone(): boolean;
  onPeerEpoch(fn: () => void): () => void;
  /** Asked before a look for a dead Steward's sends: false skips it (alone, nothing changed since the last). */
  gate: (() => boolean) & { missed(): void };
}

export interface OutboxWorker {
  start(): Promise<void>;
  /** Look for due work now (called after new deliveries were queued). */
  wake(): void;
  stop(budgetMs: number): Promise<void>;
  inFlight(): number;
}

const MAX_SLEEP_MS = 30_000;
/** In a cluster, how often a Steward looks for deliveries queued by another one (they cannot wake it). */
const CLUSTER_SLEEP_MS = 1_000;
/** How often a delivered send is recorded again while the store is unreachable. */
const RECORD_RETRY_MS = 1_000;
const PURGE_EVERY_MS = 3_600_000;

/** Why a failed delivery is given up (dead-lettered); undefined when it is tried again. */
function deadReason(err: unknown, attempt: number, row: DeliveryRow, settings: WorkerSettings, now: number): string | undefined {
  if (isPermanent(err)) return "permanent failure";
  if (attempt >= settings.maxAttempts) return `gave up after ${attempt} attempts`;
  return now >= row.expiresAt ? "gave up: older than outbox.maxAge" : undefined;
}

/**
 * Runs `write` until it succeeds. A failure `isOutage` accepts is tried again every RECORD_RETRY_MS until stopping
 * (`warn` once, with the error); any other failure, or one while stopping, is thrown.
 */
async function untilStoreAnswers<T>(
  clock: Clock,
  stopping: () => boolean,
  isOutage: (err: unknown) => boolean,
  write: () => Promise<T>,
  warn: (err: string) => void,
): Promise<T> {
  for (let warned = false; ; ) {
    try {
      return await write();
    } catch (err) {
      if (!isOutage(err) || stopping()) throw err;
      if (!warned) warn(describeError(err));
      warned = true;
      await new Promise<void>((r) => clock.setTimeout(r, RECORD_RETRY_MS));
    }
  }
}

/** What sending a delivery needs from the worker: its deps, whether it is stopping, and its store write-backs. */
interface SendContext {
  deps: WorkerDeps;
  stopping: () => boolean;
  recordDelivered: (id: number, note?: string) => Promise<void>;
  writeBack: (id: number, write: () => Promise<unknown>) => Promise<void>;
}

/** Sends one claimed delivery and records how it went: delivered, handed back, dead-lettered or retried with backoff. */
async function sendDelivery(w: SendContext, row: DeliveryRow, ac: AbortController): Promise<void> {
  const { deps, recordDelivered, writeBack } = w;
  const { outbox, clock, log, settings, metrics } = deps;
  const attempt = row.attempts + 1;
  const began = performance.now();
  const entry = deps.channels.get(row.channel);
  let sent = false;
  let built = false;
  try {
    if (!entry) throw deliveryError(`channel ${row.channel} is no longer configured`, { permanent: true });
    const n = await inFlight(clock, deps.buildNotification(row, attempt), `building delivery ${row.id}`);
    built = true;
    const signal = AbortSignal.any([ac.signal, AbortSignal.timeout(entry.timeoutMs)]);
    // On a stepped clock the send is work in flight: time waits for the channel's answer (bounded in wall time by
    // the channel's timeout). The store waits after it (recordDelivered, writeBack) are not: they sleep on the clock.
    const report = await inFlight(clock, entry.channel.send(n, signal), `a ${row.channel} delivery`);
    sent = true;
    if (report?.nothingSent) {
      await writeBack(row.id, () => outbox.markSuppressed(row.id, report.nothingSent!, clock.now()));
      metrics.outcome(row.channel, "suppressed");
      log.info({ deliveryId: row.id, channel: row.channel, route: row.route, reason: report.nothingSent }, "nothing to send");
      return;
    }
    const fallback = report ? report.fallback : undefined;
    await recordDelivered(row.id, fallback ? fallbackRowReason(fallback) : undefined);
    if (fallback) deps.fellBack?.(row, fallback);
    metrics.outcome(row.channel, "delivered");
    deps.health?.delivered(row.channel, clock.now());
    metrics.sendSeconds(row.channel, (performance.now() - began) / 1000);
    log.info({ deliveryId: row.id, channel: row.channel, route: row.route, recipient: row.recipient || undefined, attempt }, "delivered");
  } catch (err) {
    const now = clock.now();
    const message = describeError(err);
    if (sent) {
      // Never retried: the recipient has it. Left in sending, it is sent again only after SENDING_LEASE_MS.
      log.error({ deliveryId: row.id, channel: row.channel, err: message }, "delivered, but the store could not record it");
      return;
    }
    if (w.stopping() && ac.signal.aborted) {
      await outbox.unclaim(row.id, now);
      return;
    }
    // The store failed while the notification was built (it reads the event there): no channel was tried, so the
    // attempt does not count. Only then: a channel's own ECONNREFUSED is the channel's failure, not the store's.
    if (!built && causedByStoreOutage(err)) {
      await writeBack(row.id, () => outbox.unclaim(row.id, clock.now()));
      return;
    }
    if (entry) deps.health?.failed(row.channel, message, now);
    const reason = deadReason(err, attempt, row, settings, now);
    if (reason !== undefined) {
      await writeBack(row.id, () => outbox.markDead(row.id, reason, message, now));
      metrics.outcome(row.channel, "dead");
      log.error({ deliveryId: row.id, channel: row.channel, route: row.route, attempt, err: message, reason }, "delivery dead-lettered");
      return;
    }
    const next = Math.min(now + backoffDelay(attempt, settings.initialBackoffMs, settings.maxBackoffMs, randomOf(clock)), Math.max(now, row.expiresAt));
    await writeBack(row.id, () => outbox.markRetry(row.id, next, message, now));
    metrics.outcome(row.channel, "retry");
    log.warn({ deliveryId: row.id, channel: row.channel, attempt, retryInMs: next - now, err: message }, "delivery failed; will retry");
  }
}

/**
 * How long an idle worker sleeps: in a cluster with nothing due here, only until another Steward may have queued
 * work. That is peerPollMs, not capped at MAX_SLEEP_MS: alone in its cluster (peerPollMs is then the heartbeat's
 * pace, a minute at most) nobody else queues work, and a delivery queued here wakes the worker anyway. On a store of
 * its own (SQLite) every delivery is queued by this Steward, which wakes the worker, and a retry's time is read as the
 * next due: with nothing due the worker sleeps until the hourly purge (it looked every 30 s, issue 89). A pass that
 * failed (the store unreachable) looks again after MAX_SLEEP_MS.
 */
function sleepMs(deps: WorkerDeps, nothingDue: boolean, readAll: boolean, untilPurge: number): number {
  // Alone in the cluster: as on a store of its own (a change of the peer epoch wakes the worker).
  if (nothingDue && deps.liveInstances && !deps.peers?.alone()) return deps.peerPollMs?.() ?? CLUSTER_SLEEP_MS;
  return nothingDue && readAll ? Math.max(MAX_SLEEP_MS, untilPurge) : MAX_SLEEP_MS;
}

/**
 * In a cluster, the channels this Steward can send through: a delivery of another channel is left to a Steward that
 * has it (this one would give it up as "no longer configured"). Alone, every due delivery is this Steward's: one
 * whose channel left the config is dead-lettered, saying so.
 */
function channelsOf(deps: WorkerDeps): readonly string[] | undefined {
  return deps.liveInstances ? [...deps.channels.keys()] : undefined;
}

/** The store writes of a send, tried again while the store is unreachable (until stop). */
function sendContext(deps: WorkerDeps, stopping: () => boolean): SendContext {
  const { outbox, clock, log } = deps;
  /**
   * Records a send the channel accepted. While the store is unreachable it tries again every second (until stop):
   * left in sending, the delivery would be sent a second time later.
   */
  const recordDelivered = (id: number, note?: string): Promise<void> =>
    untilStoreAnswers(
      clock,
      stopping,
      isStoreUnavailable,
      () => outbox.markDelivered(id, clock.now(), note),
      (err) => log.warn({ deliveryId: id, err }, "delivered; the store is unreachable, recording it when it is back"),
    );
  /**
   * Writes a delivery's way back to pending (or dead) while the store is unreachable: tried again every second until
   * stop. Left in sending by this live Steward, the delivery would wait SENDING_LEASE_MS (10 minutes) to go out.
   */
  const writeBack = async (id: number, write: () => Promise<unknown>): Promise<void> =>
    void (await untilStoreAnswers(clock, stopping, causedByStoreOutage, write, (err) =>
      log.warn({ deliveryId: id, err }, "the store is unreachable; the delivery is queued again when it is back"),
    ));
  return { deps, stopping, recordDelivered, writeBack };
}

export function createOutboxWorker(deps: WorkerDeps): OutboxWorker {
  const { outbox, clock, log, settings } = deps;
  const fullDisk = createFullDiskLines(() => clock.now());
  const inflight = new Map<number, { ac: AbortController; done: Promise<void> }>();
  let timer: Timer | undefined;
  let timerDue = Infinity;
  let running = false;
  let stopping = false;
  let lastPurge = 0;
  const abandoned = abandonedSends(deps);
  /** The pass running now: passes never overlap (a wake during one runs another right after it). */
  let pumping: Promise<void> | undefined;
  let again = false;
  let unsubscribePeers: (() => void) | undefined;

  const schedule = (at: number) => {
    if (stopping) return;
    if (timer !== undefined && timerDue <= at) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerDue = at;
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        timerDue = Infinity;
        return pump();
      },
      Math.max(0, at - clock.now()),
    );
    timer.unref?.();
  };

  function pump(): Promise<void> {
    if (!running || stopping) return Promise.resolve();
    if (pumping) {
      again = true;
      return pumping;
    }
    // A pass woken by new deliveries (not by a timer) is work in flight on a stepped clock too.
    pumping = inFlight(clock, pass(), "the outbox's look for due deliveries")
      .catch((err) => fullDisk("pass", err, (f) => log.error({ err: describeError(err), ...f }, "outbox worker failed to read the store")))
      .finally(() => {
        pumping = undefined;
        if (again) {
          again = false;
          void pump();
        }
      });
    return pumping;
  }

  /** Releases the digests whose window closed and starts the sends that are due, as many as there are free slots. */
  async function claimAndStart(now: number): Promise<void> {
    await outbox.closeDueGroups(now);
    const free = settings.concurrency - inflight.size;
    if (free <= 0 || stopping) return;
    for (const row of await outbox.claimDue(now, free, channelsOf(deps))) {
      // Stopping began while the rows were claimed: hand them back rather than start sends now.
      if (stopping) await outbox.unclaim(row.id, now);
      else start(row);
    }
  }

  async function pass(): Promise<void> {
    const now = clock.now();
    let next: number | undefined;
    /** The pass read the store to the end: nothing due is known, not a failed read. */
    let read = false;
    try {
      if (now - lastPurge >= PURGE_EVERY_MS) {
        lastPurge = now;
        const n = await outbox.purge(now - settings.keepMs, now);
        if (n > 0) log.info({ deleted: n }, "old deliveries purged");
      }
      await abandoned.due(now);
      // One cheap look first: an idle pass (most of them) then takes no claiming transaction. Nothing is missed: the
      // claims only take rows this look counts (pending or grouping, due by now); one written after it wakes this
      // worker (written here) or is found at the next pass (written by another Steward), as it would be anyway.
      next = await outbox.nextDueAt(channelsOf(deps));
      if (next !== undefined && next <= now) {
        await claimAndStart(now);
        // With every slot taken no wake-up is set (below): a send's end looks again. So only with a slot free.
        if (inflight.size < settings.concurrency) next = await outbox.nextDueAt(channelsOf(deps));
      }
      read = true;
    } finally {
      const sleep = sleepMs(deps, next === undefined, read, lastPurge + PURGE_EVERY_MS - now);
      if (inflight.size < settings.concurrency) schedule(Math.min(next ?? Infinity, now + sleep));
    }
  }

  function start(row: DeliveryRow): void {
    const ac = new AbortController();
    const done = send(row, ac).finally(() => {
      inflight.delete(row.id);
      queueMicrotask(() => void pump());
    });
    inflight.set(row.id, { ac, done });
  }

  const sending = sendContext(deps, () => stopping);
  const send = (row: DeliveryRow, ac: AbortController) => sendDelivery(sending, row, ac);

  return {
    async start() {
      running = true;
      stopping = false;
      // Another Steward joined, one left, or someone wrote the store: look now, whatever the sleep.
      unsubscribePeers = deps.peers?.onPeerEpoch(() => {
        if (running && !stopping) queueMicrotask(() => void pump());
      });
      await abandoned.start(clock.now());
      await pump();
    },
    wake() {
      if (running && !stopping) queueMicrotask(() => void pump());
    },
    async stop(budgetMs) {
      stopping = true;
      unsubscribePeers?.();
      unsubscribePeers = undefined;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await pumping;
      await drainInFlight(inflight, budgetMs);
      running = false;
    },
    inFlight: () => inflight.size,
  };
}
