// REST view of the watchdog: what needs attention now (open conditions), what recently got back on track, and
// per task the next expected start, the learned usual duration and its state.
import { z } from "zod";
import type { CheckinChainItem, CheckinConditionsView } from "../checkins/chain-view";
import type { Router } from "../../platform/http/route";
import { registerAcknowledgeRoute } from "./acknowledge";
import type { Watchdog } from "./service";
import type { ConditionRow, WatchStore } from "./watch-store";
import { limitInWords } from "./limit-words";
import { startsNotWatched, type TaskState, taskState } from "./task-state";

/** A task's state as the REST answer gives it: the code, the words, and why it is not watched when it is not. */
const stateFields = (s: TaskState) => ({ state: s.state, stateText: s.text, stateReason: s.reason ?? null });

/** An open condition of a task that is turned off says so: it stays open until the task runs again or is acknowledged. */
export function withTurnedOffNote(r: ConditionRow, open: readonly ConditionRow[]): ConditionRow["openEvent"] & { note?: string } {
  const off = r.type !== "disabled" && r.taskId ? open.find((x) => x.type === "disabled" && x.taskId === r.taskId) : undefined;
  if (!off) return r.openEvent;
  return {
    ...r.openEvent,
    note: `the task was turned off at ${off.openEvent.condition.openedAt} (${String(off.openEvent.data.turnedOff ?? "disabled")}); this stays open until it runs again or is acknowledged`,
  };
}

export interface WatchdogRouteDeps {
  watchdog?: Watchdog;
  store?: WatchStore;
  clock: { now(): number };
  /** The jobs before Qlik (check-ins) with their state, as links of the chains. */
  checkins?: () => Promise<CheckinChainItem[]>;
  /** The check-ins' open and recently closed conditions: they need attention as the tasks' do. */
  checkinConditions?: CheckinConditionsView;
  /** Successful runs a task needs before its usual duration is known (watchdog.runningLong.minRuns). */
  minRuns?: number;
}

const lower = (xs: readonly string[]) => new Set(xs.map((x) => x.toLowerCase()));

export function registerWatchdogRoutes(router: Router, deps: WatchdogRouteDeps): void {
  registerAcknowledgeRoute(router, deps);
  router.route(
    {
      method: "get",
      path: "/v4/watchdog",
      summary: "What did not happen as planned",
      description:
        "Open conditions (missed starts, stopped chains, long runs, stale apps, jobs before Qlik that did not check in, failed or run long), those closed in the last day, and per task the next expected start (QRS's own next execution first), how each trigger is watched or why not, and the learned usual duration. In a cluster the task list comes from the Steward that holds the watchdog lease; conditions are shared.",
      tags: ["Alerts"],
      scope: "read",
      query: z.object({}),
      responses: { 200: { description: "the watchdog's view" }, 503: { description: "the watchdog is not configured" } },
    },
    async (c) => {
      const now = deps.clock.now();
      const since = now - 86_400_000;
      const [checkinOpen, checkinClosed, checkins] = await Promise.all([
        deps.checkinConditions?.open() ?? [],
        deps.checkinConditions?.recentlyClosed(since) ?? [],
        deps.checkins ? deps.checkins() : Promise.resolve([]),
      ]);
      // Without the watchdog (no qlik: or watchdog off) the check-ins are still watched: their conditions are told.
      if (!deps.watchdog || !deps.store) return c.json({ enabled: false, open: checkinOpen, recentlyClosed: checkinClosed, tasks: [], problems: [], checkins });
      const [open, closed] = await Promise.all([deps.store.openConditions(), deps.store.recentlyClosed(since)]);
      const openedAt = (e: { condition: { openedAt: string } }) => e.condition.openedAt;
      const closedAt = (e: { condition: { closedAt?: string } }) => e.condition.closedAt ?? "";
      const s = deps.watchdog.status();
      const names = new Map(s.tasks.map((t) => [t.id, t.name]));
      const openOf = (taskId: string) => open.filter((r) => r.taskId === taskId);
      const feedsOf = checkins.map((ch) => ({ name: ch.name, tasks: lower(ch.feeds.tasks), apps: lower(ch.feeds.apps) }));
      return c.json({
        enabled: true,
        ...s,
        open: [...open.map((r) => withTurnedOffNote(r, open)), ...checkinOpen].sort((a, b) => openedAt(a).localeCompare(openedAt(b))),
        recentlyClosed: [...closed.flatMap((r) => (r.closeEvent ? [r.closeEvent] : [])), ...checkinClosed].sort((a, b) =>
          closedAt(b).localeCompare(closedAt(a)),
        ),
        checkins,
        tasks: s.tasks.map((t) => ({
          id: t.id,
          name: t.name,
          appId: t.appId ?? null,
          watched: t.watched,
          // One state per task (task-state.ts): an open condition, not watched and why, its last run failed, …, on track.
          ...stateFields(taskState(t, openOf(t.id), now)),
          disabledTriggers: t.disabledTriggers ?? 0,
          // Why no start of a watched task can be expected, whatever its state says first (a failed last run).
          startsNotWatched: t.watched ? (startsNotWatched(t) ?? null) : null,
          // Never silently skipped: why the task is not watched, and each of its triggers that is not, with the reason.
          notWatchedReason: t.offReason ?? null,
          notWatched: t.notWatched ?? [],
          // Each enabled schema trigger and where its expected starts come from: Steward's reading cross-checked with
          // QRS ("arithmetic"), QRS's stated times alone ("qrs"), QRS's "never" ("qrs-never"), or none ("not-watched").
          triggers: t.triggers ?? [],
          nextExpectedAt: t.nextExpectedMs !== undefined ? new Date(t.nextExpectedMs).toISOString() : null,
          usualMs: t.usual ? Math.round(t.usual.medianMs) : null,
          limitMs: t.usual?.limitMs ?? null,
          // Why the running-long limit is what it is ("1.5 × the 90th percentile …", "only 5 runs seen", …).
          limitBasis: t.usual?.basis ?? null,
          // The same in words, with durations and what they are compared with (what the page shows).
          limitWords: t.usual ? limitInWords(t.usual) : null,
          // The app is past due but not paged now: why (a run in progress, a retry, a page that said it already).
          staleHeldBack: t.staleHeldBack ?? null,
          samples: t.usual?.samples ?? 0,
          // While the usual duration is unknown: how many successful runs it takes to learn it.
          learnsFrom: deps.minRuns ?? null,
          runningSince: t.runningSinceMs !== undefined ? new Date(t.runningSinceMs).toISOString() : null,
          lastRunAt: t.lastRunMs !== undefined ? new Date(t.lastRunMs).toISOString() : null,
          lastStatus: t.lastStatus ?? null,
          // The chain: the tasks its task-event triggers wait for, and the check-ins named upstream of it or its app.
          afterTasks: [...new Set((t.after ?? []).flatMap((a) => a.upstreamIds))].map((id) => ({ id, name: names.get(id) ?? id })),
          afterCheckins: feedsOf
            .filter((f) => f.tasks.has(t.name.toLowerCase()) || f.tasks.has(t.id) || (t.appId !== undefined && f.apps.has(t.appId)))
            .map((f) => f.name),
        })),
      });
    },
  );
}
