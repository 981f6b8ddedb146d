// Action updates (issue 101): an action's outcome that no message carries (refused or not started, not needed,
// expired, cancelled, a retry that failed while nothing else was due) is told on its own, to each channel and person
// the page of its incident (or of the cause that held it) reached, once per outcome. A message of that page still on
// its way tells it instead (it marks the action told when it is built), so an outcome is never told twice; after a
// short settle, so the recovery or failure its run's end raises is queued first. Claimed in the store before it is
// queued, and queued with keys of its own: two Stewards queue it once, and a Steward killed in between leaves the
// claim for any Steward to queue again. A re-run's actions that ended together the same way (an engine wait that gave
// up ends the later ones with it) are one update naming each run, claimed together: one press, one message. A message
// that told the outcome may reach fewer receivers than the page did (its route takes one channel, a rate limit or
// renotify drops a delivery): the page's receivers no message carrying the outcome was built for, nor is on its way
// to, get the update too, claimed the same way (told-receivers.ts).
import type { Logger } from "pino";
import { describeError } from "../../platform/core/errors";
import { actionUpdateEvent, actionUpdateEventId } from "../../platform/events/action-update";
import type { IncidentService } from "../../tell/incidents";
import type { PageFollower, PageReceiver } from "../../tell/notify";
import { causeAlertKey, incidentAlertKey } from "../../tell/notify/on-call/alert";
import type { ActionStore, RemediationAction } from "./action-store";
import { groupLine, lineOf } from "./lines";
import { CLAIMED } from "./outcome-rows";
import { receiverKey } from "./told-receivers";
import { RUN_SETTLE_MS, SETTLE_MS, TELL_WITHIN_MS } from "./tell-window";

export interface ActionUpdatesDeps {
  store: Pick<
    ActionStore,
    | "untoldOutcomes"
    | "claimedUpdates"
    | "claimUpdates"
    | "endedWith"
    | "updateQueued"
    | "toldByMessages"
    | "claimedRest"
    | "claimRest"
    | "restQueued"
    | "restNone"
    | "toldReceivers"
  >;
  incidents: Pick<IncidentService, "get">;
  /** The causes that held an incident's subject (tell/grouping's cause store). */
  causes: { parentsOf(subject: string, since: number): Promise<number[]> };
  /** The notifier's page follower, read at each use (a config reload replaces the notifier's methods). */
  pages: () => PageFollower | undefined;
  formatTime(ms: number): string;
  host: string;
  log: Logger;
}

/** Where the page of an action's incident went: its conversation, since when, its on-call alert, its receivers. */
interface PageOf {
  thread: string;
  since: number;
  alertKey: string;
  causeId: number | null;
  receivers: PageReceiver[];
}

/** A failed action says so: it never started (refused, expired), or its run did not succeed. */
const failedAction = (a: RemediationAction) =>
  a.status === "failed" || (a.status === "ended" && a.outcome !== "succeeded") || (a.status === "cancelled" && !(a.outcome ?? "").startsWith("cancelled by"));

