// Follow-ups only for what was sent: the end of something Steward paged (task.on_track, task.recovered,
// service.started, checkin.recovered, app.freshness_recovered, data.check_passed) reaches a channel and recipient only
// if they received the page it follows, on its own. A page held as a cause's symptom, silenced, in a maintenance
// window, rate-limited or sent only to another route is followed up by its cause's recovered page or not at all
// (issue 64: 23 "back on track" pages answered notices the route never took; issue 75: a recovery reached a route
// that takes only the recovery kind). Runs after grouping, which puts the cause on the events it decided on.
//
// Decided and recorded inside the transaction that queues the deliveries (DeliveryGate.settle), under a lock on what
// the page and its follow-up share (issue 84): a page's receivers are recorded exactly when its deliveries are
// queued, so a store outage or a crash between the two cannot leave a record of a page that never went (its recovery
// would go there) nor a page without its record; and a task incident's recovery and its page queued at once by two
// Stewards are decided one after the other. A task incident's page that comes after its recovery was queued (held up
// by a store outage, heard by a slower Steward) is not sent: its incident is over, and nothing would follow it.
import type { DomainEvent } from "../../platform/events/types";
import { isDataCheckEvent, isServiceEvent, isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import type { SqlDb, SqlExecutor } from "../../platform/store/sql";
import { type DeliveryGate, wouldSend } from "../notify/gate";
import type { Plan, PlannedDelivery } from "../notify/planner";

/** How long a page's receivers are kept: longer than any condition stays open and is still followed up. */
const KEEP_MS = 40 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Deliveries the grouping added for a cause's own pages: they are the cause's, never a page's follow-up. */
const CAUSE_KEYS = /^cause-(page|recovered|update|outcome):/;
/** Kept for every page seen, sent or not: a follow-up without it follows a page from before these records. */
const SEEN = ["", ""] as const;
/** Kept when a task incident's recovery is queued: a page of the incident queued after it is not sent. */
const ENDED = ["", "(ended)"] as const;
/** A task incident's key: an incident never opens again, so its end is final (a condition's or service's key recurs). */
const INCIDENT_KEY = /^incident:[0-9]+$/;
/** The advisory lock space of follow-up keys on PostgreSQL (27: the incidents' subjects). */
const LOCK_SPACE = 28;
const CLOSING: ReadonlySet<string> = new Set([
  "task.on_track",
  "checkin.recovered",
  "app.freshness_recovered",
  "task.recovered",
  "service.started",
  "data.check_passed",
]);

/**
 * What a page and its follow-up share (`keys`; a data check run's error opens one for each check it left unevaluated),
 * or undefined for an event that is neither.
 */
export function followUpKeys(e: DomainEvent): string[] | undefined {
  // A watchdog condition, a check-in's or a freshness promise's: the condition's key, the same on its end.
  if (isWatchdogEvent(e)) return e.kind === "task.notice" ? undefined : [e.condition.key];
  if (isTaskEvent(e))
    return (e.kind === "task.failed" || e.kind === "task.aborted" || e.kind === "task.recovered") && e.incident ? [`incident:${e.incident.id}`] : undefined;
  if (isServiceEvent(e)) return [`service:${e.host.toLowerCase()}:${e.service.name.toLowerCase()}`];
  if (isDataCheckEvent(e)) {
    const checks = e.check ? [e.check.name] : (e.error?.checks ?? []);
    return checks.length > 0 ? checks.map((c) => `check:${e.app.id}:${c}`) : undefined;
  }
  return undefined;
}

const receiver = (d: PlannedDelivery) => [d.channel, d.recipient.toLowerCase()] as const;

const NOT_RECEIVED = "follows up a page this channel did not receive (it was held, silenced, rate-limited, or sent elsewhere)";
const NO_PAGE_QUEUED =
  "follows up a page no channel received: none was queued before it (a store outage or a slower Steward held it up), so nobody was told of the incident";
const PAGE_AFTER_END =
  "the incident's recovery was queued before this page could be (a store outage or a slower Steward held the page up): its incident is over and nothing would follow this page";

const suppressAll = (plan: Plan, reason: string): Plan => ({
  ...plan,
  deliveries: plan.deliveries.map((d) => (wouldSend(d) ? { ...d, action: "suppress", reason } : d)),
});

/** One page and its follow-up at a time per key, across Stewards (SQLite: its one writer already serialises them). */
async function lock(tx: SqlExecutor, keys: readonly string[]): Promise<void> {
  if (tx.dialect !== "postgres") return;
  for (const key of [...new Set(keys)].sort()) await tx.get(`SELECT pg_advisory_xact_lock(${LOCK_SPACE}, hashtext(?)) AS locked`, [key]);
}

/**
 * Where a task incident's page went by the outbox, for an incident paged before its receivers were recorded (an
 * upgrade): its task's failures queued since it opened, not held, whose event (as the outbox saved it) names this
 * incident. Not the task's other incidents': an incident opens at its first failure's run time, so the page of the one
 * before it, queued late (a store outage, a Steward behind), was queued "since" it opened, and its recovery went to a
 * route that takes only recoveries where this incident was never paged.
 */
async function pagedBeforeRecords(tx: SqlExecutor, e: DomainEvent): Promise<Array<{ channel: string; recipient: string }>> {
  const openedAt = isTaskEvent(e) ? Date.parse(e.incident?.openedAt ?? "") : Number.NaN;
  if (!isTaskEvent(e) || !e.incident || !Number.isFinite(openedAt)) return [];
  const incidentOf = tx.dialect === "postgres" ? "(ev.payload::jsonb #>> '{incident,id}')" : "CAST(json_extract(ev.payload, '$.incident.id') AS TEXT)";
  const rows = await tx.all<{ channel: string; recipient: string }>(
    `SELECT DISTINCT d.channel, d.recipient FROM notify_deliveries d JOIN notify_events ev ON ev.id = d.event_id
     WHERE d.thread = ? AND d.kind IN ('task.failed', 'task.aborted') AND d.status <> 'suppressed' AND d.created_at >= ? AND ${incidentOf} = ?`,
    [`task:${e.task.id}`, openedAt, String(e.incident.id)],
  );
  return rows.map((r) => ({ channel: String(r.channel), recipient: String(r.recipient).toLowerCase() }));
}

/** Whether a recovery of these (task incident) keys was queued already. */
async function ended(tx: SqlExecutor, keys: readonly string[]): Promise<boolean> {
  const row = await tx.get(`SELECT 1 AS x FROM page_receivers WHERE channel = ? AND recipient = ? AND condition_key IN (${keys.map(() => "?").join(", ")})`, [
    ...ENDED,
    ...keys,
  ]);
  return row !== undefined;
}

export interface FollowUps {
  gate: DeliveryGate;
  /**
   * A page held by a silence went out when it ended: its follow-up goes to this receiver too. Recorded in `tx`, the
   * transaction that makes the page pending, under the lock a page and its follow-up share (as settle does).
   */
  released(event: DomainEvent, to: { channel: string; recipient: string }, now: number, tx: SqlExecutor): Promise<void>;
  /**
   * Who received a cause's page besides where the grouping sent it (an escalation's route, a held page sent when its
   * silence ended): its recovered page may go there too.
   */
  causeReceivers(parentId: number): Promise<Array<{ channel: string; recipient: string }>>;
  /** Whether a page of `key` (`cause:<id>`, a condition's) reached this receiver later than `since`. */
  receivedSince(key: string, to: { channel: string; recipient: string }, since: number): Promise<boolean>;
}

export function createFollowUpGate(db: SqlDb): DeliveryGate {
  return createFollowUps(db).gate;
}

export function createFollowUps(db: SqlDb): FollowUps {
  let prunedAt = Number.NEGATIVE_INFINITY;
  async function record(x: SqlExecutor, keys: readonly string[], receivers: ReadonlyArray<readonly [string, string]>, now: number) {
    for (const key of keys)
      for (const r of receivers)
        await x.run(
          "INSERT INTO page_receivers (condition_key, channel, recipient, at) VALUES (?, ?, ?, ?) ON CONFLICT (condition_key, channel, recipient) DO UPDATE SET at = excluded.at",
          [key, ...r, now],
        );
    if (now - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = now;
      await x.run("DELETE FROM page_receivers WHERE at < ?", [now - KEEP_MS]);
    }
  }
  const gate: DeliveryGate = {
    // Everything is decided in settle, with the deliveries' own transaction.
    review: async (plan) => plan,
    async settle(plan, tx, now) {
      const e = plan.event;
      const own = plan.deliveries.filter((d) => wouldSend(d) && !CAUSE_KEYS.test(d.key));
      // A test alert (steward alert test) always goes, and its made-up incident is no real one's: nothing recorded.
      const keys = "source" in e && e.source === "test" ? undefined : followUpKeys(e);
      // Before any write: what waits for the lock holds no row another holder may wait for.
      if (keys !== undefined) await lock(tx, keys);
      // A cause's page going out (an escalation of it, say): kept with the cause for its recovered page.
      if (e.cause?.status === "open" && own.length > 0) await record(tx, [`cause:${e.cause.id}`], own.map(receiver), now);
      if (keys === undefined) return plan;
      const incident = keys.every((k) => INCIDENT_KEY.test(k));
      if (!CLOSING.has(e.kind)) {
        if (incident && own.length > 0 && (await ended(tx, keys))) return suppressAll(plan, PAGE_AFTER_END);
        // Sent on its own: its end is followed up there. Sent carrying a cause: the cause's recovered page says it.
        await record(tx, keys, [SEEN, ...(e.cause ? [] : own.map(receiver))], now);
        return plan;
      }
      if (incident) await record(tx, keys, [ENDED], now);
      // The cause's recovered page rides on this event where its pages went (the grouping gate chose them): no
      // follow-up of the page on its own.
      if (e.cause?.status === "closed" || own.length === 0) return plan;
      let rows = await tx.all<{ channel: string; recipient: string }>(
        `SELECT channel, recipient FROM page_receivers WHERE condition_key IN (${keys.map(() => "?").join(", ")})`,
        keys,
      );
      // Only the end just recorded: the incident's page, if any, was queued by a Steward older than these records.
      if (incident && rows.every((r) => r.recipient === ENDED[1])) rows = [...rows, ...(await pagedBeforeRecords(tx, e))];
      const got = new Set(rows.map((r) => `${r.channel}\u0000${r.recipient}`));
      const seen = rows.length > 0 && rows.some((r) => r.recipient !== ENDED[1]);
      // A page sent before Steward kept who received it: its follow-up goes where its routes take it, as it did. Not a
      // task incident's: its record is written with its page (or read from the outbox above), so none means no page
      // was queued (yet).
      if (!seen && !incident) return plan;
      const reason = seen ? NOT_RECEIVED : NO_PAGE_QUEUED;
      return {
        ...plan,
        deliveries: plan.deliveries.map((d) =>
          wouldSend(d) && !CAUSE_KEYS.test(d.key) && !got.has(receiver(d).join("\u0000")) ? { ...d, action: "suppress", reason } : d,
        ),
      };
    },
  };
  return {
    gate,
    async released(event, to, now, tx) {
      const r = [to.channel, to.recipient.toLowerCase()] as const;
      // The cause's page there: kept with the cause, for its recovered page.
      if (event.cause?.status === "open") return record(tx, [`cause:${event.cause.id}`], [r], now);
      const keys = followUpKeys(event);
      if (!keys || CLOSING.has(event.kind)) return;
      // A recovery queued at the same moment is decided before or after this record, never beside it. Taken after the
      // hold's own writes: what else holds this lock (an outbox transaction, another release) never waits on those rows.
      await lock(tx, keys);
      await record(tx, keys, [r], now);
    },
    receivedSince: async (key, to, since) =>
      (await db.get("SELECT 1 AS x FROM page_receivers WHERE condition_key = ? AND channel = ? AND recipient = ? AND at > ?", [
        key,
        to.channel,
        to.recipient.toLowerCase(),
        since,
      ])) !== undefined,
    causeReceivers: (parentId) =>
      db.all<{ channel: string; recipient: string }>("SELECT channel, recipient FROM page_receivers WHERE condition_key = ?", [`cause:${parentId}`]),
  };
}
