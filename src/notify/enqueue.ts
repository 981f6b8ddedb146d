// Writes a plan to the outbox in one transaction: the event, then one row per delivery (pending, grouped
// into an open digest, or suppressed with its reason), and the rate-limit windows it opens. Nothing is
// sent here; the worker picks pending rows up.
import type { DomainEvent } from "../events/types";
import type { OutboxStore } from "./outbox-store";
import type { Plan, PlannedDelivery } from "./planner";

export interface EnqueueResult {
  queued: number;
  grouped: number;
  suppressed: number;
  duplicates: number;
}

export function enqueuePlan(outbox: OutboxStore, plan: Plan, now: number, maxAgeMs: number): EnqueueResult {
  const result: EnqueueResult = { queued: 0, grouped: 0, suppressed: 0, duplicates: 0 };
  const actionable = plan.deliveries.filter((d) => d.action !== "duplicate");
  result.duplicates = plan.deliveries.length - actionable.length;
  if (actionable.length === 0) return result;
  outbox.transaction(() => {
    outbox.saveEvent(plan.event, now);
    for (const d of actionable) {
      // Re-checked inside the transaction: two routes or a concurrent emit may have written it meanwhile.
      if (outbox.exists(d.key)) {
        result.duplicates++;
        continue;
      }
      if (d.action === "suppress") {
        insertRow(outbox, plan.event, d, "suppressed", now, maxAgeMs, d.reason ?? null);
        result.suppressed++;
        continue;
      }
      if (d.rateLimit) outbox.setRateLimit(d.rateLimit.key, now + d.rateLimit.windowMs);
      if (d.action === "group" && d.group) {
        addToGroup(outbox, plan.event, d, now, maxAgeMs, result);
        continue;
      }
      insertRow(outbox, plan.event, d, "pending", now, maxAgeMs, null);
      result.queued++;
    }
  });
  return result;
}

function insertRow(
  outbox: OutboxStore,
  event: DomainEvent,
  d: PlannedDelivery,
  status: "pending" | "suppressed" | "grouped",
  now: number,
  maxAgeMs: number,
  reason: string | null,
  groupId: number | null = null,
): number {
  return outbox.insert({
    key: d.key,
    eventId: event.id,
    eventIds: [event.id],
    kind: event.kind,
    route: d.route,
    channel: d.channel,
    recipient: d.recipient,
    target: d.target,
    status,
    reason,
    groupId,
    groupWindowMs: null,
    nextAttemptAt: now,
    expiresAt: now + maxAgeMs,
    createdAt: now,
  });
}

function addToGroup(outbox: OutboxStore, event: DomainEvent, d: PlannedDelivery, now: number, maxAgeMs: number, result: EnqueueResult): void {
  const { windowMs, sendFirst } = d.group!;
  const open = outbox.openGroup(d.route, d.channel, d.recipient);
  if (open) {
    outbox.setGroupEvents(open.id, [...open.eventIds, event.id], now);
    insertRow(outbox, event, d, "grouped", now, maxAgeMs, `folded into digest ${open.id}`, open.id);
    result.grouped++;
    return;
  }
  // No window open: this event opens one. With sendFirst it goes out at once and the window collects the rest.
  const members = sendFirst ? [] : [event.id];
  const groupId = outbox.insert({
    key: `digest|${d.route}|${d.channel}|${d.recipient.toLowerCase()}|${now}|${event.id}`,
    eventId: members[0] ?? "",
    eventIds: members,
    kind: "digest",
    route: d.route,
    channel: d.channel,
    recipient: d.recipient,
    target: d.target,
    status: "grouping",
    reason: null,
    groupId: null,
    groupWindowMs: windowMs,
    nextAttemptAt: now + windowMs,
    expiresAt: now + windowMs + maxAgeMs,
    createdAt: now,
  });
  if (sendFirst) {
    insertRow(outbox, event, d, "pending", now, maxAgeMs, null);
    result.queued++;
  } else {
    insertRow(outbox, event, d, "grouped", now, maxAgeMs, `folded into digest ${groupId}`, groupId);
    result.grouped++;
  }
}
