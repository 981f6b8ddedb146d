// Each proposal's effect, replayed (replay.ts): the window's recorded events through the decisions of the config in
// force and of the config with the change, and what differs: the pages saved (in all and per channel), the source's
// pages before and after, and the incidents that paged on a route before and would page there no more. A proposal that would
// leave a fault unpaged on any route that paged it (an incident someone acknowledged, snoozed, retried or fixed by
// hand, one still open, or one that failed again before it recovered) is withdrawn: the report proposes nothing that
// hides a fault from anyone it reached. Nor one that, replayed, saves no page.
import { parseDuration } from "../../platform/core/duration";
import type { NotifierConfig, RouteConfig } from "../../tell/notify/config";
import type { PageAfter } from "../../tell/notify/page-after";
import { planContextFor } from "../../tell/notify/preview";
import { type RecordedEvent, type ReplayedPage, type ReplaySetup, replayPages } from "./replay";
import type { NoiseIncident, Proposal, ProposalReplay } from "./types";

/** The replay's setup with the proposal's change, or undefined for a change the notifier's decisions do not make. */
export function changedSetup(config: NotifierConfig, recording: readonly string[], p: Proposal): ReplaySetup | undefined {
  const e = p.edit;
  if (!e) return undefined;
  const [top, index, key] = e.path;
  if (top === "routes" && e.op === "set" && typeof index === "number" && (key === "renotify" || key === "pageAfter")) {
    const route = config.routes[index];
    if (!route) return undefined;
    let value: RouteConfig[typeof key];
    if (key === "pageAfter") {
      const v = e.value as { failures: number; within: string };
      const within = parseDuration(v.within);
      if (within === undefined) return undefined;
      value = { failures: v.failures, within };
    } else value = e.value as RouteConfig["renotify"];
    const routes = config.routes.map((r, i) => (i === index ? { ...r, [key]: value } : r));
    return { ctx: planContextFor({ ...config, routes }), recording };
  }
  if (top === "incidents" && index === "pageAfter" && e.op === "append") {
    const v = e.value as { taskIds?: string[]; failures: number; within: string };
    const withinMs = parseDuration(v.within);
    if (withinMs === undefined || !v.taskIds) return undefined;
    const ids = new Set(v.taskIds.map((id) => id.toLowerCase()));
    const threshold: PageAfter = { failures: v.failures, withinMs, from: "incidents.pageAfter (proposed)" };
    return { ctx: planContextFor(config), recording, taskPageAfter: (id) => (ids.has(id) ? threshold : undefined) };
  }
  return undefined;
}

/** The pages of one source in a replay: a task's events (each once, whatever its routes), or a route's pages. */
function sourcePages(pages: readonly ReplayedPage[], p: Proposal, taskId: string | undefined): number {
  if (p.about.startsWith("route ")) return pages.filter((x) => x.route === p.about.slice("route ".length)).length;
  return new Set(pages.filter((x) => x.taskId === taskId).map((x) => x.eventId)).size;
}

/** Failed more than once before it recovered, acknowledged, acted on (snoozed, retried, started by hand), or still open: someone had to act. */
export function isFault(id: number, incidents: ReadonlyMap<number, NoiseIncident>, failures: ReadonlyMap<number, number>): boolean {
  return faultReason(id, incidents, failures) !== undefined;
}

/** Why an incident was a fault someone had to act on, in words; undefined when it ended by itself with nobody acting. */
export function faultReason(id: number, incidents: ReadonlyMap<number, NoiseIncident>, failures: ReadonlyMap<number, number>): string | undefined {
  const inc = incidents.get(id);
  if (!inc) return "its incident is no longer kept, so it counts as a fault";
  if (inc.acknowledgedAt !== null) return "acknowledged";
  if (inc.actedOn !== undefined) return inc.actedOn;
  if (inc.closedAt === null) return "still open";
  const n = failures.get(id) ?? 1;
  return n > 1 ? `failed ${n} times before it recovered` : undefined;
}

/** Each incident a route paged, as route and incident: the replay is judged per route, never across them. */
function pagedPerRoute(pages: readonly ReplayedPage[]): Map<string, { route: string; incidentId: number }> {
  const out = new Map<string, { route: string; incidentId: number }>();
  for (const x of pages) if (x.incidentId !== undefined) out.set(`${x.route}\u0000${x.incidentId}`, { route: x.route, incidentId: x.incidentId });
  return out;
}

