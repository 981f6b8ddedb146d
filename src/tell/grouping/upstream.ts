// The upstream rule: a failed task others wait for (or a job before Qlik that failed or did not check in) is the
// cause; what then does not happen downstream (task.chain_broken, task.missed, app.stale, the freshness warning and
// breach of the apps it feeds) is its symptom, found through the chain graph the watchdog reads, listed in the parent
// and not sent. The tasks after it are listed as waiting from the start, so the parent names everything it stops.
import type { GroupingConfig } from "./config";
import type { DomainEvent, TaskEvent, WatchdogEvent } from "../../platform/events/types";
import { isWatchdogEvent } from "../../platform/events/types";
import type { CauseStore, HolderQuery } from "./cause-store";
import type { ChainGraph } from "./chain-graph";
import { afterRecovery, type CauseDecision, symptomReason, waitingEntry, taskAndApp } from "./decision";
import type { PromiseRef } from "./promises-at-risk";
import { createHungRunRule, promisedApps } from "./hung-run";
import { type CheckFeeds, createJobCauseRule } from "./job-cause";
import { createLateFreshness } from "./late-freshness";

export type { CheckFeeds } from "./job-cause";

export interface UpstreamDeps {
  store: CauseStore;
  cfg: GroupingConfig["upstream"];
  graph(): ChainGraph | undefined;
  feedsOfCheck(check: string): CheckFeeds | undefined;
  /** The freshness promises: a run of a promised app that fails or hangs is the cause of the promise's alerts. */
  promises?: () => readonly PromiseRef[];
}

const RECOVERIES = new Set(["app.freshness_recovered", "checkin.recovered"]);
/** How long after a cause ended an app it left stale still folds into it (a day: the next night's chain catches up). */
const LATE_WITHIN_MS = 86_400_000;

/**
 * Whether a cause of this kind can explain this symptom at all. A missed start of a schedule trigger and a stopped
 * chain (its upstream ended as the trigger awaits, the task did not start) are the Scheduler's or the node's doing:
 * a failure of the task itself or of a task upstream does not explain them (issue 64: a chain break filed under a
 * failure of the night before). A job before Qlik that did not deliver may hold them back, a node down may, and so
 * may a node's queue backed up.
 */
function explainsThisKind(causeKey: string, e: WatchdogEvent): boolean {
  if (e.kind !== "task.missed" && e.kind !== "task.chain_broken") return true;
  return causeKey.startsWith("checkin:") || causeKey.startsWith("node:") || causeKey.startsWith("queue:");
}
const JOB_FAILURES = new Set(["checkin.failed", "checkin.missed"]);

