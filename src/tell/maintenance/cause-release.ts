// A window's end for the causes it held: each cause still open pages once per channel and recipient (the newest page
// of it held for them, carrying the cause as it was then), unless a page of it reached them already (a run outside
// the window paged it); a cause that closed inside the window pages nothing, nor its recovery. A cause's event that
// another window still holds waits for that one. Looked at on every Steward's tick; the send is claimed in the store.
import type { Logger } from "pino";
import type { DomainEvent } from "../../platform/events/types";
import type { SqlExecutor } from "../../platform/store/sql";
import type { CauseHoldRow, CauseHoldStore } from "./cause-hold-store";
import type { Occurrence } from "./windows";

const BATCH = 200;

/** Who a page reaches (a channel and, for mail, a recipient), as the grouping names them. */
export type Receiver = { channel: string; recipient: string };

export interface CauseReleaseDeps {
  store: CauseHoldStore;
  log: Logger;
  /** The window that holds `e` at `now`, if any (the one ending last). */
  holding(e: DomainEvent, now: number): Occurrence | undefined;
  /** `ended` when the cause is closed or unknown, `paged` when a page of it reached this receiver, else `send`. */
  causePage(causeId: number, to: Receiver): Promise<"send" | "paged" | "ended">;
  /** notify.outbox.maxAge: how long a page sent now may keep failing. */
  maxAgeMs: number;
  /** Records who received the page, in the transaction that sends it (its recovery follows it there). */
  received?(event: DomainEvent, to: Receiver, now: number, tx: SqlExecutor): Promise<void>;
  /** Told of each page sent now on its route: an escalation's clock starts now. */
  released?(event: DomainEvent, route: string, now: number): Promise<void>;
  /** Wakes the notifier: rows became pending. */
  wake(): void;
}

const NOTE = (h: CauseHoldRow) => `held by maintenance window ${h.window}; sent at its end, cause #${h.causeId} still open`;

/** Sends what ended windows held of open causes; returns how many pages it sent. */
export async function releaseCauseHolds(d: CauseReleaseDeps, now: number): Promise<number> {
  const due = await d.store.due(now, BATCH);
  // Per cause and receiver, newest first (the store's order).
  const groups = new Map<string, CauseHoldRow[]>();
  for (const h of due) {
    const k = `${h.causeId}|${h.channel}|${h.recipient.toLowerCase()}`;
    groups.set(k, [...(groups.get(k) ?? []), h]);
  }
  let sent = 0;
  for (const rows of groups.values()) {
    const newest = rows[0]!;
    const keys = rows.map((r) => r.deliveryKey);
    const payload = await d.store.eventPayload(newest.eventId);
    if (!payload) {
      await d.store.settle(keys, "closed", now);
      continue;
    }
    const event = JSON.parse(payload) as DomainEvent;
    const still = d.holding(event, now);
    if (still) {
      await d.store.extend(keys, still.window, still.scope, still.endsAt);
      continue;
    }
    const to = { channel: newest.channel, recipient: newest.recipient };
    const verdict = await d.causePage(newest.causeId, to);
    if (verdict !== "send") {
      await d.store.settle(keys, verdict === "ended" ? "closed" : "superseded", now);
      continue;
    }
    const received = d.received;
    const record = received ? (tx: SqlExecutor) => received(event, to, now, tx) : undefined;
    if (await d.store.release(newest, keys.slice(1), now, now + d.maxAgeMs, NOTE(newest), record)) {
      sent++;
      await d.released?.(event, newest.route, now);
    }
  }
  if (sent > 0) {
    d.log.info({ sent }, "maintenance window ended: the causes it held that are still open paged now");
    d.wake();
  }
  return sent;
}
