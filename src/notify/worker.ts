// The outbox worker: claims due deliveries, sends them through their channel with a timeout, and records
// the outcome (delivered, retry with backoff, or dead-lettered). Resumes whatever was pending at start;
// on stop it lets in-flight sends finish within the budget and hands interrupted ones back to the store.
import type { Logger } from "pino";
import type { Clock, Timer } from "../core/clock";
import { describeError } from "../core/errors";
import type { NotifyMetrics } from "./metrics";
import { backoffDelay } from "./backoff";
import { deliveryError, isPermanent } from "./delivery-error";
import type { DeliveryRow, OutboxStore } from "./outbox-store";
import { isStoreUnavailable } from "../store/sql";
import type { Channel, Notification } from "./types";

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
  /** Builds the notification of a claimed row (rejects when its events are gone or a template fails). */
  buildNotification(row: DeliveryRow, attempt: number): Promise<Notification>;
  /** The Steward instances alive in the cluster (their deliveries in sending are theirs); unset: only this one. */
  liveInstances?: () => Promise<readonly string[]>;
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
/** In a cluster, how often a Steward looks for deliveries a dead one left in sending. */
const RESET_EVERY_MS = 15_000;
const PURGE_EVERY_MS = 3_600_000;

export function createOutboxWorker(deps: WorkerDeps): OutboxWorker {
  const { outbox, clock, log, settings, metrics } = deps;
  const inflight = new Map<number, { ac: AbortController; done: Promise<void> }>();
  let timer: Timer | undefined;
  let timerDue = Infinity;
  let running = false;
  let stopping = false;
  let lastPurge = 0;
  let lastReset = 0;
  /** The pass running now: passes never overlap (a wake during one runs another right after it). */
  let pumping: Promise<void> | undefined;
  let again = false;

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
    pumping = pass()
      .catch((err) => log.error({ err: describeError(err) }, "outbox worker failed to read the store"))
      .finally(() => {
        pumping = undefined;
        if (again) {
          again = false;
          void pump();
        }
      });
    return pumping;
  }

  /** Sends again what a Steward that is gone (killed mid-send) left in sending. */
  async function resetAbandoned(now: number): Promise<void> {
    lastReset = now;
    const live = deps.liveInstances ? await deps.liveInstances() : undefined;
    // A Steward that looks dead may only be slow (its heartbeat lags on a busy machine): its sends are left to it
    // for as long as a send may take, so a mail is not sent a second time while the first is still on its way.
    const longestSend = Math.max(0, ...[...deps.channels.values()].map((c) => c.timeoutMs));
    const reset = await outbox.resetSending(now, live, longestSend);
    if (reset > 0) log.warn({ deliveries: reset }, "deliveries interrupted by the last stop are sent again");
  }

  async function pass(): Promise<void> {
    const now = clock.now();
    let next: number | undefined;
    try {
      if (now - lastPurge >= PURGE_EVERY_MS) {
        lastPurge = now;
        const n = await outbox.purge(now - settings.keepMs, now);
        if (n > 0) log.info({ deleted: n }, "old deliveries purged");
      }
      // In a cluster, another Steward may have died mid-send since the last look.
      if (deps.liveInstances && now - lastReset >= RESET_EVERY_MS) await resetAbandoned(now);
      await outbox.closeDueGroups(now);
      const free = settings.concurrency - inflight.size;
      if (free > 0 && !stopping) {
        for (const row of await outbox.claimDue(now, free)) {
          // Stopping began while the rows were claimed: hand them back rather than start sends now.
          if (stopping) await outbox.unclaim(row.id, now);
          else start(row);
        }
      }
      next = await outbox.nextDueAt();
    } finally {
      if (inflight.size < settings.concurrency)
        schedule(Math.min(next ?? Infinity, now + (next === undefined && deps.liveInstances ? CLUSTER_SLEEP_MS : MAX_SLEEP_MS)));
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

  /**
   * Records a send the channel accepted. While the store is unreachable it tries again every second (until stop):
   * left in sending, the delivery would be sent a second time later.
   */
  async function recordDelivered(id: number): Promise<void> {
    for (let warned = false; ; ) {
      try {
        return await outbox.markDelivered(id, clock.now());
      } catch (err) {
        if (!isStoreUnavailable(err) || stopping) throw err;
        if (!warned) log.warn({ deliveryId: id, err: describeError(err) }, "delivered; the store is unreachable, recording it when it is back");
        warned = true;
        await new Promise((r) => setTimeout(r, RECORD_RETRY_MS));
      }
    }
  }

  async function send(row: DeliveryRow, ac: AbortController): Promise<void> {
    const attempt = row.attempts + 1;
    const began = performance.now();
    const entry = deps.channels.get(row.channel);
    let sent = false;
    try {
      if (!entry) throw deliveryError(`channel ${row.channel} is no longer configured`, { permanent: true });
      const n = await deps.buildNotification(row, attempt);
      const signal = AbortSignal.any([ac.signal, AbortSignal.timeout(entry.timeoutMs)]);
      await entry.channel.send(n, signal);
      sent = true;
      await recordDelivered(row.id);
      metrics.outcome(row.channel, "delivered");
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
      if (stopping && ac.signal.aborted) {
        await outbox.unclaim(row.id, now);
        return;
      }
      const permanent = isPermanent(err);
      if (permanent || attempt >= settings.maxAttempts || now >= row.expiresAt) {
        const reason = permanent
          ? "permanent failure"
          : attempt >= settings.maxAttempts
            ? `gave up after ${attempt} attempts`
            : "gave up: older than outbox.maxAge";
        await outbox.markDead(row.id, reason, message, now);
        metrics.outcome(row.channel, "dead");
        log.error({ deliveryId: row.id, channel: row.channel, route: row.route, attempt, err: message, reason }, "delivery dead-lettered");
        return;
      }
      const next = Math.min(now + backoffDelay(attempt, settings.initialBackoffMs, settings.maxBackoffMs), Math.max(now, row.expiresAt));
      await outbox.markRetry(row.id, next, message, now);
      metrics.outcome(row.channel, "retry");
      log.warn({ deliveryId: row.id, channel: row.channel, attempt, retryInMs: next - now, err: message }, "delivery failed; will retry");
    }
  }

  return {
    async start() {
      running = true;
      stopping = false;
      await resetAbandoned(clock.now());
      await pump();
    },
    wake() {
      if (running && !stopping) queueMicrotask(() => void pump());
    },
    async stop(budgetMs) {
      stopping = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await pumping;
      const pending = [...inflight.values()];
      if (pending.length > 0) {
        // Let in-flight sends finish, but keep a slice of the budget to hand the rest back to the store.
        const wait = Math.max(0, budgetMs - 500);
        let t: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([Promise.all(pending.map((p) => p.done)), new Promise((r) => (t = setTimeout(r, wait)))]);
        clearTimeout(t);
        for (const p of inflight.values()) p.ac.abort(new Error("Steward is stopping"));
        await Promise.race([Promise.all([...inflight.values()].map((p) => p.done)), new Promise((r) => setTimeout(r, 300))]);
      }
      running = false;
    },
    inFlight: () => inflight.size,
  };
}