export function createUpstreamRule(d: UpstreamDeps) {
  const { store, cfg } = d;
  const promised = promisedApps(() => d.promises?.() ?? []);
  const hung = createHungRunRule({ store, graph: d.graph, promised });
  const jobs = createJobCauseRule(store, d.graph, d.feedsOfCheck);
  const symptomKinds = new Set<string>(cfg.symptoms);
  const late = createLateFreshness(store);

  /**
   * Whether an open parent explains a downstream symptom: what it is about (a failure, an abort, a job that did not
   * deliver, a node or service down) is still open, or the symptom fell due while it was. A parent whose failures all
   * recovered and that lingers open on a stale app does not explain another night's missed chain: that one is a page of
   * its own (issue 59).
   */
  async function explainsNow(parentId: number, e: WatchdogEvent): Promise<boolean> {
    const symptoms = await store.symptoms(parentId);
    // The same condition, raised a level (a freshness warning that became the breach): it stays where it joined, even
    // when the failure that made it late recovered in between (the run started again, too late): one notice per night.
    if (symptoms.some((s) => s.subject === `watch:${e.condition.key}`)) return true;
    const causes = symptoms.filter((s) => !symptomKinds.has(s.kind) && !s.kind.endsWith(".waiting") && s.state !== "waiting");
    if (causes.some((s) => s.state === "open")) return true;
    // All recovered: it still explains what fell due while it lasted (the stale app of the night the node was down).
    // A freshness event's data.expectedAt is when the app is expected fresh, not when anything fell due: its condition's
    // opening is.
    const over = Math.max(...causes.map((s) => s.recoveredAt ?? Number.NEGATIVE_INFINITY));
    const due = Date.parse(String((e.kind.startsWith("app.freshness_") ? undefined : e.data.expectedAt) ?? e.condition.openedAt));
    return Number.isFinite(due) && due <= over;
  }

  /** A downstream symptom joins the open parent that holds its task, an upstream of it, or (for an app) a task feeding it. */
  async function attachSymptom(e: WatchdogEvent, now: number, pageTo: string | undefined): Promise<CauseDecision | undefined> {
    const g = d.graph();
    const taskIds: string[] = [];
    const appIds: string[] = [];
    const appNames: string[] = [];
    if (e.task) taskIds.push(e.task.id, ...(g?.upstreamOf(e.task.id) ?? []));
    if (e.app && e.kind.startsWith("app.")) {
      appIds.push(e.app.id);
      appNames.push(e.app.name);
      for (const t of g?.tasksOfApp(e.app.id) ?? []) taskIds.push(t, ...(g?.upstreamOf(t) ?? []));
    }
    const holder = await store.openHolder({ taskIds, appIds, appNames });
    if (!holder || !explainsThisKind(holder.causeKey, e) || !(await explainsNow(holder.id, e)))
      return (await late.review(e, { taskIds, appIds, appNames }, now)) ?? lateConsequence(e, { taskIds, appIds, appNames }, now);
    const { parentId, opened } = await store.attach(
      { key: holder.causeKey, title: holder.title },
      {
        subject: `watch:${e.condition.key}`,
        kind: e.kind,
        eventId: e.id,
        ...(e.task ? { taskName: e.task.name, taskId: e.task.id } : {}),
        ...(e.app ? { appName: e.app.name, appId: e.app.id } : {}),
        ...(e.app?.stream ? { stream: e.app.stream } : {}),
      },
      now,
      pageTo,
    );
    // The parent closed between the lookup and the attach: this symptom opened a new one, so it is its page.
    return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, holder.title) };
  }

  /**
   * A cause that ended (a node back up) still explains what it left behind and shows only now: an app whose refresh
   * the cause prevented goes stale after the node returned, until the chain catches up. Such an app is listed in that
   * cause, not paged: the cause's recovered page named what did not run. Only for an app last refreshed before the
   * cause opened, fed by a task (or one upstream of it) the cause really held (a missed start, a stopped chain).
   */
  async function lateConsequence(e: WatchdogEvent, q: HolderQuery, now: number): Promise<CauseDecision | undefined> {
    if (e.kind !== "app.stale" || !e.app) return undefined;
    const closed = await store.closedHolder(q, now - LATE_WITHIN_MS);
    const last = Date.parse(String(e.data.lastSuccessAt ?? ""));
    if (!closed || !Number.isFinite(last) || last >= closed.openedAt) return undefined;
    await store.listInClosed(
      closed.id,
      {
        subject: `watch:${e.condition.key}`,
        kind: e.kind,
        eventId: e.id,
        appName: e.app.name,
        appId: e.app.id,
        ...(e.app.stream ? { stream: e.app.stream } : {}),
      },
      now,
    );
    return { action: "suppress", parentId: closed.id, reason: `left behind by cause #${closed.id} (${closed.title}), which has ended: listed there, not sent` };
  }

  return {
    async review(e: DomainEvent, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      if (!cfg.enabled || !isWatchdogEvent(e)) return undefined;
      // The job delivered: what it feeds now awaits a reload of the new data, and holds its cause open until then.
      if (e.kind === "checkin.recovered") await jobs.checkedIn(e, now);
      if (RECOVERIES.has(e.kind))
        return afterRecovery(await store.recover(`watch:${e.condition.key}`, now)) ?? late.review(e, { taskIds: [], appIds: [], appNames: [] }, now);
      if (JOB_FAILURES.has(e.kind)) return jobs.opened(e, now, pageTo);
      if (e.kind === "task.running_long") return hung.review(e, now, pageTo);
      return symptomKinds.has(e.kind) ? attachSymptom(e, now, pageTo) : undefined;
    },
    /** A successful run, which may reload what a job's cause awaits. */
    reloaded: (e: TaskEvent, now: number) => (cfg.enabled ? jobs.reloaded(e, now) : Promise.resolve(undefined)),
    /**
     * A failed run of a task others wait for. In a parent already (its source's cause): the tasks after it are added
     * there as waiting. Otherwise it opens a parent of its own (its failure is that parent's page) listing them.
     */
    async onFailure(e: TaskEvent, inParent: number | undefined, now: number, pageTo?: string): Promise<CauseDecision | undefined> {
      const g = d.graph();
      if (!cfg.enabled || !g) return undefined;
      const after = g.downstreamOf(e.task.id);
      // Nothing waits for it, but a promise is about its app: the failure is the cause of the promise's alerts.
      const alone = after.length === 0;
      if (alone && (inParent !== undefined || !promised([{ appId: e.app?.id, appName: e.app?.name, stream: e.app?.stream }]))) return undefined;
      const waiting = after.map((t) => waitingEntry(t, e.id));
      if (inParent !== undefined) {
        await store.addWaiting(inParent, waiting, now);
        return undefined;
      }
      const title = alone ? `${e.task.name} failed: its app is not renewed` : `${e.task.name} failed: the tasks after it do not run`;
      const { parentId, opened } = await store.attach(
        { key: `upstream:${e.task.id.toLowerCase()}`, title },
        {
          subject: `task:${e.task.id.toLowerCase()}`,
          kind: e.kind,
          eventId: e.id,
          runId: e.executionId,
          ...taskAndApp(e.task, e.app),
        },
        now,
        pageTo,
      );
      await store.addWaiting(parentId, waiting, now);
      return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, title) };
    },
  };
}
