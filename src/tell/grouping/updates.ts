// Update pages of an open parent: when symptoms added since its last page name tasks or apps it did not affect
// then, and `every` has passed since that page, the symptom that notices it goes as an update to the channels and
// recipients of the parent's first page (its own routes' deliveries stay suppressed as a symptom's). One update per
// parent per `every` (claimed in the store, so two Stewards send one), listing everything added since the last page;
// symptoms that only repeat what the parent already named (a stale app of a failed load) never page.
import type { GroupingConfig } from "./config";
import type { CauseSummary } from "../../platform/events/cause-summary";
import { CHANNELS } from "../notify/channels/registry";
import { wouldSend } from "../notify/gate";
import type { Plan, PlannedDelivery } from "../notify/planner";
import type { CauseStore, SymptomRow } from "./cause-store";
import { NAMES_ON_ALERT, RUNS_ON_ALERT } from "./summary";
import { type PageTarget, sameReceiver, targetOf } from "./reach";

/** Deliveries an update goes to at most (a route to a long mailing list is cut, not copied whole). */
export const MAX_TARGETS = 200;

function addedSince(symptoms: readonly SymptomRow[], since: number) {
  const before = { tasks: new Set<string>(), apps: new Set<string>() };
  for (const s of symptoms.filter((x) => x.firstAt <= since)) {
    if (s.taskName) before.tasks.add(s.taskName);
    if (s.appName) before.apps.add(s.appName);
  }
  const later = symptoms.filter((x) => x.firstAt > since);
  const fresh = (names: Array<string | null>, known: Set<string>) => [...new Set(names.filter((n): n is string => Boolean(n) && !known.has(n!)))].sort();
  const tasks = fresh(
    later.map((s) => s.taskName),
    before.tasks,
  );
  const apps = fresh(
    later.map((s) => s.appName),
    before.apps,
  );
  return { tasks, apps, count: tasks.length + apps.length };
}

/** Where a plan's page goes, as a parent keeps it (JSON), or undefined when it sends nothing. */
export function pageTargets(plan: Plan): string | undefined {
  const to = plan.deliveries
    .filter((d) => wouldSend(d))
    .slice(0, MAX_TARGETS)
    .map(targetOf);
  return to.length > 0 ? JSON.stringify(to) : undefined;
}

export type ParentUpdates = ReturnType<typeof createParentUpdates>;

