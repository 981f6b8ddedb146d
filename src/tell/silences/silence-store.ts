// SQL of silences and their held deliveries, written once for SQLite and PostgreSQL. Every change of a hold is a
// conditional UPDATE on its state, so two Stewards sweeping at the same moment settle each hold once.
import type { SqlDb, SqlExecutor, SqlValue } from "../../platform/store/sql";
import type { SilenceMatcher } from "./matcher";

export interface SilenceRow {
  id: number;
  matcher: SilenceMatcher;
  author: string;
  reason: string;
  startsAt: number;
  endsAt: number;
  createdAt: number;
  createdBy: string;
  endedAt: number | null;
  endedBy: string | null;
}

/** held: suppressed, waiting for the silence to end; sent: released when it ended while the condition lasted;
 * closed: the condition ended while silenced; superseded: a later alert of the same condition was sent instead;
 * passed: a one-off alert (no lasting condition) whose moment passed. */
export const HOLD_STATES = ["held", "sent", "closed", "superseded", "passed"] as const;
export type HoldState = (typeof HOLD_STATES)[number];

export interface HoldRow {
  deliveryKey: string;
  silenceId: number;
  eventId: string;
  kind: string;
  title: string;
  conditionKey: string | null;
  route: string;
  channel: string;
  recipient: string;
  state: HoldState;
  heldAt: number;
  settledAt: number | null;
}

export type NewSilence = Omit<SilenceRow, "id" | "endedAt" | "endedBy">;

type Row = Record<string, SqlValue>;
const num = (v: SqlValue | undefined) => (v === null || v === undefined ? null : Number(v));

function toSilence(r: Row): SilenceRow {
  return {
    id: Number(r.id),
    matcher: JSON.parse(String(r.matcher)) as SilenceMatcher,
    author: String(r.author),
    reason: String(r.reason),
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    createdAt: Number(r.created_at),
    createdBy: String(r.created_by),
    endedAt: num(r.ended_at),
    endedBy: r.ended_by === null ? null : String(r.ended_by),
  };
}

function toHold(r: Row): HoldRow {
  return {
    deliveryKey: String(r.delivery_key),
    silenceId: Number(r.silence_id),
    eventId: String(r.event_id),
    kind: String(r.kind),
    title: String(r.title),
    conditionKey: r.condition_key === null ? null : String(r.condition_key),
    route: String(r.route),
    channel: String(r.channel),
    recipient: String(r.recipient),
    state: String(r.state) as HoldState,
    heldAt: Number(r.held_at),
    settledAt: num(r.settled_at),
  };
}

/**
 * A silence begins this much early on every Steward: one created "from now" through another Steward of a cluster
 * must cover an event this one handles a moment later, and be listed active there, although their clocks differ by a
 * few milliseconds (each is the database's time to within half a heartbeat's round trip). One rule for the gate, the
 * lists and a silence's state, so what is listed active is what holds alerts.
 */
const START_SKEW_MS = 2_000;
const ACTIVE = "ended_at IS NULL AND starts_at <= ? AND ends_at > ?";
const activeParams = (now: number) => [now + START_SKEW_MS, now];

/** A silence's state at `now`, as the store's lists filter it: ended once someone ended it, whatever the clocks say. */
export function silenceState(s: SilenceRow, now: number): "active" | "pending" | "ended" {
  if (s.endedAt !== null || s.endsAt <= now) return "ended";
  return s.startsAt > now + START_SKEW_MS ? "pending" : "active";
}

export type SilenceStore = ReturnType<typeof createSilenceStore>;

const settle = (x: SqlExecutor, key: string, state: HoldState, now: number) =>
  x.run("UPDATE silence_holds SET state = ?, settled_at = ? WHERE delivery_key = ? AND state = 'held'", [state, now, key]);

/** See SilenceStore.release. */
async function releaseHold(
  db: SqlDb,
  h: HoldRow,
  now: number,
  expiresAt: number,
  note: string,
  causeId?: number,
  withRelease?: (tx: SqlExecutor) => Promise<void>,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    if ((await settle(tx, h.deliveryKey, "sent", now)).changes !== 1) return false;
    if (h.conditionKey !== null) {
      await tx.run(
        `UPDATE silence_holds SET state = 'superseded', settled_at = ? WHERE state = 'held' AND condition_key = ? AND route = ? AND channel = ?
         AND recipient = ? AND held_at <= ?`,
        [now, h.conditionKey, h.route, h.channel, h.recipient, h.heldAt],
      );
    }
    // Claimed last: a transaction waiting here on another's claim holds no row that one still needs.
    if (causeId !== undefined && !(await claimCausePage(tx, causeId, h, now))) {
      await tx.run("UPDATE silence_holds SET state = 'superseded' WHERE delivery_key = ?", [h.deliveryKey]);
      return false;
    }
    await tx.run(
      `UPDATE notify_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, expires_at = ?, reason = ?, updated_at = ?
       WHERE key = ? AND status = 'suppressed'`,
      [now, expiresAt, note, now, h.deliveryKey],
    );
    await withRelease?.(tx);
    return true;
  });
}

