// The convergence sweep's part for SIGNL4 (converge.ts): the channel's state names each incident it opened there (its
// external id) and the event that opened it; one whose Steward incident or cause has ended is resolved, by an outbox
// row in the alert's thread (after its opening), keyed so it is queued once whichever Steward finds it.
import { isTaskEvent, type DomainEvent } from "../../../platform/events/types";
import type { ChannelState } from "../channel-state";
import { RESOLVE_KIND } from "../notification";
import type { OutboxStore } from "../outbox-store";
import { threadOf } from "../thread";
import { type AlertRef, type AlertTruths, truthKey } from "./alert-truth";

/** What queueing a SIGNL4 resolve needs of the notifier: its events and rows, its test mode and its rows' lifetime. */
export interface Signl4RepairDeps {
  outbox: Pick<OutboxStore, "getEvent" | "insert">;
  truths: AlertTruths;
  /** Whether a later step of the alert's thread (its recovery) is still waiting to go to `channel` (converge.ts). */
  stepWaiting(channel: string, eventId: string): Promise<boolean>;
  /** Where test mode sends the channel's deliveries: its testTarget, null for the real one, undefined: held back. */
  target(channel: string): string | null | undefined;
  maxAgeMs(): number;
  now(): number;
  /** The condition's incident an event that opened no task incident is (converge.ts). */
  conditionOf?(opener: DomainEvent): AlertRef | undefined;
}

/** The incident, cause or condition's incident an opening event is, as the sweep asks about it; undefined for anything else. */
function refOf(e: DomainEvent, conditionOf: Signl4RepairDeps["conditionOf"]): AlertRef | undefined {
  if (e.cause) return { cause: e.cause.id };
  if (isTaskEvent(e) && e.source === "test") return undefined;
  return isTaskEvent(e) && e.incident ? { incident: e.incident.id } : conditionOf?.(e);
}

/** Queues the resolve of each SIGNL4 incident of `channel` whose Steward incident or cause ended; returns how many. */
export async function repairSignl4(channel: string, state: ChannelState, deps: Signl4RepairDeps): Promise<number> {
  const target = deps.target(channel);
  if (target === undefined) return 0;
  const open: Array<{ externalId: string; eventId: string; event: DomainEvent; ref: AlertRef }> = [];
  for (const { key, value } of await state.entries("")) {
    // cause:<id> names the external id a cause's alert is under; that alert is its own entry too.
    if (key.startsWith("cause:")) continue;
    const event = await deps.outbox.getEvent(value);
    const ref = event ? refOf(event, deps.conditionOf) : undefined;
    if (event && ref) open.push({ externalId: key, eventId: value, event, ref });
  }
  if (open.length === 0) return 0;
  const truths = await deps.truths(open.map((o) => o.ref));
  let queued = 0;
  for (const o of open) {
    if (truths.get(truthKey(o.ref))?.open !== false) continue;
    if (await deps.stepWaiting(channel, o.eventId)) continue;
    const now = deps.now();
    const id = await deps.outbox.insert({
      key: `resolve|${channel}|${o.externalId}|${o.eventId}`,
      eventId: o.eventId,
      eventIds: [o.eventId],
      kind: RESOLVE_KIND,
      route: "resolve",
      channel,
      recipient: "",
      target,
      status: "pending",
      reason: "Resolved in Steward: its incident ended",
      groupId: null,
      groupWindowMs: null,
      nextAttemptAt: now,
      expiresAt: now + deps.maxAgeMs(),
      createdAt: now,
      thread: threadOf(o.event),
    });
    if (id !== undefined) queued++;
  }
  return queued;
}
