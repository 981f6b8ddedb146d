// The config changes the noise report proposes for its noisiest sources, each as a YAML fragment, the path it applies
// to and the edit that writes it (config-edit.ts). Steward never applies one by itself: an administrator reviews
// it (`steward config propose`) and applies it (`steward config apply-proposal`, or the dashboard's button).
import { createHash } from "node:crypto";
import { Document } from "yaml";
import { globMatch } from "../../platform/core/glob";
import { type NodeLoad, triggerProposal } from "./busy-hours";
import { quoteAmbiguous } from "./config-edit";
import type { ConfigEdit, NoiseReport, NoiseRoute, NoisySource, Proposal } from "./types";

/** What the proposals need to know of the config in force. */
export interface ProposalContext {
  /** `named`: the file gives the name (else it is route-<n>). */
  /** `renotifyEvery`: an open incident pages again at further failures (renotify every, { nth } or { digest }). */
  routes: ReadonlyArray<{ name: string; index: number; on: readonly string[]; pageAfter: boolean; named?: boolean; renotifyEvery?: boolean }>;
  /** Task names (globs as written) incidents.pageAfter already names. */
  pageAfterTasks: readonly string[];
  /** Task ids (lower case) incidents.pageAfter already names. */
  pageAfterTaskIds: readonly string[];
  maintenanceWindows: readonly string[];
  freshnessPromises: readonly string[];
  /** Each node's load per hour of the day, when the watchdog counts it. */
  nodeLoad?: NodeLoad;
}

/** The windows a proposal may choose (as the config writes them), shortest first. */
const WINDOWS: ReadonlyArray<[string, number]> = [
  ["10m", 10 * 60_000],
  ["30m", 30 * 60_000],
  ["1h", 3_600_000],
  ["2h", 2 * 3_600_000],
  ["4h", 4 * 3_600_000],
  ["6h", 6 * 3_600_000],
  ["12h", 12 * 3_600_000],
  ["1d", 86_400_000],
];

/**
 * The threshold proposed: the first failure of a task that works at its next run is held, a second one pages. The
 * window is at most half the shortest time between two of the source's pages, so the failures of two incidents that
 * each ended by themselves do not add up to a page; undefined when they came too close for any window.
 */
export function pageAfterFor(minGapMs: number | null): { failures: 2; within: string } | undefined {
  if (minGapMs === null) return { failures: 2, within: "1d" };
  const fit = WINDOWS.filter(([, ms]) => ms <= minGapMs / 2).at(-1);
  return fit ? { failures: 2, within: fit[0] } : undefined;
}
/**
 * Days of kept deliveries a report needs before it proposes anything: a night's or an hour's pages say nothing about
 * what recurs (the demo proposed a trigger move from 3 minutes of data). Two days hold two nights of a nightly task.
 */
export const MIN_HISTORY_DAYS = 2;
/** A task pages on this many days of the window before a change for it alone is proposed: noise recurs. */
const MIN_TASK_DAYS = 2;
/** A source pages this often in the window before a proposal is made for it. */
const MIN_PAGES = { route: 3, task: 2, window: 3 } as const;
/**
 * Tasks (or apps) whose pages on a route ended with nobody acting, before a threshold for the whole route is proposed:
 * one task's noise is that task's (its own incidents.pageAfter), and a route-wide rule from it would hold the first
 * failure of every other task the route pages.
 */
const MIN_ROUTE_SOURCES = 2;
/** Share of its pages that ended with nobody acting: above it, a source is noise rather than work. */
const ALONE_SHARE = 0.5;
/** Share of a source's pages that fall in one two-hour band of the day for a quiet window. */
const CLUSTER_SHARE = 0.75;
const FAILURE_KINDS = ["task.failed", "task.aborted"];

export const slug = (s: string): string =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40) || "x";

const pct = (n: number, of: number) => `${Math.round((100 * n) / Math.max(of, 1))} %`;

/** The path as a person reads it: routes[0].pageAfter. */
export const pathText = (path: ReadonlyArray<string | number>): string =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

/** The change as YAML at the top level of the file (a list index becomes a comment naming it). */
export function fragmentOf(edit: ConfigEdit): string {
  const value = edit.op === "append" ? [edit.value] : edit.value;
  const lastIndex = edit.path.findLastIndex((p) => typeof p === "number");
  if (lastIndex < 0) {
    const nested = edit.path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
    return yamlText(nested);
  }
  const rest = edit.path.slice(lastIndex + 1);
  const nested = rest.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
  return `# in ${pathText(edit.path.slice(0, lastIndex + 1))}\n${yamlText(nested)}`;
}

/** Block YAML, with the strings another YAML reader would take for something else quoted ("02:00"). */
function yamlText(value: unknown): string {
  const doc = new Document(value);
  quoteAmbiguous(doc);
  return doc.toString({ flowCollectionPadding: true }).trimEnd();
}

/**
 * A proposal's id: what it is about as a person reads it, then 8 hex digits of a hash of the exact source (a task's
 * id, a route's name) and of the change itself. Two tasks whose names slug alike get two ids, and an id names one
 * change: when the numbers move and the change proposed for a source becomes another one, its id changes too, so
 * applying an id writes exactly the change that was reviewed under it (or answers 404), never a newer one.
 */