export function createActionUpdates(deps: ActionUpdatesDeps) {
  const log = deps.log.child({ module: "remediation" });

  async function pageOf(pages: PageFollower, a: RemediationAction): Promise<PageOf | undefined> {
    const incident = await deps.incidents.get(a.incidentId);
    if (!incident) return undefined;
    // The cause that held the incident's failure carried its page (its symptoms' own pages were folded under it);
    // a re-run names its queue's cause.
    const causeIds = [...new Set([...(a.causeId > 0 ? [a.causeId] : []), ...(await deps.causes.parentsOf(incident.subject, incident.openedAt))])];
    for (const id of causeIds) {
      const receivers = await pages.receivers(`cause:${id}`, 0);
      if (receivers.length > 0) return { thread: `cause:${id}`, since: 0, alertKey: causeAlertKey(id), causeId: id, receivers };
    }
    const thread = `task:${incident.taskId ?? a.taskId}`;
    const receivers = await pages.receivers(thread, incident.openedAt);
    return receivers.length > 0 ? { thread, since: incident.openedAt, alertKey: incidentAlertKey(incident.id), causeId: null, receivers } : undefined;
  }

  /**
   * Queues the update of `told` (one action, or a re-run's that ended together, chain order), claimed already, to `to`
   * (the page's receivers, or those the message that told it left out), then notes it queued.
   */
  async function queue(
    pages: PageFollower,
    told: readonly RemediationAction[],
    page: PageOf,
    now: number,
    eventId: string,
    to = page.receivers,
    queued: () => Promise<void> = () => deps.store.updateQueued(eventId),
  ): Promise<void> {
    const a = told[0]!;
    const event = actionUpdateEvent(
      {
        actionId: a.id,
        incidentId: a.incidentId,
        causeId: page.causeId,
        taskId: a.taskId,
        taskName: a.taskName,
        kind: a.kind,
        status: a.status,
        outcome: a.outcome,
        requestedBy: a.requestedBy,
        confirmedBy: a.confirmedBy,
        failed: failedAction(a),
        lines: [told.length > 1 ? groupLine(told) : lineOf(a, { kind: "remediation.action_update" }, deps.formatTime)],
        thread: page.thread,
        alertKey: page.alertKey,
        replyTo: Object.fromEntries(page.receivers.map((r) => [`${r.channel}|${r.recipient.toLowerCase()}`, r.pageKey])),
        ...(told.length > 1 ? { runs: told.map((x) => ({ actionId: x.id, taskId: x.taskId, taskName: x.taskName })) } : {}),
      },
      a.endedAt ?? now,
      deps.host,
    );
    const made = await pages.send(event, to);
    await queued();
    const said =
      to === page.receivers
        ? "an action's outcome no message carried is told on its own"
        : "an action's outcome is told on its own where the message that told it did not go";
    log.info(
      { actionIds: told.map((x) => x.id), incidentId: a.incidentId, thread: page.thread, queued: made, told: a.toldEventId, to: to.map(receiverKey) },
      said,
    );
  }
  /** One look: the updates claimed but maybe not queued, then the outcomes to tell now. */
  return async function tellOutcomes(now: number): Promise<void> {
    const pages = deps.pages();
    if (!pages) return;
    // Grouped by the update each was claimed for: a re-run's actions told together are queued together again.
    const claimed = new Map<string, RemediationAction[]>();
    for (const a of await deps.store.claimedUpdates(now - TELL_WITHIN_MS)) {
      const eventId = (a.toldEventId ?? "").slice(0, -CLAIMED.length);
      claimed.set(eventId, [...(claimed.get(eventId) ?? []), a]);
    }
    for (const [eventId, told] of claimed) {
      const page = await pageOf(pages, told[0]!);
      if (page)
        await queue(pages, told, page, now, eventId).catch((err) =>
          log.warn({ actionId: told[0]!.id, err: describeError(err) }, "could not queue an action update"),
        );
    }
    const done = new Set<number>();
    for (const a of await deps.store.untoldOutcomes(now - TELL_WITHIN_MS, now - SETTLE_MS)) {
      if (done.has(a.id)) continue;
      if (a.status === "ended" && (a.endedAt ?? now) > now - RUN_SETTLE_MS) continue;
      try {
        // No channel got the page (held, or asked over REST before any went): the incident's next message tells it.
        const page = await pageOf(pages, a);
        if (!page) continue;
        // A message of the page on its way tells it when it is built.
        if (await pages.busy(page.thread, page.since)) continue;
        // The update is the first untold action's of those that ended with it: every Steward names it alike.
        const untold = (await deps.store.endedWith(a)).filter((x) => x.id === a.id || isUntold(x));
        for (const x of untold) done.add(x.id);
        const eventId = actionUpdateEventId(untold[0]!.id);
        const ids = await deps.store.claimUpdates(
          untold.map((x) => x.id),
          eventId,
        );
        if (ids.length === 0) continue;
        await queue(
          pages,
          untold.filter((x) => ids.includes(x.id)),
          page,
          now,
          eventId,
        );
      } catch (err) {
        log.warn({ actionId: a.id, err: describeError(err) }, "could not tell an action's outcome on its own; the next look tries again");
      }
    }
    await tellTheRest({ store: deps.store, log, pageOf, queue }, pages, now);
  };
}

