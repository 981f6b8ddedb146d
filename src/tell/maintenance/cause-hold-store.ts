// SQL of the pages of causes a maintenance window held (SQLite and PostgreSQL): one row per held delivery of an event
// carrying an open cause, settled at the window's end as sent (the newest per cause, channel and recipient),
// superseded, or closed. The send is claimed by a conditional UPDATE, so two Stewards sweeping at once page it once.
import type { SqlDb, SqlExecutor, SqlValue } from "../../platform/store/sql";

export type CauseHoldState = "held" | "sent" | "superseded" | "closed";

export interface CauseHoldRow {
  deliveryKey: string;
  causeId: number;
  eventId: string;
  window: string;
  scope: string;
  endsAt: number;
  route: string;
  channel: string;
  recipient: string;
  heldAt: number;
}

/** What GET /v4/causes and the dashboard say of a cause a window holds. */
export interface WindowHoldView {
  window: string;
  scope: string;
  /** When the window ends (ISO time): the cause pages then if it is still open. */
  until: string;
}

type Row = Record<string, SqlValue>;

const toHold = (r: Row): CauseHoldRow => ({
  deliveryKey: String(r.delivery_key),
  causeId: Number(r.cause_id),
  eventId: String(r.event_id),
  window: String(r.window_name),
  scope: String(r.scope),
  endsAt: Number(r.ends_at),
  route: String(r.route),
  channel: String(r.channel),
  recipient: String(r.recipient),
  heldAt: Number(r.held_at),
});

/** Marks one held row settled; 1 change when this call settled it. */
const settleOne = (x: SqlExecutor, key: string, state: CauseHoldState, now: number) =>
  x.run("UPDATE maintenance_cause_holds SET state = ?, settled_at = ? WHERE delivery_key = ? AND state = 'held'", [state, now, key]);

export type CauseHoldStore = ReturnType<typeof createCauseHoldStore>;

export function createCauseHoldStore(db: SqlDb) {
  return {
    /** A second hold of the same delivery (the event handled again, by another Steward) is a no-op. */
    async hold(h: CauseHoldRow): Promise<void> {
      await db.run(
        `INSERT INTO maintenance_cause_holds (delivery_key, cause_id, event_id, window_name, scope, ends_at, route, channel, recipient, held_at, state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'held') ON CONFLICT (delivery_key) DO NOTHING`,
        [h.deliveryKey, h.causeId, h.eventId, h.window, h.scope.slice(0, 500), h.endsAt, h.route, h.channel, h.recipient, h.heldAt],
      );
    },
    /** Held rows whose window has ended, newest first within each cause. */
    async due(now: number, limit: number): Promise<CauseHoldRow[]> {
      const rows = await db.all<Row>(
        "SELECT * FROM maintenance_cause_holds WHERE state = 'held' AND ends_at <= ? ORDER BY cause_id, held_at DESC, delivery_key LIMIT ?",
        [now, limit],
      );
      return rows.map(toHold);
    },
    /** Another window holds the event still: its rows wait for that one's end. */
    async extend(keys: readonly string[], window: string, scope: string, endsAt: number): Promise<void> {
      for (const key of keys)
        await db.run("UPDATE maintenance_cause_holds SET window_name = ?, scope = ?, ends_at = ? WHERE delivery_key = ? AND state = 'held'", [
          window,
          scope.slice(0, 500),
          endsAt,
          key,
        ]);
    },
    async settle(keys: readonly string[], state: CauseHoldState, now: number): Promise<void> {
      for (const key of keys) await settleOne(db, key, state, now);
    },
    /**
     * Sends `send` (its outbox row, suppressed by the window, becomes pending) and supersedes `others`, in one
     * transaction with `withSend` (who received it); false when another Steward settled it first.
     */
    async release(send: CauseHoldRow, others: readonly string[], now: number, expiresAt: number, note: string, withSend?: (tx: SqlExecutor) => Promise<void>) {
      return db.transaction(async (tx) => {
        if ((await settleOne(tx, send.deliveryKey, "sent", now)).changes !== 1) return false;
        for (const key of others) await settleOne(tx, key, "superseded", now);
        await tx.run(
          `UPDATE notify_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, expires_at = ?, reason = ?, updated_at = ?
           WHERE key = ? AND status = 'suppressed'`,
          [now, expiresAt, note, now, send.deliveryKey],
        );
        await withSend?.(tx);
        return true;
      });
    },
    async eventPayload(eventId: string): Promise<string | undefined> {
      return (await db.get<{ payload: string }>("SELECT payload FROM notify_events WHERE id = ?", [eventId]))?.payload;
    },
    /** The window holding each of these causes now (the one ending last), for the REST API and the dashboard. */
    async heldCauses(ids: readonly number[]): Promise<Map<number, WindowHoldView>> {
      const out = new Map<number, WindowHoldView>();
      if (ids.length === 0) return out;
      const rows = await db.all<Row>(
        `SELECT cause_id, window_name, scope, ends_at FROM maintenance_cause_holds WHERE state = 'held' AND cause_id IN (${ids.map(() => "?").join(", ")})
         ORDER BY ends_at`,
        [...ids],
      );
      for (const r of rows)
        out.set(Number(r.cause_id), { window: String(r.window_name), scope: String(r.scope), until: new Date(Number(r.ends_at)).toISOString() });
      return out;
    },
    /** Forgets settled rows older than `before`. */
    async purge(before: number): Promise<void> {
      await db.run("DELETE FROM maintenance_cause_holds WHERE state <> 'held' AND settled_at < ?", [before]);
    },
  };
}