export function proposalId(prefix: string, readable: string, source: string, change: unknown): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([prefix, source, change]))
    .digest("hex")
    .slice(0, 8);
  return `${prefix}-${slug(readable)}-${hash}`;
}

/**
 * Four hexadecimal digits of the source's task id: the names a proposal gives (a promise, a window) differ for two
 * tasks whose names read alike, so one's window is never taken for the other's.
 */
const sourceTag = (s: NoisySource): string =>
  createHash("sha256")
    .update(s.taskId ?? s.name)
    .digest("hex")
    .slice(0, 4);

function make(p: Omit<Proposal, "yaml" | "path" | "id"> & { edit: ConfigEdit; prefix: string; source: string }): Proposal {
  const { prefix, source, ...rest } = p;
  return {
    ...rest,
    id: proposalId(prefix, rest.about.replace(/^(task|route) /, ""), source, rest.edit),
    path: pathText(p.edit.path),
    yaml: fragmentOf(p.edit),
  };
}

/**
 * Most of its pages are repeats of incidents it had already paged: a failure that lasts, not a flaky one. Holding
 * failures (pageAfter) or its hours (a quiet window) would then hide the lasting failure; paging each incident once
 * is the change.
 */
const mostlyRepeats = (n: { pages: number; repeats: number }) => n.repeats >= 2 && n.repeats / n.pages >= ALONE_SHARE;

function renotifyProposal(r: NoiseRoute, ctx: ProposalContext): Proposal | undefined {
  const route = ctx.routes.find((x) => x.name === r.name);
  if (!route?.renotifyEvery || r.pages < MIN_PAGES.route || !mostlyRepeats(r)) return undefined;
  return make({
    prefix: "renotify-once-route",
    source: r.name,
    kind: "renotify-once",
    about: `route ${r.name}`,
    title: `Route ${r.name}: page an incident once, not at each further failure`,
    why: `${r.pages} pages, ${r.repeats} of them about an incident the route had already paged. With renotify: once its further failures update the incident (dashboard, digest, assistant), and it pages again after it recovered or at its escalation.`,
    edit: {
      op: "set",
      path: ["routes", route.index, "renotify"],
      value: "once",
      guard: { path: ["routes", route.index, "name"], value: route.named ? route.name : undefined },
    },
    live: true,
  });
}

function routeProposal(r: NoiseRoute, ctx: ProposalContext): Proposal | undefined {
  const route = ctx.routes.find((x) => x.name === r.name);
  if (!route || route.pageAfter || r.pages < MIN_PAGES.route || r.recoveredAlone / r.pages < ALONE_SHARE) return undefined;
  if (mostlyRepeats(r) || r.noisySources < MIN_ROUTE_SOURCES) return undefined;
  if (!route.on.some((k) => FAILURE_KINDS.includes(k))) return undefined;
  const threshold = pageAfterFor(r.minGapMs);
  if (!threshold) return undefined;
  return make({
    prefix: "page-after-route",
    source: r.name,
    kind: "page-after",
    about: `route ${r.name}`,
    title: `Route ${r.name}: page a task after ${threshold.failures} failures within ${threshold.within}`,
    why: `${r.pages} pages from ${r.noisySources} tasks, ${pct(r.recoveredAlone, r.pages)} of them ended with nobody acting. A failure the next run fixes would be held (recorded, listed in the page if a second one comes).`,
    edit: {
      op: "set",
      path: ["routes", route.index, "pageAfter"],
      value: threshold,
      guard: { path: ["routes", route.index, "name"], value: route.named ? route.name : undefined },
    },
    live: true,
  });
}

/**
 * Noise by the report's own measure: most of its pages ended with nobody acting (the incident closed by itself), and
 * they were not repeats of one incident that lasted. A fault paged once per cause is never noise.
 */
const isNoise = (s: NoisySource) => s.recoveredAlone / s.pages >= ALONE_SHARE && !mostlyRepeats(s);

const isFailureSource = (s: NoisySource) => s.taskId !== undefined && s.kinds.some((k) => FAILURE_KINDS.includes(k));

function taskProposal(s: NoisySource, ctx: ProposalContext): Proposal | undefined {
  if (!isFailureSource(s) || s.pages < MIN_PAGES.task || s.days < MIN_TASK_DAYS || !isNoise(s)) return undefined;
  // A rule already names it (the first rule that matches a task wins, so one more after it would change nothing).
  if (ctx.pageAfterTaskIds.includes(s.taskId!.toLowerCase()) || ctx.pageAfterTasks.some((g) => globMatch(g, s.name))) return undefined;
  const threshold = pageAfterFor(s.minGapMs);
  if (!threshold) return undefined;
  return make({
    prefix: "page-after-task",
    source: s.taskId!,
    kind: "page-after",
    about: `task ${s.name}`,
    title: `${s.name}: page after ${threshold.failures} failures within ${threshold.within}`,
    why: `${s.pages} pages, ${pct(s.recoveredAlone, s.pages)} recovered by themselves with nobody acting${s.recoveredByRetry ? `; ${s.recoveredByRetry} more runs recovered by the Scheduler's retry` : ""}.`,
    // By the task's id, never its name: taskNames are globs (* matches anything, and there is no escape), so a task
    // named "Reload *" would hold the first failure of every task whose name starts with "Reload ".
    edit: { op: "append", path: ["incidents", "pageAfter"], value: { taskIds: [s.taskId!], ...threshold } },
    live: false,
  });
}

