// A job before Qlik (a check-in, docs/checkins.md) that failed or did not check in is a cause of its own: what it feeds,
// and the tasks after those, wait for it. When the job then delivers, its cause is over only once what it feeds has
// reloaded the new data (issue 76: the cause's recovery came while every reload of its chain had started on
// yesterday's export). From the check-in, what the cause lists as waiting awaits a reload that started after it, and,
// for a task, after every task upstream of it in the cause reloaded; the reload that ends the last is the recovered page.
import type { TaskEvent, WatchdogEvent } from "../../platform/events/types";
import type { AwaitingRow } from "./awaiting-data";
import type { CauseStore, SymptomInput } from "./cause-store";
import type { ChainGraph } from "./chain-graph";
import { type CauseDecision, symptomReason, waitingEntry } from "./decision";

/** What a check-in job feeds (checkins.checks.<name>.feeds): names and ids of tasks and apps. */
export interface CheckFeeds {
  taskNames: readonly string[];
  taskIds: readonly string[];
  appNames: readonly string[];
  appIds: readonly string[];
}

/** When the run started: QRS's start time, else its end less its duration, else when Steward heard of it. */
function startedAt(e: TaskEvent): number {
  const start = Date.parse(e.execution?.startTime ?? "");
  if (Number.isFinite(start)) return start;
  const heard = Date.parse(e.receivedAt);
  const stop = Date.parse(e.execution?.stopTime ?? "");
  const took = e.execution?.durationMs;
  return took !== undefined ? (Number.isFinite(stop) ? stop : heard) - took : heard;
}

function byParent(rows: readonly AwaitingRow[]): Map<number, AwaitingRow[]> {
  const out = new Map<number, AwaitingRow[]>();
  for (const r of rows) out.set(r.parentId, [...(out.get(r.parentId) ?? []), r]);
  return out;
}

const checkOf = (e: WatchdogEvent) => (typeof e.data.check === "string" ? e.data.check : e.condition.key);
const keyOf = (check: string) => `checkin:${check.toLowerCase()}`;

export function createJobCauseRule(store: CauseStore, graph: () => ChainGraph | undefined, feedsOfCheck: (check: string) => CheckFeeds | undefined) {
  /** What the job feeds and what runs after that, listed as waiting in its cause. */
  function waiting(check: string, eventId: string): SymptomInput[] {
    const feeds = feedsOfCheck(check);
    if (!feeds) return [];
    const g = graph();
    const ids = [...feeds.taskIds.map((t) => t.toLowerCase()), ...feeds.taskNames.flatMap((n) => g?.taskIdByName(n) ?? [])];
    const tasks = [...new Set(ids)].flatMap((id) => {
      const t = g?.task(id);
      return t ? [t, ...(g?.downstreamOf(id) ?? [])] : [];
    });
    return [
      ...tasks.map((t) => waitingEntry(t, eventId)),
      ...feeds.appIds.map((id) => ({ subject: `app:${id.toLowerCase()}`, kind: "app.waiting", eventId, appId: id })),
      ...feeds.appNames.map((n) => ({ subject: `app:${n.toLowerCase()}`, kind: "app.waiting", eventId, appName: n })),
    ];
  }

  /**
   * The job did not deliver again while its last cause only awaited reloads (a task that did not run since): that
   * cause is over, unannounced, and the new condition opens a cause of its own, which pages.
   */
  async function endAwaitingOnly(check: string, now: number): Promise<void> {
    const open = await store.openByKey(keyOf(check));
    if (!open) return;
    const states = (await store.symptoms(open.id)).map((s) => s.state);
    if (states.includes("awaiting") && !states.includes("open")) await store.closeOver(open.id, now);
  }

  return {
    /** checkin.failed, checkin.missed: the job's cause, with what it feeds (and what runs after that) waiting. */
    async opened(e: WatchdogEvent, now: number, pageTo: string | undefined): Promise<CauseDecision> {
      const check = checkOf(e);
      const title = `job "${check}" did not deliver`;
      await endAwaitingOnly(check, now);
      const { parentId, opened } = await store.attach(
        { key: keyOf(check), title },
        { subject: `watch:${e.condition.key}`, kind: e.kind, eventId: e.id },
        now,
        pageTo,
      );
      await store.addWaiting(parentId, waiting(check, e.id), now);
      return opened ? { action: "pass", parentId } : { action: "suppress", parentId, reason: symptomReason(parentId, title) };
    },
    /**
     * The job's condition ended (it checked in, or reported a success): what its cause lists awaits a reload from then.
     * A task does; so does an app named in `feeds` that a task of the chain graph reloads. An app only named (or that
     * no task reloads) stays listed as waiting: nothing Steward sees would tell it has the new data.
     */
    async checkedIn(e: WatchdogEvent, now: number): Promise<void> {
      const open = await store.openByKey(keyOf(checkOf(e)));
      if (!open) return;
      const g = graph();
      const reloadable = (await store.symptoms(open.id)).filter(
        (s) =>
          (s.state === "waiting" || s.state === "awaiting") &&
          (s.subject.startsWith("task:") || (s.subject.startsWith("app:") && s.appId !== null && (g?.tasksOfApp(s.appId).length ?? 0) > 0)),
      );
      // The ping that ended it (data.checkedInAt); the judgement that saw it comes up to checkins.interval later.
      const at = Date.parse(String(e.data.checkedInAt ?? e.condition.closedAt ?? ""));
      await store.awaitReloads(
        open.id,
        reloadable.map((s) => s.subject),
        Number.isFinite(at) ? Math.min(at, now) : now,
      );
    },
    /** A successful run: ends what awaited it in a job's cause, if it started after the check-in and after its upstreams. */
    async reloaded(e: TaskEvent, now: number): Promise<CauseDecision | undefined> {
      const rows = await store.awaitingFor(e.task.id, { ...(e.app ? { id: e.app.id, name: e.app.name } : {}) });
      if (rows.length === 0) return undefined;
      const started = startedAt(e);
      const upstream = new Set(graph()?.upstreamOf(e.task.id) ?? []);
      const touched: Array<Awaited<ReturnType<CauseStore["reloaded"]>>> = [];
      for (const [parentId, entries] of byParent(rows)) {
        // A reload that started before the data arrived ran on the old data.
        if (entries.some((r) => started < r.since)) continue;
        // Nor is it the new data while a task before it in the chain has not reloaded it yet.
        if ([...(await store.awaitingTasks(parentId))].some((t) => upstream.has(t))) continue;
        touched.push(await store.reloaded(parentId, [...new Set(entries.map((r) => r.subject))], now));
      }
      // Only the reload that ends the cause is its page; one that leaves others awaiting goes as any success would.
      const closed = touched.find((t) => t.closed);
      return closed ? { action: "pass", parentId: closed.parentId } : undefined;
    },
  };
}
