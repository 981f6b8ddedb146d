// The grouping's delivery gate: an event that opens a parent (the first failure of a cause, a node's service
// stopping, an upstream's failure) is sent; an event that is a symptom of an open parent is recorded there and not
// sent; a symptom's recovery updates the parent and is not sent unless it is the last: that one is the "recovered"
// page. Every event a rule decided on carries the parent's shape (what it affects) for the channels to render.
import type { GroupingConfig } from "./config";
import type { CauseSummary } from "../../platform/events/cause-summary";
import type { DomainEvent } from "../../platform/events/types";
import { isTaskEvent } from "../../platform/events/types";
import type { DeliveryGate, GateContext } from "../notify/gate";
import { wouldSend } from "../notify/gate";
import type { Plan, PlannedDelivery } from "../notify/planner";
import type { CauseStore } from "./cause-store";
import type { ChainGraph } from "./chain-graph";
import { createAppReloadRule } from "./app-reload";
import type { CloudChains } from "./cloud-chains";
import { createCloudItemRule } from "./cloud-item";
import { afterRecovery, type CauseDecision } from "./decision";
import { createNodeDownRule } from "./node-down";
import { createQueueRule } from "./queue-backlog";
import { createSourceRule } from "./source-rule";
import { createParentUpdates, pageTargets, type ParentUpdates } from "./updates";
import { kindsReachedAtOpening, onlyReached, openingReach, type PageTarget, type Receiver, recoveredReach } from "./reach";
import { type CauseTrying, causeSummary } from "./summary";
import type { TaskNodes } from "./task-nodes";
import type { SilentNodes } from "./silent-node";
import type { PromiseRef } from "./promises-at-risk";
import { type CheckFeeds, createUpstreamRule } from "./upstream";
import { createAutomationRule } from "./automation-cause";
import { createDataTaskRule } from "./data-task-cause";
import { resolvedCauseOf } from "../../platform/events/cause-resolved";
import { createUnconfirmedFloodRule } from "./unconfirmed-flood";
import { createEarlierAlerts, type OpenAlerts } from "./earlier-alerts";
import { createRemediationHeldCheck, HELD_WHILE_REMEDIED } from "./remediation-held";
import type { HeldBy } from "../incidents/remediation-holds";
import { closedCauseOutcome } from "./closed-cause-outcome";

export interface GroupingGateDeps {
  taskNodes: TaskNodes;
  /** When each node was last heard, and missed starts close together (a node down QRS does not report). */
  silentNodes: SilentNodes;
  graph(): ChainGraph | undefined;
  /** Brings graph() up to the plan another Steward's watchdog stored, if it changed (before each decision). */
  refreshChains?: (now: number) => Promise<void>;
  /** Each Qlik Cloud tenant's Scheduling Tasks (their chains), as the watchdog last read them (kept in the store). */
  cloudChains?: Pick<CloudChains, "waiting">;
  feedsOfCheck(check: string): CheckFeeds | undefined;
  /** The freshness promises (freshness.promises), named on a cause's open pages when it affects one of their apps. */
  promises?: () => readonly PromiseRef[];
  publicUrl?: string;
  /** What a remediation rule is trying for a cause, named on its pages (wired late; none without rules). */
  trying?: () => CauseTrying | undefined;
  /** The tasks (lower-case ids) whose failure a retry or re-run is holding now, by a rule or a person (wired late). */
  heldTasks?: () => Promise<ReadonlyMap<string, HeldBy>>;
  /** Who received a cause's page besides its own targets: an escalation's route, a silence's release (follow-ups.ts). */
  alsoReceived?: (parentId: number) => Promise<Receiver[]>;
  /** Whether the event ends the run of an action a person asked for whose outcome is not told yet (start/remediation). */
  endsAnAction?: (e: DomainEvent) => Promise<boolean>;
  /** The cause a person's re-run was asked under, when the event ends its run untold (start/remediation, wired late). */
  causeOfRun?: (e: DomainEvent) => Promise<number | undefined>;
  /** Whether a run (its execution id) is one remediation started (start/remediation, wired late). */
  ownRun?: (executionId: string) => Promise<boolean>;
  /** The freshness promises' open alerts (the judge's store, through the composition root): a cause opening takes them in. */
  openAlerts?: OpenAlerts;
  /**
   * The maintenance window holding `e` at `now`, if any, as the reason it gives a cause's page it holds (issue 106): the
   * page the cause would send its symptoms' routes waits with the event, for the window's end (src/tell/maintenance).
   */
  windowHold?: (e: DomainEvent, now: number) => { reason(causeId: number): string } | undefined;
  /** Of these events, those inside a maintenance window lasting at `now`, with its name (src/tell/maintenance). */
  insideWindows?: (eventIds: readonly string[], now: number) => Promise<ReadonlyMap<string, string>>;
}

