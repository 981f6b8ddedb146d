// Turns an outbox row into the Notification a channel sends: loads its event(s) from the store and builds
// the template variables once, with the channel's script-log settings.
import type { DomainEvent, EventKind } from "../../platform/events/types";
import { deliveryError } from "../../platform/http/delivery-error";
import type { DeliveryRow, OutboxStore } from "./outbox-store";
import { buildDigestVars, buildVars, type TemplateVarsOptions } from "./template-vars";
import type { Notification } from "./types";
import { withHeldFailures } from "./held-failures";

export interface NotificationInput {
  deliveryId: number;
  key: string;
  channel: string;
  route: string;
  events: DomainEvent[];
  recipient: string;
  target: string | null;
  attempt: number;
  groupWindowMs?: number | null;
  /** An on-call alert's acknowledgement (ACKNOWLEDGE_KIND rows) or resolve by hand (RESOLVE_KIND), with who did it. */
  action?: { kind: "acknowledge" | "resolve" | "note"; note?: string };
}

/** The kind of an outbox row that acknowledges an on-call alert its event opened (src/tell/notify/on-call/acknowledge.ts). */
export const ACKNOWLEDGE_KIND = "alert.acknowledge";
/** The kind of an outbox row that resolves an on-call alert of a cause a person resolved (on-call/acknowledge.ts). */
export const RESOLVE_KIND = "alert.resolve";
/** The kind of an outbox row that adds what Steward's remediation did to an open on-call alert (grouping/updates.ts). */
export const NOTE_KIND = "alert.note";

export function buildNotification(input: NotificationInput, opts: TemplateVarsOptions): Notification {
  const [first] = input.events;
  if (!first) throw deliveryError(`delivery ${input.deliveryId} has no events`, { permanent: true });
  const digestVars = input.events.map((e) => buildVars(e, opts));
  const digest = input.events.length > 1;
  const single = withHeldFailures(digestVars[0]!, first, opts.pageAfterOf?.(input.route), opts.timeZone);
  const vars = digest ? { ...digestVars[0], digest: buildDigestVars(digestVars, input.route, input.groupWindowMs ?? 0) } : single;
  return {
    deliveryId: input.deliveryId,
    key: input.key,
    channel: input.channel,
    route: input.route,
    kind: first.kind as EventKind,
    event: first,
    events: input.events,
    digest,
    vars,
    digestVars,
    recipient: input.recipient || undefined,
    test: input.target ? { target: input.target, originalRecipient: input.recipient || undefined } : undefined,
    attempt: input.attempt,
    ...(input.action ? { action: input.action.kind, ...(input.action.note ? { note: input.action.note } : {}) } : {}),
  };
}

export async function notificationForRow(row: DeliveryRow, attempt: number, outbox: OutboxStore, opts: TemplateVarsOptions): Promise<Notification> {
  const events: DomainEvent[] = [];
  for (const id of row.eventIds) {
    const e = await outbox.getEvent(id);
    if (!e) throw deliveryError(`event ${id} of delivery ${row.id} is no longer in the store`, { permanent: true });
    events.push(e);
  }
  return buildNotification(
    {
      deliveryId: row.id,
      key: row.key,
      channel: row.channel,
      route: row.route,
      events,
      recipient: row.recipient,
      target: row.target,
      attempt,
      groupWindowMs: row.groupWindowMs,
      ...(row.kind === ACKNOWLEDGE_KIND || row.kind === RESOLVE_KIND
        ? { action: { kind: row.kind === RESOLVE_KIND ? ("resolve" as const) : ("acknowledge" as const), ...(row.reason ? { note: row.reason } : {}) } }
        : row.kind === NOTE_KIND
          ? { action: { kind: "note" as const } }
          : {}),
    },
    opts,
  );
}

/** Template name stem of a notification: its event kind, or "digest". */
export function messageKind(n: Notification): EventKind | "digest" {
  return n.digest ? "digest" : n.kind;
}

/** Variables a template of this notification gets (a digest's own variables for digest templates). */
export function templateData(n: Notification): object {
  return n.digest ? (n.vars.digest as object) : n.vars;
}
