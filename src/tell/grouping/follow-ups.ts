// Follow-ups only for what was sent: the end of something Steward paged (task.on_track, task.recovered,
// service.started, checkin.recovered, app.freshness_recovered, data.check_passed) reaches a channel and recipient only
// if they received the page it follows, on its own. A page held as a cause's symptom, silenced, in a maintenance
// window, rate-limited or sent only to another route is followed up by its cause's recovered page or not at all
// (issue 64: 23 "back on track" pages answered notices the route never took; issue 75: a recovery reached a route
// that takes only the recovery kind). Runs after grouping, which puts the cause on the events it decided on.
import type { DomainEvent } from "../../platform/events/types";
import { isDataCheckEvent, isServiceEvent, isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import type { SqlDb } from "../../platform/store/sql";
import { type DeliveryGate, wouldSend } from "../notify/gate";
import type { PlannedDelivery } from "../notify/planner";

/** How long a page's receivers are kept: longer than any condition stays open and is still followed up. */
const KEEP_MS = 40 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Deliveries the grouping added for a cause's own pages: they are the cause's, never a page's follow-up. */
const CAUSE_KEYS = /^cause-(page|recovered|update):/;
/** Kept for every page seen, sent or not: a follow-up without it follows a page from before these records. */
const SEEN = ["", ""] as const;
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

export interface FollowUps {
  gate: DeliveryGate;
  /** A page held by a silence went out when it ended: its follow-up goes to this receiver too. */
  released(event: DomainEvent, to: { channel: string; recipient: string }, now: number): Promise<void>;
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
  async function record(keys: readonly string[], receivers: ReadonlyArray<readonly [string, string]>, now: number) {
    for (const key of keys)
      for (const r of receivers)
        await db.run(
          "INSERT INTO page_receivers (condition_key, channel, recipient, at) VALUES (?, ?, ?, ?) ON CONFLICT (condition_key, channel, recipient) DO UPDATE SET at = excluded.at",
          [key, ...r, now],
        );
    if (now - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = now;
      await db.run("DELETE FROM page_receivers WHERE at < ?", [now - KEEP_MS]);
    }
  }
  const gate: DeliveryGate = {
    async review(plan, now) {
      const e = plan.event;
      const own = plan.deliveries.filter((d) => wouldSend(d) && !CAUSE_KEYS.test(d.key));
      // A cause's page going out (an escalation of it, say): kept with the cause for its recovered page.
      if (e.cause?.status === "open" && own.length > 0) await record([`cause:${e.cause.id}`], own.map(receiver), now);
      const keys = followUpKeys(e);
      if (keys === undefined) return plan;
      if (!CLOSING.has(e.kind)) {
        // Sent on its own: its end is followed up there. Sent carrying a cause: the cause's recovered page says it.
        await record(keys, [SEEN, ...(e.cause ? [] : own.map(receiver))], now);
        return plan;
      }
      // The cause's recovered page rides on this event where its pages went (the grouping gate chose them): no
      // follow-up of the page on its own.
      if (e.cause?.status === "closed" || own.length === 0) return plan;
      const rows = await db.all<{ channel: string; recipient: string }>(
        `SELECT channel, recipient FROM page_receivers WHERE condition_key IN (${keys.map(() => "?").join(", ")})`,
        keys,
      );
      // A page sent before Steward kept who received it: its follow-up goes where its routes take it, as it did.
      if (rows.length === 0) return plan;
      const got = new Set(rows.map((r) => `${r.channel}\u0000${r.recipient}`));
      const reason = "follows up a page this channel did not receive (it was held, silenced, rate-limited, or sent elsewhere)";
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
    async released(event, to, now) {
      const r = [to.channel, to.recipient.toLowerCase()] as const;
      // The cause's page there: kept with the cause, for its recovered page.
      if (event.cause?.status === "open") return record([`cause:${event.cause.id}`], [r], now);
      const keys = followUpKeys(event);
      if (keys && !CLOSING.has(event.kind)) await record(keys, [r], now);
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