/** What telling the receivers a message left out needs of createActionUpdates. */
interface RestDeps {
  store: Pick<ActionStore, "toldByMessages" | "claimedRest" | "claimRest" | "restQueued" | "restNone" | "toldReceivers">;
  log: Logger;
  pageOf(pages: PageFollower, a: RemediationAction): Promise<PageOf | undefined>;
  queue(
    pages: PageFollower,
    told: readonly RemediationAction[],
    page: PageOf,
    now: number,
    eventId: string,
    to?: PageReceiver[],
    queued?: () => Promise<void>,
  ): Promise<void>;
}

/** The page's receivers no message carrying the outcome was built for, nor is on its way to; and whether any is on its way. */
async function leftOut(store: RestDeps["store"], pages: PageFollower, a: RemediationAction, page: PageOf): Promise<{ left: PageReceiver[]; waiting: boolean }> {
  const told = await store.toldReceivers(a.id);
  const onItsWay = a.toldEventId ? await pages.onItsWay(a.toldEventId) : new Set<string>();
  // A receiver first paged as the action ended or later got a page judged with its outcome (a symptom it held, paged once it
  // failed): that page is its news, not a page to follow up.
  const paged = page.receivers.filter((r) => r.firstAt < (a.endedAt ?? Number.POSITIVE_INFINITY));
  const untold = paged.filter((r) => !told.has(receiverKey(r)));
  return { left: untold.filter((r) => !onItsWay.has(receiverKey(r))), waiting: untold.some((r) => onItsWay.has(receiverKey(r))) };
}

/** Outcomes a message told: the page's receivers it left out get the update (claimed once on the site). */
async function tellTheRest(r: RestDeps, pages: PageFollower, now: number): Promise<void> {
  const { store, log, pageOf, queue } = r;
  // Claimed by a Steward that may have stopped before queuing: queued again (its keys make it once per receiver).
  for (const a of await store.claimedRest(now - TELL_WITHIN_MS)) {
    const page = await pageOf(pages, a);
    const left = page ? (await leftOut(store, pages, a, page)).left : [];
    const queued =
      page && left.length > 0 ? queue(pages, [a], page, now, actionUpdateEventId(a.id), left, () => store.restQueued(a.id)) : store.restQueued(a.id);
    await queued.catch((err) => log.warn({ actionId: a.id, err: describeError(err) }, "could not queue an action update"));
  }
  for (const a of await store.toldByMessages(now - TELL_WITHIN_MS)) {
    try {
      const page = await pageOf(pages, a);
      const { left, waiting } = page ? await leftOut(store, pages, a, page) : { left: [], waiting: false };
      // A delivery of the telling message still on its way carries the outcome when it is built: looked at again.
      if (!page || left.length === 0) {
        if (!waiting) await store.restNone(a.id);
        continue;
      }
      if (await store.claimRest(a.id)) await queue(pages, [a], page, now, actionUpdateEventId(a.id), left, () => store.restQueued(a.id));
    } catch (err) {
      log.warn(
        { actionId: a.id, err: describeError(err) },
        "could not tell an action's outcome where the message that told it did not go; the next look tries again",
      );
    }
  }
}

/** Not told by a message nor claimed for an update (told while its run was running counts as untold). */
const isUntold = (a: RemediationAction) => a.toldEventId === null || a.toldWhileRunning;