const suppress = (plan: Plan, reason: string): Plan => ({
  ...plan,
  deliveries: plan.deliveries.map((d) => (wouldSend(d) ? { ...d, action: "suppress", reason } : d)),
});

/** A run's success (or its recovery) that QRS did not confirm happened. */
const isUnconfirmedSuccess = (e: DomainEvent): boolean => isTaskEvent(e) && e.outcome === "succeeded" && e.unconfirmed !== undefined;

/** The plan held as a symptom, except the deliveries in `sent` (to a receiver none of the cause's pages reached). */
function holdExcept(plan: Plan, reason: string, sent: readonly PlannedDelivery[]): Plan {
  const sendKeys = new Set(sent.map((d) => d.key));
  const suppressed = suppress(plan, reason);
  if (sendKeys.size === 0) return suppressed;
  return { ...suppressed, deliveries: suppressed.deliveries.map((d) => (sendKeys.has(d.key) ? plan.deliveries.find((x) => x.key === d.key)! : d)) };
}

/**
 * The recovered page: to every receiver the cause's pages reached, whichever kinds their routes take, and only
 * there: a route that takes the closing event but got no page of the cause gets no recovery.
 */
async function recoveredPlan(
  reachedOf: (parentId: number) => Promise<PageTarget[]>,
  alsoReceived: GroupingGateDeps["alsoReceived"],
  plan: Plan,
  parentId: number,
  byHand = false,
): Promise<Plan> {
  const reached = await reachedOf(parentId);
  const own = onlyReached(plan, [...reached, ...((await alsoReceived?.(parentId)) ?? [])]);
  const extra = recoveredReach(parentId, own, reached, byHand);
  return extra.length > 0 ? { ...own, deliveries: [...own.deliveries, ...extra] } : own;
}

/** A cause as its messages show it. */
/**
 * A cause as its messages show it. `e` no window holds: its page names only what is outside the windows lasting now
 * (one a window holds waits for the window's end, and is then sent as it was held).
 */
const summaryOf = (store: CauseStore, deps: GroupingGateDeps, e?: DomainEvent, now = 0) => {
  const inside = e && deps.insideWindows && !deps.windowHold?.(e, now) ? (ids: readonly string[]) => deps.insideWindows!(ids, now) : undefined;
  return (id: number) => causeSummary(store, id, deps.publicUrl, deps.promises?.(), deps.trying?.(), inside);
};

/**
 * Inside a window over the node its runs ran on, a cause's opening page waits with its event, on every route (`reach`
 * too): nobody is told, so nobody is kept as reached (the window's end sends it, maintenance/cause-release.ts).
 */
function heldByWindow(deps: GroupingGateDeps, plan: Plan, reach: readonly PlannedDelivery[], parentId: number, now: number): Plan | undefined {
  const window = deps.windowHold?.(plan.event, now);
  if (!window) return undefined;
  const held = reach.map((d): PlannedDelivery => ({ ...d, action: "suppress", reason: window.reason(parentId) }));
  return { ...plan, deliveries: [...plan.deliveries, ...held] };
}

/** A cause's opening page goes with the plan and to `reach`: where it went is kept with the cause (updates.ts). */
async function sentAtOpening(updates: ParentUpdates, plan: Plan, parentId: number, reach: readonly PlannedDelivery[], now: number): Promise<Plan> {
  await updates.opened(parentId, plan, now);
  if (reach.length > 0) await updates.alsoReached(parentId, reach, now);
  return reach.length > 0 ? { ...plan, deliveries: [...plan.deliveries, ...reach] } : plan;
}

const isEscalation = (plan: Plan) => plan.deliveries.length > 0 && plan.deliveries.every((d) => d.key.startsWith("esc:"));