export function createParentUpdates(store: CauseStore, cfg: GroupingConfig["updates"]) {
  /** The receivers of the parent's own pages (an escalation's are not): with none kept, where the plan's deliveries go. */
  const pageOwnTargets = async (parentId: number, plan: Plan): Promise<PageTarget[]> => {
    const recorded = await store.pageTo(parentId);
    const own = recorded ? (JSON.parse(recorded) as Array<PageTarget & { later?: boolean; escalated?: boolean }>).filter((t) => !t.escalated) : [];
    const kept = own.length > 0 ? own.filter((t) => !t.later).map(({ later: _, escalated: _e, ...t }) => t) : undefined;
    return kept ?? plan.deliveries.filter((d) => wouldSend(d)).map(targetOf);
  };
  /** Every receiver the parent's pages reached so far (its opening's, and those later symptoms paged). */
  const reached = async (parentId: number): Promise<PageTarget[]> => {
    const recorded = await store.pageTo(parentId);
    return recorded ? (JSON.parse(recorded) as PageTarget[]) : [];
  };
  return {
    reached,
    /**
     * The deliveries of a symptom about to be held that go to a receiver no page of the parent reached yet (a route
     * that does not take the parent's own kind: the watchdog's route for a stale app of a failed load, a route for
     * one task). They are sent once, carrying the cause: that route's page of the cause (a held alert is never lost
     * to a route that would have taken it). They are kept with the parent, so that route's next symptoms fold in and
     * its updates and recovered page go there too.
     */
    async unreached(parentId: number, plan: Plan, now: number): Promise<PlannedDelivery[]> {
      const sending = plan.deliveries.filter((d) => wouldSend(d));
      if (sending.length === 0) return [];
      const kept = await reached(parentId);
      const out: PlannedDelivery[] = [];
      for (const d of sending) if (![...kept, ...out.map(targetOf)].some((t) => sameReceiver(t, targetOf(d)))) out.push(d);
      // Marked as reached later: such a route (one task's, the watchdog's kinds) gets the recovered page, not updates
      // about the rest of the cause.
      await store.addPageTargets(
        parentId,
        out.map((d) => ({ ...targetOf(d), later: true })),
        now,
        MAX_TARGETS,
      );
      return out;
    },
    /**
     * An escalation sent the parent's page to these receivers (the next route, the night phone): kept with it, marked
     * so, for the follow-up of a resolve by hand (recoveredReach); its updates and its recovered page do not go there.
     */
    async escalatedTo(parentId: number, deliveries: readonly PlannedDelivery[], now: number): Promise<void> {
      await store.addPageTargets(
        parentId,
        deliveries.map((d) => ({ ...targetOf(d), later: true, escalated: true })),
        now,
        MAX_TARGETS,
      );
    },
    /** The parent's opening page also went to these receivers (routes taking its symptoms): kept with it. */
    async alsoReached(parentId: number, deliveries: readonly PlannedDelivery[], now: number): Promise<void> {
      await store.addPageTargets(parentId, deliveries.map(targetOf), now, MAX_TARGETS);
    },
    /**
     * A parent's first page went out with this plan: where it went is kept for its updates (already so when the
     * attach that opened it was given the page; this covers a parent opened without).
     */
    async opened(parentId: number, plan: Plan, now: number): Promise<void> {
      const to = pageTargets(plan);
      if (to) await store.notePage(parentId, to, now);
    },
    /**
     * A symptom held under the parent that ends the run of an action a person asked for (a retry that healed or failed
     * again): it goes to the receivers of the parent's page, where the person took the action from, carrying the
     * action's outcome. Keyed by the event, so two Stewards deciding on it queue it once.
     */
    async outcome(parentId: number, plan: Plan): Promise<PlannedDelivery[]> {
      if (!plan.deliveries.some((d) => wouldSend(d))) return [];
      // A symptom's recovery would resolve an on-call product's alert of the still-open cause: a product that takes
      // notes gets the outcome as a note on that alert, the others nothing; a time series counts each run once already.
      const told = (await pageOwnTargets(parentId, plan)).filter(
        (t) => (!CHANNELS[t.channelType].keepsAlerts || CHANNELS[t.channelType].takesNotes) && !CHANNELS[t.channelType].dataSink,
      );
      return told.map((t) => ({
        ...t,
        key: `cause-outcome:${parentId}:${plan.event.id}|${t.channel}|${t.recipient.toLowerCase()}`,
        action: "send",
        ...(CHANNELS[t.channelType].keepsAlerts ? { alertNote: true } : {}),
      }));
    },
    /**
     * A new symptom of an open parent, about to be suppressed. Returns the update's deliveries and the cause as the
     * update shows it when one is due, else undefined. Only a symptom that would have been sent on its own (routed, not silenced, not
     * inside a maintenance window: the gates before this one decided) may carry an update.
     */
    async review(parentId: number, plan: Plan, cause: CauseSummary, now: number): Promise<{ deliveries: PlannedDelivery[]; cause: CauseSummary } | undefined> {
      if (!cfg.enabled || !plan.deliveries.some((d) => wouldSend(d))) return undefined;
      const parent = await store.get(parentId);
      if (parent?.status !== "open") return undefined;
      const last = parent.lastPageAt ?? parent.openedAt;
      if (now - last < cfg.every) return undefined;
      const added = addedSince(await store.symptoms(parentId), last);
      // Something new that needs the person: a task it did not name. Apps going stale after tasks it names are the
      // consequences it announced (issue 64); they are listed on the next page that goes, the recovered one at last.
      if (added.tasks.length === 0) return undefined;
      const to = await pageOwnTargets(parentId, plan);
      if (to.length === 0 || !(await store.claimUpdate(parentId, last, now))) return undefined;
      const n = parent.updates + 1;
      const deliveries: PlannedDelivery[] = to.map((t) => ({
        ...t,
        key: `cause-update:${parentId}:${n}|${t.channel}|${t.recipient.toLowerCase()}`,
        action: "send",
      }));
      const runs = await store.runs(parentId, RUNS_ON_ALERT, last);
      const update = {
        since: new Date(last).toISOString(),
        tasks: added.tasks.slice(0, NAMES_ON_ALERT),
        apps: added.apps.slice(0, NAMES_ON_ALERT),
        count: added.count,
        runs: runs.ids,
        runCount: runs.count,
      };
      return { deliveries, cause: { ...cause, update } };
    },
  };
}