/**
 * A quiet window or a promise acts before the routes decide, so the replay cannot check it: a source with a page
 * someone acted on (a fault of the window) gets neither, as the replay would withdraw a change that hid it.
 */
const someoneActed = (s: NoisySource) => s.actedOn > 0;

function promiseProposal(s: NoisySource, ctx: ProposalContext, zone: string): Proposal | undefined {
  // Two causes or more, each counted once whatever the routes, and noise: a chain that broke and mended itself.
  if (s.chainPages < 2 || s.apps.length === 0 || s.days < MIN_TASK_DAYS || !isNoise(s) || someoneActed(s)) return undefined;
  const name = `noise-${slug(s.name).slice(0, 52)}-${sourceTag(s)}`;
  if (ctx.freshnessPromises.includes(name)) return undefined;
  const latest = Math.max(...s.hours);
  const freshBy = `${String((latest + 1) % 24).padStart(2, "0")}:00`;
  return make({
    prefix: "freshness-promise",
    source: s.taskId ?? s.name,
    kind: "freshness-promise",
    about: `task ${s.name}`,
    title: `A freshness promise for ${s.apps.slice(0, 3).join(", ")} instead of per-task pages`,
    why: `${s.chainPages} of its ${s.pages} pages came as part of a chain's cause. A promise pages once, when the data is late, whichever task of the chain stopped it; the chain's tasks can then leave the paging route.`,
    edit: { op: "set", path: ["freshness", "promises", name], value: { appNames: s.apps.slice(0, 20), freshBy, timeZone: zone } },
    live: false,
  });
}

/** The two-hour band of the day most of the source's pages fall in, when most do. */
function clusteredBand(hours: readonly number[]): number | undefined {
  let best: { start: number; n: number } | undefined;
  // A band starts at an hour with pages: one starting the hour before could only hold fewer.
  for (const start of [...new Set(hours)].sort((a, b) => a - b)) {
    const n = hours.filter((h) => h === start || h === (start + 1) % 24).length;
    if (!best || n > best.n) best = { start, n };
  }
  return best && best.n / hours.length >= CLUSTER_SHARE ? best.start : undefined;
}

function windowProposal(s: NoisySource, ctx: ProposalContext, zone: string): Proposal | undefined {
  if (!s.taskId || s.pages < MIN_PAGES.window || s.days < 3 || someoneActed(s) || !isNoise(s)) return undefined;
  const start = clusteredBand(s.hours);
  if (start === undefined) return undefined;
  const name = `${`quiet ${s.name}`
    .replace(/[^A-Za-z0-9 ._-]+/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 58)} ${sourceTag(s)}`;
  if (ctx.maintenanceWindows.some((w) => w.toLowerCase() === name.toLowerCase())) return undefined;
  const hh = String(start).padStart(2, "0");
  return make({
    prefix: "quiet-window",
    source: s.taskId!,
    kind: "quiet-window",
    about: `task ${s.name}`,
    title: `${s.name}: a quiet window ${hh}:00–${String((start + 2) % 24).padStart(2, "0")}:00 every day`,
    why: `${s.pages} pages on ${s.days} days, most between ${hh}:00 and ${String((start + 2) % 24).padStart(2, "0")}:00, and nobody acted on any of them. Alerts in the window are held and summed up at its end; what still fails then is sent.`,
    edit: {
      op: "append",
      path: ["maintenance", "windows"],
      value: {
        name,
        reason: "proposed by the noise report",
        rrule: `FREQ=DAILY;BYHOUR=${start};BYMINUTE=0`,
        duration: "2h",
        timeZone: zone,
        // The task's id: a name is a glob here too (silences' taskNames), and a source without a task has no name to hold.
        matcher: { taskIds: [s.taskId!] },
      },
    },
    live: false,
  });
}

/** The proposals for a measured report, noisiest first; one per source and kind of change. */
export function proposeChanges(report: Omit<NoiseReport, "proposals">, ctx: ProposalContext): Proposal[] {
  const out: Proposal[] = [];
  if (report.historyDays < MIN_HISTORY_DAYS) return out;
  for (const r of report.routes) for (const p of [renotifyProposal(r, ctx), routeProposal(r, ctx)]) if (p) out.push(p);
  for (const s of report.tasks) {
    const move = triggerProposal(s, ctx.nodeLoad, (change) => proposalId("move-trigger", s.name, s.taskId ?? s.name, change));
    for (const p of [taskProposal(s, ctx), promiseProposal(s, ctx, report.zone), windowProposal(s, ctx, report.zone), move]) if (p) out.push(p);
  }
  return out;
}
