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
  /** Builds the notification of a claimed row (throws when its events are gone or a template fails). */
  buildNotification(row: DeliveryRow, attempt: number): Notification;
}

export interface OutboxWorker {
  start(): void;
  /** Look for due work now (called after new deliveries were queued). */
  wake(): void;
  stop(budgetMs: number): Promise<void>;
  inFlight(): number;
}

const MAX_SLEEP_MS = 30_000;
const PURGE_EVERY_MS = 3_600_000;

export function createOutboxWorker(deps: WorkerDeps): OutboxWorker {
  const { outbox, clock, log, settings, metrics } = deps;
  const inflight = new Map<number, { ac: AbortController; done: Promise<void> }>();
  let timer: Timer | undefined;
  let timerDue = Infinity;
  let running = false;
  let stopping = false;
  let lastPurge = 0;

  const schedule = (at: number) => {
    if (stopping) return;
    if (timer !== undefined && timerDue <= at) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerDue = at;
    timer = clock.setTimeout(() => {
      timer = undefined;
      timerDue = Infinity;
      pump();
    }, Math.max(0, at - clock.now()));
    timer.unref?.();
  };

  function pump(): void {
    if (!running || stopping) return;
    const now = clock.now();
    try {
      if (now - lastPurge >= PURGE_EVERY_MS) {
        lastPurge = now;
        const n = outbox.purge(now - settings.keepMs, now);
        if (n > 0) log.info({ deleted: n }, "old deliveries purged");
      }
      for (const g of outbox.dueGroups(now)) {
        if (g.eventIds.length === 0) outbox.deleteRow(g.id);
        else outbox.releaseGroup(g.id, now);
      }
      const free = settings.concurrency - inflight.size;
      if (free > 0) {
        for (const row of outbox.due(now, free)) {
          if (outbox.markSending(row.id, now)) start(row);
        }
      }
    } catch (err) {
      log.error({ err: describeError(err) }, "outbox worker failed to read the store");
    }
    if (inflight.size < settings.concurrency) {
      const next = outbox.nextDueAt();
      schedule(Math.min(next ?? Infinity, now + MAX_SLEEP_MS));
    }
  }

  function start(row: DeliveryRow): void {
    const ac = new AbortController();
    const done = send(row, ac).finally(() => {
      inflight.delete(row.id);
      queueMicrotask(pump);
    });
    inflight.set(row.id, { ac, done });
  }

  async function send(row: DeliveryRow, ac: AbortController): Promise<void> {
    const attempt = row.attempts + 1;
    const began = performance.now();
    const entry = deps.channels.get(row.channel);
    try {
      if (!entry) throw deliveryError(`channel ${row.channel} is no longer configured`, { permanent: true });
      const n = deps.buildNotification(row, attempt);
      const signal = AbortSignal.any([ac.signal, AbortSignal.timeout(entry.timeoutMs)]);
      await entry.channel.send(n, signal);
      outbox.markDelivered(row.id, clock.now());
      metrics.outcome(row.channel, "delivered");
      metrics.sendSeconds(row.channel, (performance.now() - began) / 1000);
      log.info({ deliveryId: row.id, channel: row.channel, route: row.route, recipient: row.recipient || undefined, attempt }, "delivered");
    } catch (err) {
      const now = clock.now();
      const message = describeError(err);
      if (stopping && ac.signal.aborted) {
        outbox.unclaim(row.id, now);
        return;
      }
      const permanent = isPermanent(err);
      if (permanent || attempt >= settings.maxAttempts || now >= row.expiresAt) {
        const reason = permanent ? "permanent failure" : attempt >= settings.maxAttempts ? `gave up after ${attempt} attempts` : "gave up: older than outbox.maxAge";
        outbox.markDead(row.id, reason, message, now);
        metrics.outcome(row.channel, "dead");
        log.error({ deliveryId: row.id, channel: row.channel, route: row.route, attempt, err: message, reason }, "delivery dead-lettered");
        return;
      }
      const next = Math.min(now + backoffDelay(attempt, settings.initialBackoffMs, settings.maxBackoffMs), Math.max(now, row.expiresAt));
      outbox.markRetry(row.id, next, message, now);
      metrics.outcome(row.channel, "retry");
      log.warn({ deliveryId: row.id, channel: row.channel, attempt, retryInMs: next - now, err: message }, "delivery failed; will retry");
    }
  }

  return {
    start() {
      running = true;
      stopping = false;
      const reset = outbox.resetSending(clock.now());
      if (reset > 0) log.warn({ deliveries: reset }, "deliveries interrupted by the last stop are sent again");
      pump();
    },
    wake() {
      if (running && !stopping) queueMicrotask(pump);
    },
    async stop(budgetMs) {
      stopping = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
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
