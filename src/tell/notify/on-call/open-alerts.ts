// Which alerts an on-call channel has open in its product, kept in the channel's durable state (shared by every
// Steward of a cluster): the alert's key names the event that triggered it. An acknowledgement in Steward is sent
// only for an alert the channel opened, and a resolve only once, after the product accepted it.
import type { ChannelState } from "../channel-state";
import type { Notification } from "../types";
import { type AlertAction, alertActionOf, alertKeyOf } from "./alert";
import { isTaskEvent } from "../../../platform/events/types";
import { resolvedCauseOf } from "../../../platform/events/cause-resolved";

const openMark = (key: string) => `open:${key}`;

/** The event that opened the alert `key` on this channel, while it is open there. */
export const openAlertEvent = (state: ChannelState, key: string) => state.get(openMark(key));

/** What one delivery does to the product's alert: trigger, acknowledge, resolve, or nothing (nothing open to end). */
export type OnCallStep = { action: AlertAction | "acknowledge"; key: string };

/**
 * Runs one delivery of an on-call channel: `send` talks to the product; the open mark is written after a trigger
 * was accepted and removed after a resolve was. A resolve or acknowledgement of an alert this channel never opened
 * sends nothing, and neither does a trigger whose own event the mark names: the product accepted it already.
 */
export async function stepAlert(
  n: Notification,
  state: ChannelState,
  send: (step: OnCallStep) => Promise<void>,
  channel?: string,
): Promise<OnCallStep | undefined> {
  const key = alertKeyOf(n.event);
  const action: OnCallStep["action"] = n.action ?? alertActionOf(n.event);
  const opened = await state.get(openMark(key));
  if (action !== "trigger" && opened === undefined) return undefined;
  // Resolved in this very product (its webhook): the alert is closed there already; telling it back would be an echo.
  if (action === "resolve" && channel !== undefined && resolvedThrough(n) === channel) {
    await state.take(openMark(key));
    return undefined;
  }
  const step: OnCallStep = { action, key };
  // The delivery is sent again although its trigger was accepted: a Steward was killed (or lost the store) after the
  // mark and before the delivery was recorded as delivered. Sending it again would be a duplicate trigger.
  if (action === "trigger" && opened === n.event.id) return step;
  await send(step);
  if (action === "trigger" && (await state.get(openMark(key))) === undefined) await state.set(openMark(key), n.event.id);
  if (action === "resolve") await state.take(openMark(key));
  return step;
}

/** The on-call channel whose webhook resolved the incident this event closes, if one did. */
const resolvedThrough = (n: Notification): string | undefined =>
  isTaskEvent(n.event) && n.event.kind === "task.recovered" ? n.event.incident?.resolved?.channel : resolvedCauseOf(n.event)?.channel;