/** Posts per channel: each route's delivery of an event to a channel. */
function postsPerChannel(pages: readonly ReplayedPage[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of pages) for (const c of x.channels) out.set(c, (out.get(c) ?? 0) + 1);
  return out;
}

function savedPerChannel(before: readonly ReplayedPage[], after: readonly ReplayedPage[]): ProposalReplay["savedByChannel"] {
  const a = postsPerChannel(after);
  return [...postsPerChannel(before)]
    .map(([channel, n]) => ({ channel, saved: n - (a.get(channel) ?? 0) }))
    .filter((x) => x.saved > 0)
    .sort((x, y) => y.saved - x.saved || x.channel.localeCompare(y.channel));
}

export interface ReplayInput {
  config: NotifierConfig;
  recording: readonly string[];
  recorded: readonly RecordedEvent[];
  incidents: ReadonlyMap<number, NoiseIncident>;
  /** A task source's id by the proposal's `about`. */
  taskIdOf(p: Proposal): string | undefined;
}

/** The proposals with their replay; those whose change would leave a fault unpaged are dropped. */
export async function withReplay(proposals: readonly Proposal[], input: ReplayInput): Promise<Proposal[]> {
  if (proposals.length === 0) return [];
  const before = await replayPages(input.recorded, { ctx: planContextFor(input.config), recording: input.recording });
  const pagedBefore = pagedPerRoute(before);
  const failures = new Map<number, number>();
  for (const { event } of input.recorded) {
    const inc = (event as { incident?: { id: number; failures: number } }).incident;
    if (inc) failures.set(inc.id, Math.max(failures.get(inc.id) ?? 0, inc.failures));
  }
  const out: Proposal[] = [];
  for (const p of proposals) {
    const setup = changedSetup(input.config, input.recording, p);
    if (!setup) {
      // A window, a promise or a trigger acts before the routes decide (or outside Steward): not replayed, and said so.
      out.push({ ...p, why: `${p.why} Not replayed: this change acts outside the routes' decisions, so its pages saved are not computed.` });
      continue;
    }
    const after = await replayPages(input.recorded, setup);
    // Per route: a fault the on-call route paged and would page no more is hidden from the person on duty there,
    // whatever another route (a shared mailbox, a chat) still posts.
    const pagedAfter = pagedPerRoute(after);
    const lost = [...pagedBefore].flatMap(([key, x]) => (pagedAfter.has(key) ? [] : [x]));
    const unpaged = [...new Set(lost.map((x) => x.incidentId))];
    const faults = unpaged.filter((id) => isFault(id, input.incidents, failures));
    // A change that would hide a fault is not proposed; nor one that would save nothing (the config in force already
    // holds those pages, say a route's pageAfter applied since they were sent).
    if (faults.length > 0 || after.length >= before.length) continue;
    const taskId = input.taskIdOf(p);
    const replay: ProposalReplay = {
      pagesBefore: before.length,
      pagesAfter: after.length,
      saved: before.length - after.length,
      sourceBefore: sourcePages(before, p, taskId),
      sourceAfter: sourcePages(after, p, taskId),
      incidentsUnpaged: unpaged.length,
      savedByChannel: savedPerChannel(before, after),
    };
    out.push({ ...p, replay, why: `${p.why} ${replayWords(replay)}` });
  }
  return out;
}

/** "12 posts on ops-teams, 3 on ops-mail" */
export function channelWords(saved: ProposalReplay["savedByChannel"]): string {
  if (saved.length === 0) return "no post on any channel";
  return saved.map((x, i) => `${x.saved}${i === 0 ? ` post${x.saved === 1 ? "" : "s"}` : ""} on ${x.channel}`).join(", ");
}

export function replayWords(r: ProposalReplay): string {
  const incidents =
    r.incidentsUnpaged === 0
      ? "every incident still pages on every route that paged it"
      : `${r.incidentsUnpaged} incident${r.incidentsUnpaged === 1 ? "" : "s"} that ended by ${r.incidentsUnpaged === 1 ? "itself" : "themselves"} with nobody acting would not have paged; every other still pages on every route that paged it`;
  return `Replayed over the window with the change: ${r.saved} of ${r.pagesBefore} pages saved (this source ${r.sourceBefore} → ${r.sourceAfter}), saving ${channelWords(r.savedByChannel)}; ${incidents}.`;
}
