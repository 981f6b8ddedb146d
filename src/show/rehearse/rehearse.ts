// The rehearsal itself (issue 105): the window's recorded events run, in the order they came, through the config in
// force and through the new one, each with its routes, renotify, pageAfter and rate limits (the notifier's own
// planEvent, rate limits kept in memory), its quiet windows (maintenance.windows) and its retry rules with their
// budgets (a failure that recovered before its retry was due pages nobody), and the watch's thresholds the two configs
// set differently (a promise's deadline or warnAt, the queue's backlog threshold) judged again on the recorded runs
// (rejudge.ts). Nothing is read from or written to the live outbox here.
import type { DomainEvent } from "../../platform/events/types";
import { isTaskEvent } from "../../platform/events/types";
import type { RemediationConfig } from "../../start/remediation/config";
import type { MaintenanceWindowConfig } from "../../tell/maintenance/config";
import { compileWindows, coveringOccurrences } from "../../tell/maintenance/windows";
import { spanText } from "../../tell/notify/time-format";
import type { NotifierConfig } from "../../tell/notify/config";
import { NOT_PAGES } from "../../tell/notify/page-log";
import { planContextFor } from "../../tell/notify/preview";
import { type RecordedEvent, type ReplayedPage, type ReplayLimits, replayPages } from "../noise/replay";
import { faultReason } from "../noise/replay-proposal";
import type { NoiseIncident } from "../noise/types";
import { type RecordedRuns, rejudgeHistory, type ThresholdLabel, thresholdChanges, unjudgedPromises, type WatchThresholds } from "./rejudge";
import type { RehearsedChains } from "./queue-rules";
import { rehearseRules, type RuleRehearsal } from "./remediation";
import { type ThresholdSide, thresholdPages, unpagedThresholds } from "./threshold-pages";
import type { ChannelPages, Rehearsal, UnpagedFault } from "./types";

/** What of a config the rehearsal runs. */
export interface RehearsedConfig {
  notifier: NotifierConfig;
  windows: readonly MaintenanceWindowConfig[];
  remediation?: Pick<RemediationConfig, "rules" | "budget">;
  /** Channels that record rather than tell a person. */
  recording: readonly string[];
  /** The promises and the backlog threshold, judged again on the recorded runs where the two configs differ. */
  watch?: WatchThresholds;
}

export interface RehearseInput {
  from: number;
  to: number;
  current: RehearsedConfig;
  next: RehearsedConfig;
  recorded: readonly RecordedEvent[];
  incidents: ReadonlyMap<number, NoiseIncident>;
  /** The site's chains (the watchdog's plan kept in the store): a re-run's chain runs the cancelled tasks after it. */
  chains?: RehearsedChains;
  /**
   * Set when the events no route took reach back less far than the routed history: when the oldest kept was judged,
   * null when none is kept.
   */
  unroutedFrom?: number | null;
  /** The window's recorded runs, given when a threshold differs (the watch's events are then judged again on them). */
  runs?: RecordedRuns;
}

/** Kinds that page nobody: replayed for what they tell the rules (a queue's drain), never counted as a page. */
const NOT_PAGE_KINDS = new Set(NOT_PAGES);

interface Run {
  pages: ReplayedPage[];
  rules: RuleRehearsal;
  held: Map<string, number>;
  /** The re-judged events that page, by id, and when each came. */
  labels: ReadonlyMap<string, ThresholdLabel>;
  at: Map<string, number>;
}

/** Rate limits answered from the replay's own sends, never from the store. */
function memoryLimits(): ReplayLimits {
  const until = new Map<string, number>();
  return {
    outbox: {
      existingKeys: async () => new Set<string>(),
      rateLimitedUntil: async (key, now) => {
        const u = until.get(key);
        return u !== undefined && u > now ? u : undefined;
      },
    },
    sent: (limit, at) => void until.set(limit.key, at + limit.windowMs),
  };
}

/** The config's own history: the events of the thresholds it sets differently judged again with its thresholds. */
function historyOf(c: RehearsedConfig, input: RehearseInput): { recorded: readonly RecordedEvent[]; labels: ReadonlyMap<string, ThresholdLabel> } {
  if (!input.runs || !input.current.watch || !input.next.watch || !c.watch) return { recorded: input.recorded, labels: new Map() };
  const changes = thresholdChanges(input.current.watch, input.next.watch);
  return rejudgeHistory(c.watch, changes, input.recorded, input.runs, { from: input.from, to: input.to });
}

async function run(c: RehearsedConfig, input: RehearseInput): Promise<Run> {
  const windows = compileWindows(c.windows);
  const quietAt = (e: DomainEvent, at: number) => {
    const o = coveringOccurrences(windows, e, at)[0];
    return o ? `maintenance window ${o.window}` : undefined;
  };
  const rules = rehearseRules(c.remediation, input.recorded, input.incidents, quietAt, input.chains);
  const held = new Map<string, number>();
  const heldBy = (e: DomainEvent, at: number) => {
    const why = quietAt(e, at) ?? (rules.held.has(e.id) ? "a retry rule (recovered before the retry was due)" : undefined);
    if (why) held.set(why, (held.get(why) ?? 0) + 1);
    return why;
  };
  const history = historyOf(c, input);
  const paging = history.recorded.filter((r) => !NOT_PAGE_KINDS.has(r.event.kind));
  const pages = await replayPages(paging, { ctx: planContextFor(c.notifier), recording: c.recording, heldBy, limits: memoryLimits() });
  const at = new Map(paging.filter((r) => history.labels.has(r.event.id)).map((r) => [r.event.id, r.at]));
  return { pages, rules, held, labels: history.labels, at };
}

