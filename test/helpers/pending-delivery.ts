// A delivery as the outbox queues it for one event, pending and due now: the row several cluster and outbox tests
// write by hand to stand for "a Steward with this channel queued it".
import type { NewDelivery } from "../../src/tell/notify/outbox-store";

export function pendingDelivery(
  eventId: string,
  now: number,
  to: { channel: string; recipient?: string; route?: string; kind?: NewDelivery["kind"] },
): NewDelivery {
  const recipient = to.recipient ?? "";
  return {
    key: `${eventId}|${to.channel}|${recipient}`,
    eventId,
    eventIds: [eventId],
    kind: to.kind ?? "task.failed",
    route: to.route ?? "r",
    channel: to.channel,
    recipient,
    target: null,
    status: "pending",
    reason: null,
    groupId: null,
    groupWindowMs: null,
    nextAttemptAt: now,
    expiresAt: now + 3_600_000,
    createdAt: now,
  };
}
