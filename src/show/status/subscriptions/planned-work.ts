// Planned work told ahead (issue 106): a maintenance window that will hold a promise's chain is told to the promise's
// subscribers the day before, in business words ("Sales dashboard may be late on Saturday: planned work 02:00–04:00").
// A window holds the chain when it would hold the alert of one of the chain's tasks (its nodes or its matcher, the
// task's node being the one its last run ran on, else the Qlik host, as on the watchdog's events) and that task is planned to start (Qlik's next time)
// while the window lasts, within NEXT_CYCLE_MS before the promise's next deadline (a later run is the next cycle's).
// A task started only by another's trigger has no time of its own: it is expected when its upstream tasks' planned
// runs end (their start and usual duration), so a reload that follows a 04:30 extract into a 05:00 window is held too.
import { zonedLocalToUtc } from "../../../platform/core/time-zone";
import { zonedParts } from "../../../platform/core/site-clock";
import type { DomainEvent } from "../../../platform/events/types";
import type { CompiledWindow } from "../../../tell/maintenance/windows";
import type { TaskView } from "../../../watch/watchdog/evaluate";
import { chainFeed } from "../../../watch/freshness/chain-feed";
import type { Notice } from "./store";
import type { NoticeText } from "./words";

/** A run further than this before the deadline feeds the one before it, not this one (words.ts says the same). */
const NEXT_CYCLE_MS = 12 * 3_600_000;
/** The day before, at this site hour, is when the business is told; a window made later is told at the next look. */
export const TELL_AT_HOUR = 16;

export interface PlannedWorkInput {
  windows: readonly CompiledWindow[];
  /** The promised apps, each with its "fresh by" promises' names and their next deadline after a time. */
  apps: ReadonlyArray<{
    appId: string;
    appName: string;
    stream?: string;
    tags: readonly string[];
    promises: ReadonlyArray<{ name: string; deadlineAfter(t: number): number | undefined }>;
  }>;
  /** The watchdog's view of the tasks (their next planned starts and task-event triggers). */
  tasks: readonly TaskView[];
  /** The node each task's last run ran on (a task mostly runs where it ran), for the tasks `tasksToPlace` named. */
  nodes?: ReadonlyMap<string, string>;
  /** The node a task's alert names when its node is not known: qlik.host. */
  host: string;
  zone: string;
  nowMs: number;
}

/** A told notice stays on /status until this long after its window began (its deadline is at most NEXT_CYCLE_MS after a run in it). */
const SHOWN_AFTER_START_MS = NEXT_CYCLE_MS;

/** The window's start, from the notice's key (planned|window|start|promise|app: a window's name has no "|"). */
const startOf = (key: string) => Number(key.split("|")[2]);

/** The planned-work notices /status shows now, by app id: told, and the work's deadline not long past. */
export function plannedOnPage(notices: readonly Notice[], nowMs: number): Map<string, string[]> {
  const byApp = new Map<string, string[]>();
  for (const n of notices) {
    if (!(startOf(n.key) + SHOWN_AFTER_START_MS > nowMs)) continue;
    byApp.set(n.appId, [...(byApp.get(n.appId) ?? []), n.text]);
  }
  return byApp;
}

/** When the business is told of a window starting at `startsAt`: the day before at TELL_AT_HOUR in the site's zone. */
export function tellAt(startsAt: number, zone: string): number {
  const [y, m, d] = zonedParts(startsAt, zone).date.split("-").map(Number) as [number, number, number];
  return zonedLocalToUtc(zone, Date.UTC(y, m - 1, d - 1, TELL_AT_HOUR));
}

const weekdayLong = (ms: number, zone: string) => new Intl.DateTimeFormat("en-GB", { timeZone: zone, weekday: "long" }).format(new Date(ms));

/** The alert of a task of the chain, as the window would judge it (only the facts a window's scope reads). */
function alertOf(t: TaskView, app: PlannedWorkInput["apps"][number], host: string): DomainEvent {
  return {
    kind: "task.failed",
    host,
    task: { id: t.id, name: t.name, tags: [] },
    app: { id: app.appId, name: app.appName, ...(app.stream ? { stream: app.stream } : {}), tags: [...app.tags] },
  } as unknown as DomainEvent;
}

/** A chain deeper than any real one (or a loop of triggers) is followed no further. */
const MAX_DEPTH = 20;

