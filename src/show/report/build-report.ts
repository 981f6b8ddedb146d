// Builds a report event from what the stores say about a span of time: the runs and their failures by cause, what
// is still open, what did not happen or is late, the promises at risk, the slowest and the fastest-growing reloads;
// the weekly one adds the success rate per stream. Pure: the service gathers, this words it.
import type { ReportSection, SiteEvent } from "../../platform/events/types";
import { siteEvent } from "../../platform/events/site-event";
import { spanText } from "../../tell/notify/time-format";
import { FRESHNESS_WORDS } from "../../watch/freshness/states";
import type { ReportCause } from "./failures-by-cause";
import { type Handover, handoverSection } from "./handover";
import { beingDoneSection } from "./being-done";
import type { RemediationNight } from "../../start/remediation/report-reads";

export interface ReportIncident {
  title: string;
  /** The task's id (lower case), to find the cause that holds it. */
  taskId?: string | null;
  errorClass: string | null;
  failures: number;
  openedAt: number;
  lastEventAt: number;
  lastKind: string;
  acknowledgedBy: string | null;
}

export interface ReportInputs {
  kind: "morning" | "weekly";
  /** The span the report covers, [from, to). */
  from: number;
  to: number;
  host: string;
  /** A time in the report's zone, with the year when it is not this year's. */
  formatTime(ms: number): string;
  /** The day the report is for, in its zone ("Tue, 24 Nov 2026"): its title and its id. */
  day: string;
  /** The zone its times are in, as the report names it ("Europe/Stockholm (CET)"). */
  zone?: string;
  runs: Array<{ appName: string | null; outcome: "succeeded" | "failed" | "aborted"; runs: number }>;
  /** Incidents with an event in the span (their failures), and those still open now. */
  touched: ReportIncident[];
  open: ReportIncident[];
  /**
   * The watchdog's open conditions (missed, chain broken, running long, stale, turned off) and open check-ins;
   * `notice`: raised as a task.notice (worth knowing, not a page: a schedule that ended as set, a task still learning).
   */
  notHappened: Array<{ title: string; type: string; notice?: boolean }>;
  /**
   * The span's failures by cause (failures-by-cause.ts): every cause open during the span, titled as the causes page
   * titles it, with the runs it recorded; a failure no cause holds is a cause of its own task.
   */
  causes?: ReportCause[];
  /** Promised apps late or at risk now. */
  /** `why`: what the judge says holds it (the alert's why, or what holds its data up although it reloaded). */
  promises: Array<{ app: string; promise: string; state: "at_risk" | "late"; dataAsOf: string | null; why?: string | null }>;
  slowest: Array<{ taskName: string; maxMs: number; avgMs: number; runs: number }>;
  growing: Array<{ taskName: string; recentAvgMs: number; baselineAvgMs: number; factor: number }>;
  /** The weekly report: an app's stream (unknown apps fall under "(no stream)"). */
  streamOf?: (appName: string) => string | undefined;
  /** The weekly report: each node's run-time in progress and waiting per hour (the watchdog's count, node-hours.ts). */
  nodeHours?: Array<{ node: string; hourMs: number; runningMs: number; waitingMs: number }>;
  /**
   * The morning report: reloads outside the Scheduler in the span (the hub, the data load editor, the Engine API), newest
   * first; absent when engineReloads is off.
   */
  outsideSchedule?: Array<{
    endedMs: number;
    app: string;
    user: string;
    node: string;
    outcome: "succeeded" | "failed";
    alerted: boolean;
    unconfirmed?: boolean;
  }>;
  /** Runs a Scheduler retry got past in the span (a failed attempt, then a success: nothing was paged), newest first. */
  recoveredByRetry?: Array<{ taskName: string; attempts: number; endedMs: number }>;
  /** Failures an automatic retry of Steward's (remediation.rules) healed in the span: nothing was paged, newest first. */
  healedByRemediation?: Array<{ taskName: string; attempts: number; endedMs: number }>;
  /** Failures Steward heard of only after the task's next success (a lost datagram found later): not paged, newest first. */
  heardLate?: Array<{ taskName: string; failedMs: number; succeededMs: number }>;
  /** The morning report: what is open now and who holds it, and the snoozes ending in the next 24 hours (handover.ts). */
  handover?: Handover;
  /** The morning report: what remediation is doing for the open incidents, and each action's outcome (being-done.ts). */
  remediation?: RemediationNight;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function runCounts(i: ReportInputs) {
  const c = { succeeded: 0, failed: 0, aborted: 0 };
  for (const r of i.runs) c[r.outcome] += r.runs;
  return { ...c, total: c.succeeded + c.failed + c.aborted };
}

/** Causes named at most; the rest are counted (a night of hundreds of tasks failing each for its own reason). */
export const CAUSE_LINES = 40;
const NAMES_PER_CAUSE = 8;

function causeLine(i: ReportInputs, c: ReportCause): ReportSection["lines"][number] {
  const state = c.open ? "still open" : c.endedAt !== undefined ? `ended ${i.formatTime(c.endedAt)}` : "";
  // What it recorded in the span, counted: a cause that held no failed run (a node's services, a hub reload) says
  // what it did hold, or nothing, never "0 failed runs".
  const counts = [...(c.runs > 0 || (c.own && !c.reloads) ? [plural(c.runs, "failed run")] : []), ...(c.reloads ? [plural(c.reloads, "failed reload")] : [])];
  const meta = [...counts, state, ...(c.acknowledgedBy ? [`acknowledged by ${c.acknowledgedBy}`] : [])].filter(Boolean).join(", ");
  const tone = c.open ? ("fail" as const) : ("warn" as const);
  const shown = meta ? ` (${meta})` : "";
  if (c.own) return { text: `${c.title}${shown}`, tone };
  const names = c.tasks.slice(0, NAMES_PER_CAUSE).join(", ") + (c.tasks.length > NAMES_PER_CAUSE ? `, … (${c.tasks.length} tasks)` : "");
  const parts = [
    ...(names ? [names] : []),
    ...(c.heldUp > 0 ? [`${plural(c.heldUp, "more task")} held up`] : []),
    ...(c.promises?.length ? [`promise ${c.promises.join(", ")}`] : []),
  ];
  return { text: `${c.title}${shown}${parts.length > 0 ? `: ${parts.join("; ")}` : ""}`, tone };
}

/** One line per cause, in the causes' own words and with exactly the members they recorded (failures-by-cause.ts). */
function byCause(i: ReportInputs): ReportSection {
  const causes = i.causes ?? [];
  const lines = causes.slice(0, CAUSE_LINES).map((c) => causeLine(i, c));
  if (causes.length > CAUSE_LINES) {
    const rest = causes.slice(CAUSE_LINES);
    lines.push({
      text: `… and ${plural(rest.length, "more cause")} (${plural(
        rest.reduce((n, c) => n + c.runs, 0),
        "failed run",
      )})`,
      tone: "fail",
    });
  }
  return { title: "Failures by cause", lines, empty: "No task failed and no cause was open." };
}

function stillOpen(i: ReportInputs): ReportSection {
  return {
    title: "Still open",
    lines: i.open
      .sort((a, b) => a.openedAt - b.openedAt)
      .map((x) => ({
        // A condition that is no failed run (a missed start, a stopped service) is open, not "failing (0 failures)".
        text: `${x.title}: ${x.failures > 0 ? `failing since ${i.formatTime(x.openedAt)} (${plural(x.failures, "failure")})` : `open since ${i.formatTime(x.openedAt)}`}${x.acknowledgedBy ? `, acknowledged by ${x.acknowledgedBy}` : ""}`,
        tone: x.acknowledgedBy ? ("warn" as const) : ("fail" as const),
      })),
    empty: "Nothing: every task that failed has succeeded since.",
  };
}

function notHappened(i: ReportInputs): ReportSection {
  return {
    title: "Late, stale or not running",
    lines: i.notHappened.map((x) => ({ text: x.title, tone: x.notice || x.type === "disabled" ? ("warn" as const) : ("fail" as const) })),
    empty: "Nothing: every watched task started on time and no app is stale.",
  };
}

function promises(i: ReportInputs): ReportSection {
  return {
    title: "Freshness promises late or at risk",
    lines: i.promises
      .sort((a, b) => (a.state === b.state ? a.app.localeCompare(b.app) : a.state === "late" ? -1 : 1))
      .map((p) => ({
        text: `${p.app}: ${FRESHNESS_WORDS[p.state]} ("${p.promise}"), data as of ${p.dataAsOf ? i.formatTime(Date.parse(p.dataAsOf)) : "(no successful reload seen)"}${p.why ? `: ${p.why}` : ""}`,
        tone: p.state === "late" ? ("fail" as const) : ("warn" as const),
      })),
    empty: "Every promised app is on time.",
  };
}

function slowest(i: ReportInputs): ReportSection {
  return {
    title: "Slowest reloads",
    lines: i.slowest.map((s) => ({
      text: `${s.taskName}: ${spanText(s.maxMs)} at most, ${spanText(Math.round(s.avgMs))} on average (${plural(s.runs, "run")})`,
    })),
    empty: "No reload ran.",
  };
}

function growing(i: ReportInputs): ReportSection {
  return {
    title: "Reloads growing fastest",
    lines: i.growing.map((g) => ({
      text: `${g.taskName}: ${spanText(Math.round(g.recentAvgMs))} on average this week, ${spanText(Math.round(g.baselineAvgMs))} the three weeks before (×${g.factor.toFixed(1)})`,
      tone: g.factor >= 1.5 ? ("warn" as const) : ("info" as const),
    })),
    empty: "No reload takes longer than it did (at least three successful runs in each span are needed to tell).",
  };
}

/** Lines of reloads outside the Scheduler shown at most; the rest are counted. */
const OUTSIDE_LINES = 30;

function outsideSchedule(i: ReportInputs, rows: NonNullable<ReportInputs["outsideSchedule"]>): ReportSection {
  const failed = rows.filter((r) => r.outcome === "failed").length;
  const lines: ReportSection["lines"] = rows.slice(0, OUTSIDE_LINES).map((r) => ({
    text: `${i.formatTime(r.endedMs)}: ${r.app} by ${r.user || "(no user named)"} on ${r.node}: ${r.outcome}${r.outcome === "failed" ? (r.alerted ? " (alerted)" : " (not alerted)") : r.unconfirmed ? " (unconfirmed by QRS: not fresh data)" : ""}`,
    tone: r.outcome === "failed" ? (r.alerted ? ("fail" as const) : ("warn" as const)) : r.unconfirmed ? ("warn" as const) : ("ok" as const),
  }));
  if (rows.length > OUTSIDE_LINES) lines.push({ text: `… and ${rows.length - OUTSIDE_LINES} more (${failed} failed in all): see /ui/reloads`, tone: "info" });
  return {
    title: "Reloads outside the Scheduler",
    lines,
    empty: "None heard (the hub, the data load editor and the Engine API report them once the Engine's appender file is on each node).",
  };
}

function perStream(i: ReportInputs): ReportSection {
  const streams = new Map<string, { ok: number; bad: number }>();
  for (const r of i.runs) {
    const stream = (r.appName ? i.streamOf?.(r.appName) : undefined) ?? "(no stream)";
    const s = streams.get(stream) ?? { ok: 0, bad: 0 };
    if (r.outcome === "succeeded") s.ok += r.runs;
    else s.bad += r.runs;
    streams.set(stream, s);
  }
  const rate = (s: { ok: number; bad: number }) => s.ok / (s.ok + s.bad);
  return {
    title: "Success rate per stream",
    lines: [...streams.entries()]
      .sort((a, b) => rate(a[1]) - rate(b[1]) || a[0].localeCompare(b[0]))
      .map(([name, s]) => ({
        text: `${name}: ${(100 * rate(s)).toFixed(1)} % of ${plural(s.ok + s.bad, "run")}${s.bad ? ` (${s.bad} failed or aborted)` : ""}`,
        tone: s.bad === 0 ? ("ok" as const) : rate(s) < 0.95 ? ("fail" as const) : ("warn" as const),
      })),
    empty: "No run in these seven days.",
  };
}

const HOUR = 3_600_000;
/** Hours named per node: enough to see which trigger times to move. */
export const BUSIEST_PER_NODE = 3;

/**
 * Each node's busiest hours of the week: the mean number of runs in progress and waiting over the hour (run-time
 * divided by the hour), busiest first, so an admin sees when reloads queue and can move a schedule.
 */
function busiestHours(i: ReportInputs): ReportSection {
  const byNode = new Map<string, NonNullable<ReportInputs["nodeHours"]>>();
  for (const h of i.nodeHours ?? []) if (h.runningMs + h.waitingMs > 0) byNode.set(h.node, [...(byNode.get(h.node) ?? []), h]);
  const lines = [...byNode.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .flatMap(([node, hours]) =>
      [...hours]
        .sort((a, b) => b.runningMs + b.waitingMs - (a.runningMs + a.waitingMs) || a.hourMs - b.hourMs)
        .slice(0, BUSIEST_PER_NODE)
        .map((h) => ({
          text: `${node}, ${i.formatTime(h.hourMs)}–${i.formatTime(h.hourMs + HOUR).slice(-5)}: ${(h.runningMs / HOUR).toFixed(1)} in progress, ${(h.waitingMs / HOUR).toFixed(1)} waiting for an engine (on average over the hour)`,
          tone: h.waitingMs >= HOUR / 60 ? ("warn" as const) : ("info" as const),
        })),
    );
  return { title: "Busiest hours per node", lines, empty: "No run was seen on any node (the watchdog counts them)." };
}

/** The runs the Scheduler's retry recovered: not paged, but worth a line (a source that is getting flaky shows here first). */
function retried(i: ReportInputs): ReportSection["lines"] {
  const r = i.recoveredByRetry ?? [];
  if (r.length === 0) return [];
  const shown = r.slice(0, 10).map((x) => `${x.taskName} (attempt ${x.attempts}, ${i.formatTime(x.endedMs)})`);
  const more = r.length > shown.length ? `, and ${r.length - shown.length} more` : "";
  return [{ text: `${plural(r.length, "run")} recovered by the Scheduler's retry, not paged: ${shown.join(", ")}${more}`, tone: "info" }];
}

/** The failures Steward's automatic retry healed: not paged, one line, as the Scheduler's own retries get. */
function healed(i: ReportInputs): ReportSection["lines"] {
  const r = i.healedByRemediation ?? [];
  if (r.length === 0) return [];
  const shown = r.slice(0, 10).map((x) => `${x.taskName} (retry ${x.attempts}, ${i.formatTime(x.endedMs)})`);
  const more = r.length > shown.length ? `, and ${r.length - shown.length} more` : "";
  return [{ text: `${plural(r.length, "failure")} healed by Steward's automatic retry, not paged: ${shown.join(", ")}${more}`, tone: "info" }];
}

/** Failures heard of after the task ran again successfully: never paged, so said here as what they were. */
function heardLate(i: ReportInputs): ReportSection["lines"] {
  return (i.heardLate ?? []).slice(0, 10).map((x) => ({
    text: `${x.taskName} failed at ${i.formatTime(x.failedMs)}, ran again successfully at ${i.formatTime(x.succeededMs)} before Steward heard of the failure (not paged)`,
    tone: "info" as const,
  }));
}

export function buildReport(i: ReportInputs): SiteEvent {
  const c = runCounts(i);
  const causes = byCause(i);
  const span = `${i.formatTime(i.from)} – ${i.formatTime(i.to)}`;
  const bad = c.failed + c.aborted;
  const promisesLate = i.promises.filter((p) => p.state === "late").length;
  const parts = [
    bad === 0
      ? `all ${plural(c.total, "run")} succeeded`
      : `${bad} of ${plural(c.total, "run")} failed or aborted (${plural((i.causes ?? []).filter((x) => x.runs > 0).length, "cause")})`,
    `${plural(i.open.length, "incident")} still open`,
    ...(i.kind === "morning" ? [`${i.notHappened.length} late, stale or not running`, `${plural(promisesLate, "promised app")} late`] : []),
  ];
  const kind = i.kind === "morning" ? "report.morning" : "report.weekly";
  const title = `${i.kind === "morning" ? "Morning report" : "Weekly report"}, ${i.day}`;
  const summary = `${i.kind === "morning" ? "Since" : "The seven days from"} ${i.formatTime(i.from)}: ${parts.join("; ")}.`;
  const runsSection: ReportSection = {
    title: "Runs",
    lines: [
      {
        text: `${plural(c.total, "run")}: ${c.succeeded} succeeded, ${c.failed} failed, ${c.aborted} aborted`,
        tone: bad > 0 ? "fail" : "ok",
      },
      ...retried(i),
      ...healed(i),
      ...heardLate(i),
    ],
  };
  const sections =
    i.kind === "morning"
      ? [
          ...(i.handover ? [handoverSection(i.handover, i.formatTime)] : []),
          ...(i.remediation ? [beingDoneSection(i.remediation, i.formatTime)] : []),
          runsSection,
          causes,
          stillOpen(i),
          notHappened(i),
          promises(i),
          ...(i.outsideSchedule ? [outsideSchedule(i, i.outsideSchedule)] : []),
          slowest(i),
          growing(i),
        ]
      : [perStream(i), runsSection, causes, stillOpen(i), growing(i), busiestHours(i)];
  const event = siteEvent(
    kind,
    i.day,
    i.host,
    i.to,
    { title, summary },
    {
      from: new Date(i.from).toISOString(),
      to: new Date(i.to).toISOString(),
      runs: c.total,
      failed: c.failed,
      aborted: c.aborted,
      stillOpen: i.open.length,
      notHappened: i.notHappened.length,
      // The data's key keeps its first name (webhook receivers read it): the promised apps late now.
      promisesBroken: promisesLate,
    },
  );
  return { ...event, facts: [{ name: "Covers", value: span }, ...(i.zone ? [{ name: "Times in", value: i.zone }] : [])], sections };
}
