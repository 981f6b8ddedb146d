// An incident or cause acknowledged in Steward is acknowledged in the on-call products whose alert for it is open:
// one outbox row per channel and alert (kind ACKNOWLEDGE_KIND, the event that opened the alert as its event), so it
// survives a restart, is sent by whichever Steward of a cluster claims it, and waits behind the trigger it follows
// (the same thread). Its key makes a second acknowledgement of the same alert, from any Steward, a no-op.
import type { ChannelConfig } from "../config";
import type { NotifyConfig } from "../config";
import type { ChannelState } from "../channel-state";
import type { OutboxStore } from "../outbox-store";
import { ACKNOWLEDGE_KIND } from "../notification";
import { threadOf } from "../thread";
import { openAlertEvent } from "./open-alerts";

export interface AcknowledgeTarget {
  name: string;
  config: ChannelConfig;
  state: ChannelState;
}

export interface AcknowledgeRequest {
  /** The alert keys (steward-cause-<id>, steward-incident-<id>) the acknowledgement covers. */
  keys: readonly string[];
  /** Who acknowledged, for the product's note. */
  by: string;
  /** The channel the acknowledgement came from (its webhook): told nothing back. */
  except?: string;
}

/** Where test mode sends an acknowledgement: the channel's testTarget, null for the real one, undefined: held back. */
function targetOf(notify: NotifyConfig, name: string, ch: ChannelConfig): string | null | undefined {
  const test = notify.testMode;
  if (!test.enabled || test.unaffected.includes(name)) return null;
  return "testTarget" in ch && ch.testTarget ? ch.testTarget : undefined;
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
    if (ch.name === req.except || !ch.config.enabled) continue;
    const target = targetOf(notify, ch.name, ch.config);
    if (target === undefined) continue;
    for (const key of req.keys) {
      const eventId = await openAlertEvent(ch.state, key);
      if (eventId === undefined) continue;
      const event = await outbox.getEvent(eventId);
      if (!event) continue;
      const id = await outbox.transaction((tx) =>
        tx.insert({
          key: `ack|${ch.name}|${key}|${eventId}`,
          eventId,
          eventIds: [eventId],
          kind: ACKNOWLEDGE_KIND,
          route: "acknowledge",
          channel: ch.name,
          recipient: "",
          target,
          status: "pending",
          reason: `Acknowledged in Steward by ${req.by}`.slice(0, 500),
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