/**
 * When each task is next expected to start: Qlik's next time for a task with a schedule; for one started by task-event
 * triggers, when the upstream tasks of its earliest trigger (it waits for all of them) have run their usual time after
 * their own expected starts. Unknown when an upstream has no expected start.
 */
export function expectedStarts(tasks: readonly TaskView[]): Map<string, number> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const known = new Map<string, number | undefined>();
  const startOf = (t: TaskView, depth: number): number | undefined => {
    if (t.nextExpectedMs !== undefined) return t.nextExpectedMs;
    if (known.has(t.id)) return known.get(t.id);
    if (depth >= MAX_DEPTH) return undefined;
    known.set(t.id, undefined); // a loop of triggers ends here
    const viaTriggers = (t.after ?? [])
      .filter((a) => a.onSuccess && a.upstreamIds.length > 0)
      .map((a) => {
        const ends = a.upstreamIds.map((id) => {
          const u = byId.get(id);
          const start = u && startOf(u, depth + 1);
          return start === undefined ? undefined : start + (u!.usual?.medianMs ?? 0);
        });
        return ends.some((e) => e === undefined) ? undefined : Math.max(...(ends as number[]));
      })
      .filter((x): x is number => x !== undefined);
    const at = viaTriggers.length > 0 ? Math.min(...viaTriggers) : undefined;
    known.set(t.id, at);
    return at;
  };
  const out = new Map<string, number>();
  for (const t of tasks) {
    const at = startOf(t, 0);
    if (at !== undefined) out.set(t.id, at);
  }
  return out;
}

/**
 * The tasks whose node decides a notice now: those expected to start inside the next occurrence of a window that is
 * told already. Only theirs are looked up in the store, so a site of hundreds of tasks costs a few reads a look.
 */
export function tasksToPlace(i: Pick<PlannedWorkInput, "windows" | "tasks" | "zone" | "nowMs">): string[] {
  const expected = expectedStarts(i.tasks);
  const ids = new Set<string>();
  for (const w of i.windows) {
    const occ = w.nextAfter(i.nowMs);
    if (!occ || i.nowMs < tellAt(occ.startsAt, i.zone)) continue;
    for (const [id, at] of expected) if (at >= occ.startsAt && at < occ.endsAt) ids.add(id);
  }
  return [...ids];
}

/** The notices due now: one per window occurrence, promise and app; the store keeps the first of each key. */
export function plannedWorkNotices(i: PlannedWorkInput): NoticeText[] {
  const out: NoticeText[] = [];
  const expected = expectedStarts(i.tasks);
  for (const w of i.windows) {
    // The next start: a window already under way is not "ahead" any more.
    const occ = w.nextAfter(i.nowMs);
    if (!occ || i.nowMs < tellAt(occ.startsAt, i.zone)) continue;
    for (const app of i.apps) {
      const own = i.tasks.filter((t) => t.appId?.toLowerCase() === app.appId.toLowerCase());
      const upstream = new Set((chainFeed(app.appId, i.tasks, 0)?.upstream ?? []).map((u) => u.id));
      const chain = [...own, ...i.tasks.filter((t) => upstream.has(t.id))];
      const held = chain.filter((t) => {
        const at = expected.get(t.id);
        return at !== undefined && at >= occ.startsAt && at < occ.endsAt && w.covers(alertOf(t, app, i.nodes?.get(t.id) ?? i.host));
      });
      for (const p of app.promises) {
        const runs = held
          .map((t) => expected.get(t.id)!)
          .filter((r) => {
            const deadline = p.deadlineAfter(r);
            return deadline !== undefined && deadline - r <= NEXT_CYCLE_MS;
          });
        if (runs.length === 0) continue;
        const deadline = p.deadlineAfter(Math.min(...runs))!;
        const hm = (ms: number) => zonedParts(ms, i.zone).hm;
        const title = `${app.appName} may be late on ${weekdayLong(deadline, i.zone)}`;
        const reason = occ.reason ? ` (${occ.reason})` : "";
        const key = `planned|${occ.window}|${occ.startsAt}|${p.name}|${app.appId.toLowerCase()}`;
        out.push({
          key,
          lateKey: key,
          word: "planned",
          promise: p.name,
          appId: app.appId.toLowerCase(),
          appName: app.appName,
          title,
          text: `${title}: planned work ${hm(occ.startsAt)}–${hm(occ.endsAt)} ${i.zone}${reason}. It is promised by ${hm(deadline)}.`,
        });
      }
    }
  }
  return out;
}