/**
 * Claims the page of a cause to a hold's channel and recipient: taken unless a claim was made after the hold was held
 * (a page of the cause that reached them since, which it would repeat). On PostgreSQL a second Steward's claim of the
 * same key waits for the first's transaction and then sees its claim.
 */
async function claimCausePage(x: SqlExecutor, causeId: number, h: HoldRow, now: number): Promise<boolean> {
  const r = await x.run(
    `INSERT INTO silence_cause_pages (cause_id, channel, recipient, paged_at, delivery_key) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (cause_id, channel, recipient) DO UPDATE SET paged_at = excluded.paged_at, delivery_key = excluded.delivery_key
     WHERE silence_cause_pages.paged_at <= ?`,
    [causeId, h.channel, h.recipient.toLowerCase(), now, h.deliveryKey, h.heldAt],
  );
  return r.changes === 1;
}

export function createSilenceStore(db: SqlDb) {
  return {
    async create(s: NewSilence): Promise<SilenceRow> {
      const r = await db.get<Row>(
        `INSERT INTO silences (matcher, author, reason, starts_at, ends_at, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        [JSON.stringify(s.matcher), s.author, s.reason, s.startsAt, s.endsAt, s.createdAt, s.createdBy],
      );
      return toSilence(r!);
    },
    async get(id: number): Promise<SilenceRow | undefined> {
      const r = await db.get<Row>("SELECT * FROM silences WHERE id = ?", [id]);
      return r ? toSilence(r) : undefined;
    },
    /** Newest first. `active`: covering now; `ended`: expired or ended; `pending`: starting later. */
    async list(f: { state?: "active" | "pending" | "ended"; now: number; limit: number }): Promise<SilenceRow[]> {
      const where =
        f.state === "active"
          ? [ACTIVE, activeParams(f.now)]
          : f.state === "pending"
            ? ["ended_at IS NULL AND starts_at > ?", [f.now + START_SKEW_MS]]
            : f.state === "ended"
              ? ["(ended_at IS NOT NULL OR ends_at <= ?)", [f.now]]
              : ["1 = 1", []];
      const rows = await db.all<Row>(`SELECT * FROM silences WHERE ${where[0]} ORDER BY id DESC LIMIT ?`, [...(where[1] as SqlValue[]), f.limit]);
      return rows.map(toSilence);
    },
    /** Silences active or starting later. */
    async openCount(now: number): Promise<number> {
      const r = await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM silences WHERE ended_at IS NULL AND ends_at > ?", [now]);
      return Number(r?.n ?? 0);
    },
    async active(now: number): Promise<SilenceRow[]> {
      return (await db.all<Row>(`SELECT * FROM silences WHERE ${ACTIVE} ORDER BY id`, activeParams(now))).map(toSilence);
    },
    /** Ends a silence now; false when it had ended (or expired) already. */
    async end(id: number, by: string, now: number): Promise<boolean> {
      return (
        (await db.run("UPDATE silences SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL AND ends_at > ?", [now, by, id, now])).changes === 1
      );
    },
    /** Records a held delivery; a second hold of the same delivery (the event handled again) is a no-op. */
    async hold(h: Omit<HoldRow, "state" | "settledAt">): Promise<void> {
      await db.run(
        `INSERT INTO silence_holds (delivery_key, silence_id, event_id, kind, title, condition_key, route, channel, recipient, state, held_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'held', ?) ON CONFLICT (delivery_key) DO NOTHING`,
        [h.deliveryKey, h.silenceId, h.eventId, h.kind, h.title.slice(0, 300), h.conditionKey, h.route, h.channel, h.recipient, h.heldAt],
      );
    },
    /** Silences whose held alerts of this condition are still waiting (the condition has not ended). */
    async heldSilencesOf(conditionKey: string): Promise<number[]> {
      // Asked for every event with a condition, nearly always of none: DISTINCT would sort through a temporary
      // table even then (ten times the index lookup); the few rows are made distinct here.
      const rows = await db.all<{ silence_id: number }>("SELECT silence_id FROM silence_holds WHERE condition_key = ? AND state = 'held'", [conditionKey]);
      return [...new Set(rows.map((r) => Number(r.silence_id)))].sort((a, b) => a - b);
    },
    /** The condition ended while silenced: its held alerts are not to be sent. */
    async closeCondition(conditionKey: string, now: number): Promise<number> {
      return (await db.run("UPDATE silence_holds SET state = 'closed', settled_at = ? WHERE condition_key = ? AND state = 'held'", [now, conditionKey]))
        .changes;
    },
    /**
     * Held alerts whose silence has ended and whose delivery row is written (a hold is recorded just before the
     * outbox row; one without its row yet is left for the next sweep). Newest first, so the latest alert of a
     * condition is the one sent.
     */
    async due(now: number, limit: number): Promise<HoldRow[]> {
      const rows = await db.all<Row>(
        `SELECT h.* FROM silence_holds h JOIN silences s ON s.id = h.silence_id
         WHERE h.state = 'held' AND (s.ended_at IS NOT NULL OR s.ends_at <= ?)
           AND EXISTS (SELECT 1 FROM notify_deliveries d WHERE d.key = h.delivery_key AND d.status = 'suppressed')
         ORDER BY h.held_at DESC LIMIT ?`,
        [now, limit],
      );
      return rows.map(toHold);
    },
    /** Whether any alert is held now (the releaser sweeps often only then). */
    async anyHeld(): Promise<boolean> {
      return (await db.get<Row>("SELECT 1 AS x FROM silence_holds WHERE state = 'held' LIMIT 1")) !== undefined;
    },
    /** Holds left without a delivery row for longer than `before` (the event was never written): settled as passed. */
    async dropOrphans(before: number, now: number): Promise<number> {
      return (
        await db.run(
          `UPDATE silence_holds SET state = 'passed', settled_at = ? WHERE state = 'held' AND held_at < ?
           AND NOT EXISTS (SELECT 1 FROM notify_deliveries d WHERE d.key = silence_holds.delivery_key AND d.status = 'suppressed')`,
          [now, before],
        )
      ).changes;
    },
    /**
     * Keeps the outbox from forgetting held deliveries: it deletes suppressed rows not updated for notify.outbox.keep,
     * and a silence may last longer than that.
     */
    async keepHeld(now: number, olderThan: number): Promise<void> {
      await db.run(
        `UPDATE notify_deliveries SET updated_at = ? WHERE status = 'suppressed' AND updated_at < ?
         AND key IN (SELECT delivery_key FROM silence_holds WHERE state = 'held')`,
        [now, olderThan],
      );
    },
    /**
     * Forgets settled holds older than `before` (the outbox forgets their deliveries after as long), and the claims of
     * causes' pages made as long ago (a hold older than such a claim finds its page in page_receivers, kept longer).
     */
    async purge(before: number): Promise<number> {
      await db.run("DELETE FROM silence_cause_pages WHERE paged_at < ?", [before]);
      return (await db.run("DELETE FROM silence_holds WHERE state <> 'held' AND settled_at < ?", [before])).changes;
    },
    async settle(key: string, state: HoldState, now: number): Promise<boolean> {
      return (await settle(db, key, state, now)).changes === 1;
    },
    /** Another silence still covers this alert: it waits for that one instead. */
    async moveHold(key: string, silenceId: number): Promise<void> {
      await db.run("UPDATE silence_holds SET silence_id = ? WHERE delivery_key = ? AND state = 'held'", [silenceId, key]);
    },
    /**
     * Sends a held alert: the hold becomes sent and its outbox row pending, in one transaction, and the older held
     * alerts of the same condition for the same route, channel and recipient are superseded by it. Carrying an open
     * cause (`causeId`), it is sent only if it claims the cause's page for its channel and recipient: a claim made
     * after it was held (another Steward's sweep sent another held alert of the cause there) settles it superseded,
     * and nothing is sent. `withRelease` writes what must be true with the send, in its transaction (who received it).
     * True when it was sent.
     */
    release: (h: HoldRow, now: number, expiresAt: number, note: string, causeId?: number, withRelease?: (tx: SqlExecutor) => Promise<void>): Promise<boolean> =>
      releaseHold(db, h, now, expiresAt, note, causeId, withRelease),
    async eventPayload(eventId: string): Promise<string | undefined> {
      return (await db.get<{ payload: string }>("SELECT payload FROM notify_events WHERE id = ?", [eventId]))?.payload;
    },
    /** Held alerts, newest first: of one silence, or of every silence. */
    async holds(f: { silenceId?: number; state?: HoldState; limit: number }): Promise<HoldRow[]> {
      const cond: string[] = [];
      const params: SqlValue[] = [];
      if (f.silenceId !== undefined) cond.push("silence_id = ?") && params.push(f.silenceId);
      if (f.state) cond.push("state = ?") && params.push(f.state);
      const where = cond.length ? `WHERE ${cond.join(" AND ")}` : "";
      return (await db.all<Row>(`SELECT * FROM silence_holds ${where} ORDER BY held_at DESC, delivery_key LIMIT ?`, [...params, f.limit])).map(toHold);
    },
    /** How many alerts each silence held, by state. */
    async counts(ids: number[]): Promise<Map<number, Partial<Record<HoldState, number>>>> {
      const out = new Map<number, Partial<Record<HoldState, number>>>();
      if (ids.length === 0) return out;
      const rows = await db.all<Row>(
        `SELECT silence_id, state, COUNT(*) AS n FROM silence_holds WHERE silence_id IN (${ids.map(() => "?").join(", ")}) GROUP BY silence_id, state`,
        ids,
      );
      for (const r of rows) {
        const m = out.get(Number(r.silence_id)) ?? {};
        m[String(r.state) as HoldState] = Number(r.n);
        out.set(Number(r.silence_id), m);
      }
      return out;
    },
  };
}
