// Where a cause's pages go: every route that would take any of its symptoms gets the cause once (issue 64). A node's
// cause opened by a service read that no route takes still pages the route of the watchdog's kinds, at once, and a
// failed upstream names what it leaves stale on that route at the moment of failure. Each route reached is kept with
// the parent, so its later symptoms fold in there, and its recovered page goes there too.
import type { GroupingConfig } from "./config";
import type { DomainEvent, WatchdogEvent } from "../../platform/events/types";
import { FRESHNESS_EVENT_KINDS, isTaskEvent, WATCHDOG_EVENT_KINDS } from "../../platform/events/types";
import { type GateContext, wouldSend } from "../notify/gate";
import { ruleHoldOf } from "../notify/page-after";
import type { Plan, PlannedDelivery } from "../notify/planner";

/**
 * What a node's cause folds in that the watchdog raises: what the node then misses or runs too long, and the apps that
 * go stale. (Its failed runs are symptoms too; a route for failures gets the cause with the first failure it takes.)
 */
const NODE_SYMPTOMS = ["task.missed", "task.chain_broken", "task.running_long", "app.stale"] as const;

/** A page target as a parent keeps it (see updates.ts). */
const WATCHDOG_KINDS: ReadonlySet<string> = new Set([...WATCHDOG_EVENT_KINDS, ...FRESHNESS_EVENT_KINDS]);

export type PageTarget = Pick<PlannedDelivery, "route" | "channel" | "channelType" | "recipient" | "via" | "target">;

export const targetOf = (d: PlannedDelivery): PageTarget => ({
  route: d.route,
  channel: d.channel,
  channelType: d.channelType,
  recipient: d.recipient,
  target: d.target,
  ...(d.via !== undefined ? { via: d.via } : {}),
});

/** Who a page reaches: a channel and, for mail, a recipient. */
export type Receiver = { channel: string; recipient: string };

/** The same person on the same channel: one page of a cause reaches them once, whichever route took it. */
export const sameReceiver = (a: Receiver, b: Receiver) => a.channel === b.channel && a.recipient.toLowerCase() === b.recipient.toLowerCase();

/**
 * The kinds whose routes a newly opened cause pages at once: a node's symptoms; for a failed task others wait for,
 * the downstream symptoms (not while Qlik may still retry it: its retry may run the chain, and the watchdog's first
 * symptom then pages the route), and so for a job before Qlik that did not deliver. Other causes reach such a route with their first symptom it takes.
 * Nor while a remediation rule holds the failure (issue 101): the hold is the cause's on every route, and the failure
 * that pages once the rule gave up reaches them then (gate.ts).
 */
export function kindsReachedAtOpening(causeKey: string, e: DomainEvent, cfg: GroupingConfig): readonly string[] {
  if (ruleHoldOf(e) === "held") return [];
  // A node's queue backed up stops what a node down stops (its scheduler.queue_backlog page reaches a route of the
  // watchdog's kinds that does not list it, too).
  if (causeKey.startsWith("node:") || causeKey.startsWith("queue:")) return NODE_SYMPTOMS;
  if (causeKey.startsWith("upstream:") && isTaskEvent(e) && !((e.task.maxRetries ?? 0) > 0)) return cfg.upstream.symptoms;
  // A job before Qlik that did not deliver holds back what it feeds as a failed upstream does, and nothing retries it
  // (issue 76: its cause reached no route of the watchdog's kinds, which take no checkin.* kind).
  if (causeKey.startsWith("checkin:")) return cfg.upstream.symptoms;
  return [];
}

/** A watchdog-shaped question to the planner: which routes take `kind` for this cause's task and app. */
function probe(e: DomainEvent, kind: string, parentId: number): WatchdogEvent {
  const task = isTaskEvent(e) ? { id: e.task.id, name: e.task.name, tags: e.task.tags, customProperties: e.task.customProperties } : undefined;
  const app = isTaskEvent(e) && e.app ? { id: e.app.id, name: e.app.name, tags: e.app.tags ?? [], customProperties: e.app.customProperties ?? [] } : undefined;
  return {
    id: `cause:${parentId}:${kind}`,
    kind: kind as WatchdogEvent["kind"],
    receivedAt: e.receivedAt,
    host: e.host,
    title: "",
    summary: "",
    facts: [],
    data: {},
    ...(task ? { task } : {}),
    ...(app ? { app } : {}),
    condition: { type: "missed", key: `cause:${parentId}`, openedAt: e.receivedAt },
  };
}

/**
 * The deliveries that carry the cause's opening page to the routes taking `kinds` that this plan does not send to:
 * one per channel and recipient, keyed by the cause so it is sent once.
 */
export async function openingReach(parentId: number, plan: Plan, kinds: readonly string[], ctx: GateContext | undefined): Promise<PlannedDelivery[]> {
  if (!ctx || kinds.length === 0) return [];
  const have: PageTarget[] = plan.deliveries.filter((d) => wouldSend(d)).map(targetOf);
  const out: PlannedDelivery[] = [];
  // Only the watchdog's kinds are asked: the question is shaped as one of its events.
  for (const kind of kinds.filter((k) => WATCHDOG_KINDS.has(k))) {
    for (const d of await ctx.planAs(probe(plan.event, kind, parentId))) {
      if (d.action !== "send" && d.action !== "group") continue;
      const t = targetOf(d);
      if (have.some((h) => sameReceiver(h, t))) continue;
      have.push(t);
      out.push({ ...t, key: `cause-page:${parentId}|${t.channel}|${t.recipient.toLowerCase()}`, action: "send" });
    }
  }
  return out;
}

/**
 * The closing event's own deliveries to receivers no page of the cause reached, suppressed: a recovery of what they
 * never heard of (issue 75: a backlog's recovery reached a route taking only task.on_track). A page held there by a
 * silence, a maintenance window or a rate limit was not received either, so its recovery does not go there.
 */
export function onlyReached(plan: Plan, reached: readonly Receiver[]): Plan {
  const reason = "the recovery of a cause none of whose pages this channel received";
  return {
    ...plan,
    deliveries: plan.deliveries.map((d) => (wouldSend(d) && !reached.some((t) => sameReceiver(t, targetOf(d))) ? { ...d, action: "suppress", reason } : d)),
  };
}

/**
 * The recovered page to every receiver the cause paged that this plan does not already send to. A receiver its page
 * reached by an escalation only is told when a person resolved the cause (`escalated`), as an on-call phone is told
 * of a resolve; not of its recovery, which that route does not take.
 */
export function recoveredReach(parentId: number, plan: Plan, reached: readonly PageTarget[], escalated = false): PlannedDelivery[] {
  const have: PageTarget[] = plan.deliveries.filter((d) => wouldSend(d)).map(targetOf);
  const out: PlannedDelivery[] = [];
  for (const kept of reached) {
    const { later: _, escalated: byEscalation, ...t } = kept as PageTarget & { later?: boolean; escalated?: boolean };
    if (byEscalation && !escalated) continue;
    if (have.some((h) => sameReceiver(h, t))) continue;
    have.push(t);
    out.push({ ...t, key: `cause-recovered:${parentId}|${t.channel}|${t.recipient.toLowerCase()}`, action: "send" });
  }
  return out;
}
