// Follows a page with a message of its own (issue 101: an action update): to each channel and recipient that an
// earlier delivery of the page's conversation reached (its thread, since the incident or cause opened), and only
// there, whatever the routes take now. An on-call product (PagerDuty, Opsgenie) gets it as a note on the page's open
// alert; one that keeps alerts but takes no notes, and a time series, get nothing.
import type { DomainEvent } from "../../platform/events/types";
import type { SqlDb } from "../../platform/store/sql";
import { CHANNELS } from "./channels/registry";
import type { ChannelConfig } from "./config";
import { enqueuePlan } from "./enqueue";
import { ACKNOWLEDGE_KIND, NOTE_KIND, RESOLVE_KIND } from "./notification";
import type { OutboxStore } from "./outbox-store";
import { deliveryKey, type PlannedDelivery } from "./planner";
import { TEST_SEND_ROUTE } from "./types";

/** One receiver of a page: where its delivery went, and that delivery's key (a mail's Message-ID is made from it). */
export interface PageReceiver {
  route: string;
  channel: string;
  recipient: string;
  target: string | null;
  pageKey: string;
  /** When the thread's first message to this receiver was queued. */
  firstAt: number;
}

/** Deliveries a follow-up goes to at most (as a cause's update: a long mailing list is cut, not copied whole). */
const MAX_RECEIVERS = 200;
const NOT_PAGES = [ACKNOWLEDGE_KIND, RESOLVE_KIND, NOTE_KIND];

/**
 * The thread as given and in lower case (a task's id as its events spell it, and as an incident's subject does):
 * matched on the thread index, not by a scan of every delivery kept.
 */
const threadNames = (thread: string): [string, string] => [thread, thread.toLowerCase()];

/** The receivers the thread's delivered messages reached since `since`, each once (its first delivery). */
export async function pageReceivers(db: SqlDb, thread: string, since: number): Promise<PageReceiver[]> {
  const rows = await db.all<{ route: string; channel: string; recipient: string; target: string | null; key: string; created_at: number | string }>(
    `SELECT route, channel, recipient, target, key, created_at FROM notify_deliveries
     WHERE thread IN (?, ?) AND created_at >= ? AND status = 'delivered' AND route <> ? AND kind NOT IN (?, ?, ?) ORDER BY id LIMIT 2000`,
    [...threadNames(thread), since, TEST_SEND_ROUTE, ...NOT_PAGES],
  );
  const seen = new Map<string, PageReceiver>();
  for (const r of rows) {
    const who = `${r.channel}|${String(r.recipient).toLowerCase()}`;
    if (!seen.has(who) && seen.size < MAX_RECEIVERS)
      seen.set(who, {
        route: String(r.route),
        channel: String(r.channel),
        recipient: String(r.recipient),
        target: r.target,
        pageKey: String(r.key),
        firstAt: Number(r.created_at),
      });
  }
  return [...seen.values()];
}

/** Whether a message of the thread is still on its way (queued or being sent): it tells what is untold when it goes. */
export async function threadBusy(db: SqlDb, thread: string, since: number): Promise<boolean> {
  const r = await db.get(
    "SELECT 1 AS x FROM notify_deliveries WHERE thread IN (?, ?) AND created_at >= ? AND status IN ('pending', 'sending') AND kind NOT IN (?, ?) LIMIT 1",
    [...threadNames(thread), since, ACKNOWLEDGE_KIND, RESOLVE_KIND],
  );
  return r !== undefined;
}

/**
 * The receivers (`channel|recipient`, lower case) that a delivery of the event is still on its way to (queued, being
 * sent or waiting for its next attempt): the message it sends is yet to be built.
 */
export async function eventOnItsWay(db: SqlDb, eventId: string): Promise<Set<string>> {
  const rows = await db.all<{ channel: string; recipient: string }>(
    "SELECT channel, recipient FROM notify_deliveries WHERE event_id = ? AND status IN ('pending', 'sending') LIMIT 2000",
    [eventId],
  );
  return new Set(rows.map((r) => `${r.channel}|${String(r.recipient).toLowerCase()}`));
}

/**
 * Queues `event` to each receiver, keyed by the event (two Stewards, or one after a kill, queue it once). Returns how
 * many deliveries it made now (0 when they were queued before).
 */
export async function followPage(
  outbox: OutboxStore,
  channels: Readonly<Record<string, ChannelConfig>>,
  event: DomainEvent,
  receivers: readonly PageReceiver[],
  now: number,
  maxAgeMs: number,
): Promise<number> {
  const deliveries: PlannedDelivery[] = [];
  for (const r of receivers) {
    const ch = channels[r.channel];
    if (!ch) continue; // The channel left the config since the page.
    const def = CHANNELS[ch.type];
    if (def.dataSink || (def.keepsAlerts && !def.takesNotes)) continue;
    deliveries.push({
      route: r.route,
      channel: r.channel,
      channelType: ch.type,
      recipient: r.recipient,
      target: r.target,
      key: deliveryKey(event.id, r.channel, r.recipient),
      action: "send",
      ...(def.takesNotes ? { alertNote: true } : {}),
    });
  }
  if (deliveries.length === 0) return 0;
  const { result } = await enqueuePlan(outbox, { event, routes: [], deliveries }, now, maxAgeMs);
  return result.queued;
}