export function createGroupingGate(store: CauseStore, cfg: GroupingConfig, deps: GroupingGateDeps): DeliveryGate {
  const nodeDown = createNodeDownRule(store, cfg.nodeDown, deps.taskNodes, deps.silentNodes);
  const source = createSourceRule(store, cfg.sameSource);
  const upstream = createUpstreamRule({
    store,
    cfg: cfg.upstream,
    graph: deps.graph,
    feedsOfCheck: deps.feedsOfCheck,
    ...(deps.promises ? { promises: deps.promises } : {}),
  });
  const queue = createQueueRule({ store, taskNodes: deps.taskNodes, graph: deps.graph, ownRun: deps.ownRun, heldTasks: deps.heldTasks });
  const appReloads = createAppReloadRule(store);
  const automations = createAutomationRule(store);
  const chains = deps.cloudChains ?? { waiting: async () => [] };
  const cloud = createCloudItemRule(store, chains, deps.silentNodes);
  const dataTasks = createDataTaskRule(store, chains);
  const floods = createUnconfirmedFloodRule(store);
  const earlier = createEarlierAlerts(store, deps.openAlerts);

  /** `pageTo`: where the event goes if it opens a parent (and so is its page), kept with the parent as it opens. */
  async function decide(e: DomainEvent, now: number, pageTo: string | undefined): Promise<CauseDecision | undefined> {
    // A failure heard of after its task's next success (issue 84): its task is fine already, so it is no symptom of
    // anything still going on (a cause it opened would wait for a success that came before it).
    if (isTaskEvent(e) && e.heardAfterSuccess) return undefined;
    await deps.refreshChains?.(now);
    // The page of a flood of unconfirmed runs from one address is its address's cause, nothing else's.
    const flood = await floods.review(e, now, pageTo);
    if (flood) return flood;
    // A success QRS did not confirm (a forged datagram or Engine line, or QRS unreachable) ends no cause and keeps no
    // node heard: it goes on as itself, marked unconfirmed, and the cause stays open until a confirmed one.
    if (isUnconfirmedSuccess(e)) return undefined;
    // A node's queue backed up is its own cause, opened and ended by its own events.
    const backlog = await queue.review(e, now, pageTo);
    if (backlog) return backlog;
    // A node's cause next: while a node is down, what it fails is its symptom whatever the source.
    const node = await nodeDown.review(e, now, pageTo);
    if (node) return node;
    // What a backed-up queue does on its node: runs Qlik cancelled there (never a source's or an upstream's failure).
    const queued = await queue.symptom(e, now, pageTo);
    if (queued) return queued;
    // A Qlik Cloud task's or app's alert: its item's cause (or the cause already holding the item).
    const cloudItem = await cloud.review(e, now, pageTo);
    if (cloudItem) return cloudItem;
    if (!isTaskEvent(e)) return (await automations.review(e, now, pageTo)) ?? (await dataTasks.review(e, now, pageTo)) ?? upstream.review(e, now, pageTo);
    if (e.kind === "app.reload_failed" || e.kind === "app.reload_succeeded") return appReloads.review(e, now, pageTo);
    const subject = `task:${e.task.id.toLowerCase()}`;
    if (e.kind === "task.failed" || e.kind === "task.aborted") {
      const bySource = await source.review(e, now, pageTo);
      const byChain = await upstream.onFailure(e, bySource?.parentId, now, pageTo);
      // A Cloud reload in a source's cause: the Cloud tasks after it are listed there as waiting, as on-premise ones are.
      if (bySource) await cloud.listWaiting(e, bySource.parentId, now);
      return bySource ?? byChain ?? (await nodeDown.onUngroupedFailure(e, now, pageTo)) ?? cloud.onFailure(e, now, pageTo);
    }
    if (e.kind !== "task.recovered" && e.kind !== "task.succeeded") return undefined;
    // Every success may reload what a job's cause awaits since the job checked in (checkin-data.ts).
    const fresh = e.kind === "task.succeeded" ? await upstream.reloaded(e, now) : undefined;
    // A success that closed the task's incident is followed by its task.recovered: that one is the recovery.
    if (e.kind === "task.succeeded" && e.incident?.status === "closed") return fresh;
    const own = afterRecovery(await store.recover(subject, now), "affected task(s) failing");
    return own?.action === "pass" || !fresh ? own : fresh;
  }

  const updates = createParentUpdates(store, cfg.updates);
  const heldBy = createRemediationHeldCheck(store, updates.reached, deps.heldTasks);
  const recovered = (plan: Plan, parentId: number, byHand = false) => recoveredPlan(updates.reached, deps.alsoReceived, plan, parentId, byHand);
  const withCause = (plan: Plan, cause: CauseSummary | undefined): Plan => {
    if (!cause) return plan;
    // The recovery of an incident resolved by hand closed the cause, or the cause was resolved holding none: its
    // recovered page says who resolved it.
    const resolved = isTaskEvent(plan.event) ? plan.event.incident?.resolved : resolvedCauseOf(plan.event);
    const byHand = resolved !== undefined && !("byItself" in resolved);
    const shown = cause.status === "closed" && byHand ? { ...cause, resolvedBy: resolved.by } : cause;
    return { ...plan, event: { ...plan.event, cause: shown } as DomainEvent };
  };

  /** A parent this event opened: its page also goes, once, to the routes that take the cause's symptoms. */
  async function opening(plan: Plan, parentId: number, now: number, ctx: GateContext | undefined): Promise<Plan> {
    const parent = await store.get(parentId);
    const reach = parent ? await openingReach(parentId, plan, kindsReachedAtOpening(parent.causeKey, plan.event, cfg), ctx) : [];
    return heldByWindow(deps, plan, reach, parentId, now) ?? (await sentAtOpening(updates, plan, parentId, reach, now));
  }

  return {
    async review(plan, now, ctx) {
      // An escalation (src/tell/escalation: keys `esc:<incident>:<route>|…`) sends again an alert this gate already decided
      // on, with the cause it carried then: deciding again would hold a cause's own page as a symptom of itself.
      if (!cfg.enabled) return plan;
      if (isEscalation(plan)) {
        // Its receivers got the cause's page: its recovered page, or its follow-up when resolved by hand, goes there too.
        const sending = plan.deliveries.filter((d) => wouldSend(d));
        if (plan.event.cause?.status === "open" && sending.length > 0) await updates.escalatedTo(plan.event.cause.id, sending, now);
        return plan;
      }
      // A cause resolved by hand holding no open incident: its follow-up is its recovered page (platform/events/cause-resolved.ts).
      const byHand = resolvedCauseOf(plan.event);
      if (byHand) {
        const cause = await summaryOf(store, deps, plan.event, now)(byHand.causeId);
        return cause?.status === "closed"
          ? withCause(await recovered(plan, byHand.causeId, true), cause)
          : suppress(plan, "the cause it resolves is not closed");
      }
      const decision = await queue.settled(await earlier.opening(await decide(plan.event, now, pageTargets(plan)), now), now);
      const summary = summaryOf(store, deps, plan.event, now);
      if (!decision) return closedCauseOutcome(plan, { causeOfRun: deps.causeOfRun, summary, outcome: updates.outcome, withCause });
      const cause = await summary(decision.parentId);
      if (decision.action === "pass") {
        // A repeat goes where renotify and pageAfter let it; a receiver it reaches first gets the cause's recovery too.
        if (cause?.status === "open" && decision.repeat) return (await updates.unreached(decision.parentId, plan, now), withCause(plan, cause));
        if (cause?.status === "open") return withCause(await opening(plan, decision.parentId, now, ctx), cause);
        // Closed by a resolve by hand of its last incident: an escalation's receivers are told too.
        const resolved = isTaskEvent(plan.event) && plan.event.incident?.resolved !== undefined;
        return withCause(await recovered(plan, decision.parentId, resolved), cause);
      }
      // A cause whose failure is being retried (by a person, or a rule while it paged nowhere): its symptoms wait (remediation-held.ts);
      // the failure that pages once a rule gave up is the cause's first page, on the routes of its symptoms too.
      if (!decision.recovering && (await heldBy.holds(decision.parentId, plan.event))) return withCause(suppress(plan, HELD_WHILE_REMEDIED), cause);
      if (await heldBy.gaveUpFirst(decision.parentId, plan.event)) return withCause(await opening(plan, decision.parentId, now, ctx), cause);
      // A new symptom may carry the parent's update (rate-limited), to where the parent's first page went.
      const update = cause && !decision.recovering ? await updates.review(decision.parentId, plan, cause, now) : undefined;
      // Held as a symptom, except on a route none of the cause's pages reached: there it is the cause's page, once.
      const unreached = decision.recovering ? [] : await updates.unreached(decision.parentId, plan, now);
      const held = holdExcept(plan, decision.reason, unreached);
      if (update) return withCause({ ...held, deliveries: [...held.deliveries, ...update.deliveries] }, update.cause);
      // Told where the page went, also when held: a person's action's run (its outcome), a queue emptied (queue-backlog.ts).
      const told = cause && (decision.toldWherePaged || (await deps.endsAnAction?.(plan.event))) ? await updates.outcome(decision.parentId, plan) : [];
      if (told.length > 0) return withCause({ ...held, deliveries: [...held.deliveries, ...told] }, cause);
      return withCause(held, cause);
    },
  };
}
