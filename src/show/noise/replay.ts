// A proposal's "pages it would have saved" (issue 88), computed, not estimated: the window's recorded events are run
// again, in the order they came, through the notifier's own decisions (routes, renotify, pageAfter: planEvent), once
// with the config in force and once with the proposal's change. What those decisions read of the past is worked
// out from the replay itself, not taken from the recording: whether the incident has paged yet (renotify: once pages
// the next failure of an incident nothing was told of) and the task's earlier failures a threshold counts.
import type { DomainEvent, TaskEvent } from "../../platform/events/types";
import { isTaskEvent } from "../../platform/events/types";
import type { PageAfter } from "../../tell/notify/page-after";
import { PAGE_AFTER_MAX_WINDOW_MS } from "../../tell/notify/page-after";
import type { OutboxStore } from "../../tell/notify/outbox-store";
import { planEvent, type PlanContext } from "../../tell/notify/planner";

/** One recorded event, at the time it was first told (or held). */
export interface RecordedEvent {
  at: number;
  event: DomainEvent;
}

/** A page of the replay: a route told a person of an event. */
export interface ReplayedPage {
  route: string;
  eventId: string;
  taskId?: string;
  incidentId?: number;
  /** The channels the route posted it to (a channel once, whatever its recipients). */
  channels: string[];
}

export interface ReplaySetup {
  ctx: PlanContext;
  /** Channels that record rather than tell a person (their deliveries are not pages). */
  recording: readonly string[];
  /** A threshold incidents.pageAfter would give a task the config in force gives none (the proposal's). */
  taskPageAfter?: (taskId: string) => PageAfter | undefined;
  /** Why an event pages nobody before the routes decide (a quiet window, a retry that would heal it), else undefined. */
  heldBy?: (event: DomainEvent, at: number) => string | undefined;
  /** The rate limits the replay keeps in memory (a config rehearsal): the live outbox is never read or written. */
  limits?: ReplayLimits;
}

/** What the planner asks the outbox of rate limits, answered from the replay's own sends. */
export interface ReplayLimits {
  outbox: Pick<OutboxStore, "existingKeys" | "rateLimitedUntil">;
  sent(limit: { key: string; windowMs: number }, at: number): void;
}

const FAILURES = new Set(["task.failed", "task.aborted"]);
const runAt = (e: TaskEvent, at: number) => {
  const stop = Date.parse(e.execution?.stopTime ?? "");
  return Number.isFinite(stop) ? stop : at;
};

/** The pages the recorded events make under `setup`, in the order they came. */
export async function replayPages(recorded: readonly RecordedEvent[], setup: ReplaySetup): Promise<ReplayedPage[]> {
  const pages: ReplayedPage[] = [];
  const pagedIncidents = new Set<number>();
  const failuresOf = new Map<string, number[]>();
  const recording = new Set(setup.recording);
  const ordered = [...recorded].sort((a, b) => a.at - b.at);
  for (const { at, event } of ordered) {
    const e = isTaskEvent(event) ? replayed(event, at, pagedIncidents, failuresOf, setup) : event;
    const plan = await planEvent(setup.ctx, e, setup.limits?.outbox as OutboxStore | undefined, at);
    const told = new Map<string, Set<string>>();
    const held = setup.heldBy?.(e, at) !== undefined;
    for (const d of plan.deliveries) {
      if (held || (d.action !== "send" && d.action !== "group")) continue;
      if (d.rateLimit) setup.limits?.sent(d.rateLimit, at);
      if (!recording.has(d.channel)) told.set(d.route, (told.get(d.route) ?? new Set()).add(d.channel));
    }
    const task = isTaskEvent(e) ? e : undefined;
    for (const [route, channels] of told) {
      pages.push({
        route,
        channels: [...channels],
        eventId: e.id,
        ...(task ? { taskId: task.task.id.toLowerCase() } : {}),
        ...(task?.incident ? { incidentId: task.incident.id } : {}),
      });
    }
    if (told.size > 0 && task?.incident) pagedIncidents.add(task.incident.id);
    if (task && FAILURES.has(task.kind)) {
      const id = task.task.id.toLowerCase();
      failuresOf.set(id, [...(failuresOf.get(id) ?? []), runAt(task, at)]);
    }
  }
  return pages;
}

/** The event as the decisions would have seen it in the replay: its incident paged or not, its task's earlier failures. */
function replayed(e: TaskEvent, at: number, paged: ReadonlySet<number>, failuresOf: ReadonlyMap<string, number[]>, setup: ReplaySetup): TaskEvent {
  const id = e.task.id.toLowerCase();
  const pageAfter = e.pageAfter ?? setup.taskPageAfter?.(id);
  const run = runAt(e, at);
  // The failures the recording names (before the window, too) and the replay's own, each once.
  const recordedTimes = (e.history?.recentFailures ?? []).map(Date.parse).filter(Number.isFinite);
  const earlier = [...new Set([...recordedTimes, ...(failuresOf.get(id) ?? [])])]
    .filter((t) => t > run - PAGE_AFTER_MAX_WINDOW_MS && t < run)
    .sort((a, b) => a - b);
  return {
    ...e,
    ...(pageAfter ? { pageAfter } : {}),
    history: { ...(e.history ?? {}), recentFailures: earlier.map((t) => new Date(t).toISOString()) } as TaskEvent["history"],
    ...(e.incident ? { incident: { ...e.incident, paged: paged.has(e.incident.id) } } : {}),
  };
}
