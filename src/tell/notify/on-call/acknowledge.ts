// An incident or cause acknowledged in Steward is acknowledged in the on-call products whose alert for it is open:
// one outbox row per channel and alert (kind ACKNOWLEDGE_KIND, the event that opened the alert as its event), so it
// survives a restart, is sent by whichever Steward of a cluster claims it, and waits behind the trigger it follows
// (the same thread). Its key makes a second acknowledgement of the same alert, from any Steward, a no-op.
import type { ChannelConfig, NotifyConfig } from "../config";
import type { ChannelState } from "../channel-state";
import type { OutboxStore } from "../outbox-store";
import { ACKNOWLEDGE_KIND, RESOLVE_KIND } from "../notification";
import { threadOf } from "../thread";
import { markAcknowledged, markResolved, openAlertEvent } from "./open-alerts";
import { alertActionOf, alertKeyOf } from "./alert";
import type { DomainEvent } from "../../../platform/events/types";

export interface AcknowledgeTarget {
  name: string;
  config: ChannelConfig;
  state: ChannelState;
}

export interface AcknowledgeRequest {
  /**
   * The alerts the acknowledgement covers: their keys (steward-cause-<id>, steward-incident-<id>) and the thread their
   * deliveries are in (cause:<id>, task:<task id>), where a trigger not yet accepted is found.
   */
  alerts: ReadonlyArray<{ key: string; thread: string }>;
  /** Who acknowledged, for the product's note. */
  by: string;
  /** The channel the acknowledgement came from (its webhook): told nothing back. */
  except?: string;
  /** Resolve the alerts instead (a cause resolved by hand that no recovery of its own will end); default acknowledge. */
  resolve?: boolean;
  /**
   * With resolve: no follow-up event goes after it (a condition's incident resolved by hand has none), so the
   * channel it was resolved in (`except`) forgets the alert here, as a follow-up's delivery would (open-alerts.ts).
   */
  noFollowUp?: boolean;
  /** Only this channel (the convergence sweep repairs one channel's alert at a time). */
  only?: string;
}

/** Where test mode sends an acknowledgement: the channel's testTarget, null for the real one, undefined: held back. */
function targetOf(notify: NotifyConfig, name: string, ch: ChannelConfig): string | null | undefined {
  const test = notify.testMode;
  if (!test.enabled || test.unaffected.includes(name)) return null;
  return "testTarget" in ch && ch.testTarget ? ch.testTarget : undefined;
}

/**
 * The event that opened the channel's alert `key`: from its open mark, or a trigger still waiting in the outbox
 * (acknowledged while the product did not take the trigger yet: the acknowledgement then waits behind it).
 */
async function alertEvent(
  outbox: OutboxStore,
  ch: AcknowledgeTarget,
  key: string,
  thread: string,
): Promise<{ eventId: string; event: DomainEvent } | undefined> {
  const open = await openAlertEvent(ch.state, key);
  const candidates = open !== undefined ? [open] : await outbox.waitingInThread(ch.name, thread, ACKNOWLEDGE_KIND);
  for (const eventId of candidates) {
    const event = await outbox.getEvent(eventId);
    if (event && (open !== undefined || (alertKeyOf(event) === key && alertActionOf(event) === "trigger"))) return { eventId, event };
  }
  return undefined;
}

/** Queues the acknowledgements; returns how many rows were written. */
export async function queueAcknowledgements(
  outbox: OutboxStore,
  notify: NotifyConfig,
  channels: readonly AcknowledgeTarget[],
  req: AcknowledgeRequest,
  now: number,
): Promise<number> {
  let queued = 0;
  for (const ch of channels) {
    if (req.only !== undefined && ch.name !== req.only) continue;
    if (ch.name === req.except && (!req.resolve || req.noFollowUp)) {
      // Acknowledged (or resolved) in that product itself: it holds the alert so, and the sweep never tells it again.
      for (const { key } of req.alerts)
        if ((await openAlertEvent(ch.state, key)) !== undefined) await (req.resolve ? markResolved(ch.state, key) : markAcknowledged(ch.state, key, req.by));
    }
    if (ch.name === req.except || !ch.config.enabled) continue;
    const target = targetOf(notify, ch.name, ch.config);
    if (target === undefined) continue;
    for (const { key, thread } of req.alerts) {
      const found = await alertEvent(outbox, ch, key, thread);
      if (!found) continue;
      const { eventId, event } = found;
      const id = await outbox.transaction((tx) =>
        tx.insert({
          key: `${req.resolve ? "resolve" : "ack"}|${ch.name}|${key}|${eventId}`,
          eventId,
          eventIds: [eventId],
          kind: req.resolve ? RESOLVE_KIND : ACKNOWLEDGE_KIND,
          route: req.resolve ? "resolve" : "acknowledge",
          channel: ch.name,
          recipient: "",
          target,
          status: "pending",
          reason: `${req.resolve ? "Resolved" : "Acknowledged"} in Steward by ${req.by}`.slice(0, 500),
          groupId: null,
          groupWindowMs: null,
          nextAttemptAt: now,
          expiresAt: now + notify.outbox.maxAge,
          createdAt: now,
          thread: threadOf(event),
        }),
      );
      if (id !== undefined) queued++;
    }
  }
  return queued;
}