function perChannel(pages: readonly ReplayedPage[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of pages) for (const ch of p.channels) out.set(`${p.route}\u0000${ch}`, (out.get(`${p.route}\u0000${ch}`) ?? 0) + 1);
  return out;
}

function channelRows(current: readonly ReplayedPage[], next: readonly ReplayedPage[]): ChannelPages[] {
  const a = perChannel(current);
  const b = perChannel(next);
  return [...new Set([...a.keys(), ...b.keys()])]
    .map((key) => {
      const [route, channel] = key.split("\u0000") as [string, string];
      return { route, channel, current: a.get(key) ?? 0, rehearsed: b.get(key) ?? 0 };
    })
    .sort(
      (x, y) => Math.abs(y.rehearsed - y.current) - Math.abs(x.rehearsed - x.current) || x.route.localeCompare(y.route) || x.channel.localeCompare(y.channel),
    );
}

/** Faults a route paged under the config in force and would not page under the new one: per route, never across. */
function unpaged(input: RehearseInput, current: readonly ReplayedPage[], next: readonly ReplayedPage[]): UnpagedFault[] {
  const failures = new Map<number, number>();
  const at = new Map<string, RecordedEvent>();
  for (const r of input.recorded) {
    at.set(r.event.id, r);
    const inc = isTaskEvent(r.event) ? r.event.incident : undefined;
    if (inc) failures.set(inc.id, Math.max(failures.get(inc.id) ?? 0, inc.failures));
  }
  const pagedNext = new Set(next.flatMap((p) => (p.incidentId === undefined ? [] : [`${p.route}\u0000${p.incidentId}`])));
  const out = new Map<string, UnpagedFault>();
  for (const p of current) {
    if (p.incidentId === undefined) continue;
    const key = `${p.route}\u0000${p.incidentId}`;
    if (pagedNext.has(key) || out.has(key)) continue;
    const why = faultReason(p.incidentId, input.incidents, failures);
    if (!why) continue;
    const rec = at.get(p.eventId);
    const task = rec && isTaskEvent(rec.event) ? rec.event.task : undefined;
    out.set(key, {
      incidentId: p.incidentId,
      taskName: task?.name ?? p.taskId ?? "?",
      route: p.route,
      firstPagedAt: new Date(rec?.at ?? input.from).toISOString(),
      why,
    });
  }
  return [...out.values()];
}

/** Up to three names, then how many more. */
const namesOf = (names: readonly string[]) => (names.length <= 3 ? names.join(", ") : `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`);

function side(c: RehearsedConfig, r: Run): ThresholdSide {
  const backlog = c.watch?.backlog;
  return {
    pages: r.pages,
    labels: r.labels,
    freshBy: (name) => c.watch?.promises[name],
    backlog: !backlog?.enabled ? "off" : spanText(backlog.backlogAfterMs),
    ...(c.watch?.ownPromises ? { ownPromises: c.watch.ownPromises } : {}),
  };
}

export async function rehearse(input: RehearseInput): Promise<Rehearsal> {
  const current = await run(input.current, input);
  const next = await run(input.next, input);
  const a = side(input.current, current);
  const b = side(input.next, next);
  const at = (id: string) => current.at.get(id) ?? next.at.get(id) ?? input.from;
  const notes: string[] = [];
  const queueRules = (input.next.remediation?.rules ?? []).some((r) => (r.errorClasses as readonly string[]).includes("queue"));
  if (queueRules && !input.recorded.some((r) => r.event.kind === "task.on_track"))
    notes.push(
      "No route recorded a queue's drain (task.on_track): the [queue] rules' re-runs are placed at the cancelled runs' times, not at the drain. Route task.on_track to a recording channel to rehearse them at the drain.",
    );
  const unjudged = input.current.watch && input.next.watch ? unjudgedPromises(input.recorded, input.current.watch, input.next.watch) : [];
  if (unjudged.length > 0)
    notes.push(
      `Promises neither config file holds are not judged again: their recorded freshness events stand for both configs (${namesOf(unjudged)}). A promise an app sets in its custom property (StewardFreshBy) is read from QRS live and not kept in the store.`,
    );
  if (input.unroutedFrom !== undefined)
    notes.push(
      input.unroutedFrom === null
        ? "No Steward has kept the events no route took yet (they are kept from the first start of the version that keeps them): a new route on events the config in force routes nowhere sees none of them here."
        : `Events no route took are kept from ${new Date(input.unroutedFrom).toISOString()} on (since the upgrade that keeps them, or the oldest past notify.outbox.unroutedMaxBytes were deleted): a new route sees none of the earlier ones.`,
    );
  return {
    from: new Date(input.from).toISOString(),
    to: new Date(input.to).toISOString(),
    events: input.recorded.length,
    pages: { current: current.pages.length, rehearsed: next.pages.length },
    channels: channelRows(current.pages, next.pages),
    held: [...next.held].map(([why, events]) => ({ why, events })).sort((a, b) => b.events - a.events),
    remediation: { current: current.rules.starts, rehearsed: next.rules.starts, refused: next.rules.refused, notNeeded: next.rules.notNeeded },
    thresholds: thresholdPages(a, b, at),
    unpagedFaults: [...unpaged(input, current.pages, next.pages), ...unpagedThresholds(a, b, at)],
    notes,
  };
}
