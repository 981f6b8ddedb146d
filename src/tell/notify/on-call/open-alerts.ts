// Which alerts an on-call channel has open in its product, kept in the channel's durable state (shared by every
// Steward of a cluster): the alert's key names the event that triggered it. An acknowledgement in Steward is sent
// only for an alert the channel opened, and a resolve only once, after the product accepted it.
import type { ChannelState } from "../channel-state";
import type { Notification } from "../types";
import { type AlertAction, alertActionOf, alertKeyOf, isUnconfirmedSuccess, UNCONFIRMED_NOT_TOLD } from "./alert";
import { isTaskEvent } from "../../../platform/events/types";
import { resolvedCauseOf } from "../../../platform/events/cause-resolved";

const openMark = (key: string) => `open:${key}`;
/** Set once the product was told of an acknowledgement of the alert (by Steward, or by the product itself). */
const ackedMark = (key: string) => `acked:${key}`;
/** Channel-state keys of the alerts open in the product (what the convergence sweep reads). */
export const OPEN_ALERT_PREFIX = "open:";

/** The event that opened the alert `key` on this channel, while it is open there. */
export const openAlertEvent = (state: ChannelState, key: string) => state.get(openMark(key));
/** Whether the product was told the alert `key` is acknowledged. */
export const alertAcknowledged = async (state: ChannelState, key: string) => (await state.get(ackedMark(key))) !== undefined;
/** The product acknowledged the alert itself (its webhook): it needs no acknowledgement from Steward. */
export const markAcknowledged = (state: ChannelState, key: string, by: string) => state.set(ackedMark(key), by);
/**
 * The product resolved the alert itself (its webhook): nothing is open there to tell of the end. Forgotten before
 * Steward's incident closes, so the convergence sweep never finds the alert open and its incident ended in between.
 */
export const markResolved = (state: ChannelState, key: string) => forget(state, key);

/** What one delivery does to the product's alert: trigger, acknowledge, resolve, or nothing (nothing open to end). */
export type OnCallStep = { action: AlertAction | "acknowledge" | "note"; key: string };

/**
 * Runs one delivery of an on-call channel: `send` talks to the product; the open mark is written after a trigger
 * was accepted and removed after a resolve was. A resolve or acknowledgement of an alert this channel does not hold
 * sends nothing and says why (the delivery is then recorded as suppressed, not delivered: issue 84), and neither does
 * a trigger whose own event the mark names: the product accepted it already.
 */
export async function stepAlert(
  n: Notification,
  state: ChannelState,
  send: (step: OnCallStep) => Promise<void>,
  channel?: string,
  onOpened?: (key: string) => void,
): Promise<{ step: OnCallStep } | { nothingSent: string }> {
  const key = alertKeyOf(n.event);
  const action: OnCallStep["action"] = n.action ?? alertActionOf(n.event);
  if (isUnconfirmedSuccess(n.event) && n.test === undefined) return { nothingSent: UNCONFIRMED_NOT_TOLD };
  // Resolved in this very product (its webhook): the alert is closed there already, and the webhook forgot its mark
  // before it resolved the incident (act.ts); telling it back would be an echo.
  if (action === "resolve" && channel !== undefined && resolvedThrough(n) === channel) {
    await forget(state, key);
    return { nothingSent: `${key} was resolved in the product itself: not told back` };
  }
  const opened = await state.get(openMark(key));
  if (action !== "trigger" && opened === undefined)
    return { nothingSent: `no alert ${key} is open in the product (never triggered there, or ended already): nothing to ${action}` };
  const step: OnCallStep = { action, key };
  // The delivery is sent again although its trigger was accepted: a Steward was killed (or lost the store) after the
  // mark and before the delivery was recorded as delivered. Sending it again would be a duplicate trigger.
  if (action === "trigger" && opened === n.event.id) return { step };
  await send(step);
  // Its incident may have been acknowledged (or ended) before this trigger went: that follows now, after it.
  if (action === "trigger" && (await state.setIfAbsent(openMark(key), n.event.id))) onOpened?.(key);
  if (action === "acknowledge") await state.set(ackedMark(key), "steward");
  if (action === "resolve") await forget(state, key);
  return { step };
}

async function forget(state: ChannelState, key: string): Promise<void> {
  await state.takeAll([openMark(key), ackedMark(key)]);
}

/** The on-call channel whose webhook resolved the incident this event closes, if one did. */
const resolvedThrough = (n: Notification): string | undefined =>
  isTaskEvent(n.event) && n.event.kind === "task.recovered" ? n.event.incident?.resolved?.channel : resolvedCauseOf(n.event)?.channel;
