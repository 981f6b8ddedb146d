// Writes a plan to the outbox in one transaction: the gates' last word (DeliveryGate.settle: who received a page,
// so a recovery follows only a page that was queued), the event, then one row per delivery (pending, grouped into an
// open digest, or suppressed with its reason), and the rate-limit windows it opens. Nothing is sent here; the worker
// picks pending rows up.
import type { DomainEvent } from "../../platform/events/types";
import type { DeliveryGate } from "./gate";
import { NOTE_KIND } from "./notification";
import type { OutboxStore } from "./outbox-store";
import type { Plan, PlannedDelivery } from "./planner";
import { threadOf } from "./thread";

export interface EnqueueResult {
  queued: number;
  grouped: number;
  suppressed: number;
  duplicates: number;
}

type Tx = Parameters<Parameters<OutboxStore["transaction"]>[0]>[0];

/** What was written: the counts, and the plan as the gates settled it inside the transaction. */
export interface Enqueued {
  result: EnqueueResult;
  plan: Plan;
}

export async function enqueuePlan(outbox: OutboxStore, planned: Plan, now: number, maxAgeMs: number, gate?: DeliveryGate): Promise<Enqueued> {
  const result: EnqueueResult = { queued: 0, grouped: 0, suppressed: 0, duplicates: 0 };
  if (planned.deliveries.every((d) => d.action === "duplicate")) return { result: { ...result, duplicates: planned.deliveries.length }, plan: planned };
  let plan = planned;
  await outbox.transaction(async (tx) => {
    plan = gate?.settle ? await gate.settle(planned, tx.sql, now) : planned;
    const actionable = plan.deliveries.filter((d) => d.action !== "duplicate");
    result.duplicates = plan.deliveries.length - actionable.length;
    await tx.saveEvent(plan.event, now);
    for (const d of actionable) {
      // Re-checked inside the transaction: two routes, a concurrent emit or another Steward may have written it. A
      // row of its own finds that by its insert (ON CONFLICT (key) DO NOTHING gives no id); a digest's event is
      // added to another row, so it asks first.
      if (d.action === "group" && d.group && (await tx.exists(d.key))) {
        result.duplicates++;
        continue;
      }
      if (d.action === "suppress") {
        if ((await insertRow(tx, plan.event, d, "suppressed", now, maxAgeMs, d.reason ?? null)) === undefined) result.duplicates++;
        else result.suppressed++;
        continue;
      }
      if (d.action === "group" && d.group) {
        if (d.rateLimit) await tx.setRateLimit(d.rateLimit.key, now + d.rateLimit.windowMs);
        await addToGroup(tx, plan.event, d, now, maxAgeMs, result);
        continue;
      }
      if ((await insertRow(tx, plan.event, d, "pending", now, maxAgeMs, null)) === undefined) {
        result.duplicates++;
        continue;
      }
      if (d.rateLimit) await tx.setRateLimit(d.rateLimit.key, now + d.rateLimit.windowMs);
      result.queued++;
    }
  });
  return { result, plan };
}

function insertRow(
  outbox: Tx,
  event: DomainEvent,
  d: PlannedDelivery,
  status: "pending" | "suppressed" | "grouped",
  now: number,
  maxAgeMs: number,
  reason: string | null,
  groupId: number | null = null,
): Promise<number | undefined> {
  return outbox.insert({
    key: d.key,
    eventId: event.id,
    eventIds: [event.id],
    kind: d.alertNote ? NOTE_KIND : event.kind,
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
    thread: threadOf(event),
  });
}

async function addToGroup(outbox: Tx, event: DomainEvent, d: PlannedDelivery, now: number, maxAgeMs: number, result: EnqueueResult): Promise<void> {
  const { windowMs, sendFirst, key: groupKey } = d.group!;
  const open = await outbox.openGroup(d.route, d.channel, d.recipient, groupKey ?? "");
  if (open) {
    await outbox.setGroupEvents(open.id, [...open.eventIds, event.id], now);
    await insertRow(outbox, event, d, "grouped", now, maxAgeMs, `folded into digest ${open.id}`, open.id);
    result.grouped++;
    return;
  }
  // No window open: this event opens one. With sendFirst it goes out at once and the window collects the rest.
  const members = sendFirst ? [] : [event.id];
  const groupId = await outbox.insert({
    key: `digest|${d.route}|${groupKey ? `${groupKey}|` : ""}${d.channel}|${d.recipient.toLowerCase()}|${now}|${event.id}`,
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
    groupKey: groupKey ?? null,
    nextAttemptAt: now + windowMs,
    expiresAt: now + windowMs + maxAgeMs,
    createdAt: now,
  });
  if (groupId === undefined) throw new Error(`a digest for ${d.route}/${d.channel} was opened twice in the same millisecond`);
  if (sendFirst) {
    await insertRow(outbox, event, d, "pending", now, maxAgeMs, null);
    result.queued++;
  } else {
    await insertRow(outbox, event, d, "grouped", now, maxAgeMs, `folded into digest ${groupId}`, groupId);
    result.grouped++;
  }
}
