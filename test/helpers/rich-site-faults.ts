// The rich site's injected faults, as data (what is done when, what each fault explains and must raise), and the judge
// that scores a run's watchdog events against them: precision (every event explained by a fault) and recall (every
// fault caught). The stepped scenario (test/integration/watch/watchdog/rich-site-scenario.test.ts) drives them.
import type { WatchdogEvent } from "../../src/platform/events/types";
import { downstreamOf, type RichCloudTask, type RichTask } from "./rich-site";

const DAY = 86_400_000;
const Z = (s: string) => Date.parse(s);

export type Action =
  | { patchTask: string; body: Record<string, unknown> }
  | { patchTrigger: string; body: Record<string, unknown> }
  | { deleteTask: string }
  | { patchCloudTask: string; body: Record<string, unknown> }
  | { cloudSettings: Record<string, unknown> }
  | { nodeDown: string }
  | { nodeUp: string };

/** An event a fault must raise to count as caught (any task when `task` is left out). */
export interface Expected {
  kind: string;
  task?: string;
  turnedOff?: string;
}

/** An injected fault: what is done when, and which tasks' and apps' watchdog events it explains (until `explainsUntil`). */
export interface Fault {
  name: string;
  at: number;
  /** When the fault bites (the run it spoils falls due), for the detection latency; default `at`. */
  effectiveAt?: number;
  apply: Action[];
  revertAt: number;
  revert: Action[];
  explainsTasks: string[];
  explainsUntil: number;
  /** Caught only when each of these was raised among the events the fault explains (besides at least one event). */
  expects: Expected[];
  /** Someone acknowledges the task's open incident then (POST /v4/incidents/{id}/acknowledge): it must not escalate. */
  acknowledge?: { at: number; task: string };
  /** Events of these kinds for these apps are false even while the fault explains its tasks (a page it must not make). */
  forbids?: Array<{ kind: string; app: string }>;
}

/**
 * Changes that are normal on a site, not faults: they must raise nothing (issue 59). A long-tailed task's slow nights,
 * a retry that succeeds late, both within what the watchdog has seen. The scenario applies them like faults; any
 * event of their tasks that no fault explains is a false alert.
 */
export function richSiteVariations(tasks: RichTask[], start: number, days: number): Fault[] {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const slowNight = (task: string, night: string, factor: number, extra: Record<string, unknown> = {}): Fault => ({
    name: `${task} takes ${factor}× its usual on the night to ${night.slice(5, 10)}`,
    at: Z(`${night}T22:00:00Z`) - DAY,
    apply: [{ patchTask: task, body: { durationMs: Math.round(factor * byName.get(task)!.durationMs), ...extra } }],
    revertAt: Z(`${night}T06:00:00Z`),
    revert: [{ patchTask: task, body: { durationMs: byName.get(task)!.durationMs } }],
    explainsTasks: [],
    explainsUntil: 0,
    expects: [],
  });
  const all = [
    // A long tail: QVD 06 takes twice its usual time on three of the first nights, so its learned limit rests on a
    // handful of runs when the slow ones come.
    slowNight("QVD 06", "2026-03-26", 2.2),
    slowNight("QVD 06", "2026-03-28", 2.1),
    slowNight("QVD 06", "2026-03-29", 2.3),
    // A retry that succeeds late: QVD 14's first attempt fails after 1.8× its usual time and the Scheduler's retry
    // takes as long, ending well after its app was due (the run is in a retry the Scheduler announced meanwhile).
    slowNight("QVD 14", "2026-03-27", 1.8, { outcome: { failThenSucceed: 1 } }),
  ];
  return all.filter((f) => f.revertAt < start + days * DAY);
}

/** The eleven faults of the two weeks from Monday 23 March 2026 that fall within `days` of `start`. */
export function richSiteFaults(tasks: RichTask[], start: number, days: number): Fault[] {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  const withDownstream = (names: string[]) => [...new Set(names.flatMap((n) => [n, ...downstreamOf(tasks, n).map((t) => t.name)]))];
  const onNode = (node: string, pred: (t: RichTask) => boolean) => tasks.filter((t) => t.node === node && pred(t)).map((t) => t.name);
  const all: Fault[] = [
    {
      name: "a hang at 5× usual (QVD 03, Thursday night)",
      at: Z("2026-03-25T23:00:00Z"),
      effectiveAt: Z("2026-03-26T00:10:00Z"), // the night's run starts
      apply: [{ patchTask: "QVD 03", body: { durationMs: 5 * byName.get("QVD 03")!.durationMs } }],
      revertAt: Z("2026-03-26T02:00:00Z"),
      revert: [{ patchTask: "QVD 03", body: { durationMs: byName.get("QVD 03")!.durationMs } }],
      explainsTasks: withDownstream(["QVD 03"]),
      explainsUntil: Z("2026-03-26T12:00:00Z"),
      // The hang is paged as running long; its app's staleness is then not a second page (issue 59), and the run ends
      // successfully before the reason to hold it back ends.
      expects: [{ kind: "task.running_long", task: "QVD 03" }],
    },
    {
      name: "a chain whose middle task fails (Model 07, Friday night)",
      at: Z("2026-03-26T22:00:00Z"),
      effectiveAt: Z("2026-03-27T00:30:00Z"), // the chain's first task starts
      apply: [{ patchTask: "Model 07", body: { outcome: "fail" } }],
      revertAt: Z("2026-03-27T05:00:00Z"),
      revert: [{ patchTask: "Model 07", body: { outcome: "succeed" } }],
      explainsTasks: withDownstream(["Model 07"]),
      explainsUntil: Z("2026-03-27T23:59:00Z"),
      expects: [{ kind: "app.stale" }],
    },
    {
      name: "an app not reloaded for 3 days (QVD 15 fails three nights, the clock change among them)",
      at: Z("2026-03-27T22:00:00Z"),
      effectiveAt: Z("2026-03-28T01:10:00Z"), // the first failing run
      apply: [{ patchTask: "QVD 15", body: { outcome: "fail" } }],
      revertAt: Z("2026-03-30T22:00:00Z"),
      revert: [{ patchTask: "QVD 15", body: { outcome: "succeed" } }],
      explainsTasks: withDownstream(["QVD 15"]),
      explainsUntil: Z("2026-03-31T12:00:00Z"),
      expects: [{ kind: "app.stale" }],
      // The team's page comes at 01:38; someone is on it 12 minutes later, before the 30 minutes run out.
      acknowledge: { at: Z("2026-03-28T01:50:00Z"), task: "QVD 15" },
    },
    {
      name: "a Skipped run (Quarter 02 runs 20 minutes once, Monday)",
      at: Z("2026-03-30T07:55:00Z"),
      effectiveAt: Z("2026-03-30T08:17:00Z"), // the trigger that falls due while the long run goes on
      apply: [{ patchTask: "Quarter 02", body: { durationMs: 20 * 60_000 } }],
      revertAt: Z("2026-03-30T08:10:00Z"),
      revert: [{ patchTask: "Quarter 02", body: { durationMs: byName.get("Quarter 02")!.durationMs } }],
      explainsTasks: ["Quarter 02"],
      explainsUntil: Z("2026-03-30T12:00:00Z"),
      // The skipped start is part of the long run's condition (issue 76: one slow run, one page and one recovery).
      expects: [{ kind: "task.running_long", task: "Quarter 02" }],
    },
    {
      name: "a node down (Reload02, Monday night 00:30–04:00)",
      at: Z("2026-03-29T22:30:00Z"),
      apply: [{ nodeDown: "Reload02" }],
      revertAt: Z("2026-03-30T02:00:00Z"),
      revert: [{ nodeUp: "Reload02" }],
      explainsTasks: withDownstream(onNode("Reload02", () => true)),
      explainsUntil: Z("2026-03-30T12:00:00Z"),
      expects: [{ kind: "task.missed" }],
    },
    {
      name: "the scheduler paused on one node (Reload01, Monday 13:00–15:00)",
      at: Z("2026-03-30T11:00:00Z"),
      apply: [{ nodeDown: "Reload01" }],
      revertAt: Z("2026-03-30T13:00:00Z"),
      revert: [{ nodeUp: "Reload01" }],
      explainsTasks: withDownstream(onNode("Reload01", () => true)),
      explainsUntil: Z("2026-03-30T18:00:00Z"),
      expects: [{ kind: "task.missed" }],
    },
    {
      // Turned off is not all clear: the task is disabled for two nights; its app and the apps after it go stale.
      name: "a disabled task (QVD 21, Thursday evening to Saturday morning)",
      at: Z("2026-03-26T20:00:00Z"),
      apply: [{ patchTask: "QVD 21", body: { enabled: false, modifiedBy: "CORP\\anna" } }],
      revertAt: Z("2026-03-28T08:00:00Z"),
      revert: [{ patchTask: "QVD 21", body: { enabled: true, modifiedBy: "CORP\\anna" } }],
      explainsTasks: withDownstream(["QVD 21"]),
      explainsUntil: Z("2026-03-29T12:00:00Z"),
      expects: [{ kind: "task.disabled", task: "QVD 21", turnedOff: "task-disabled" }, { kind: "app.stale" }],
    },
    {
      // Turned off for good (a retired app): task.disabled says so once; the app's data then ages as announced, so its
      // staleness is no second page (issue 59). The apps after it go stale, their own tasks still on.
      name: "a task turned off for good (QVD 11, Saturday noon)",
      at: Z("2026-03-28T11:00:00Z"),
      apply: [{ patchTask: "QVD 11", body: { enabled: false, modifiedBy: "CORP\\anna" } }],
      revertAt: Z("2026-03-30T23:59:00Z"),
      revert: [],
      explainsTasks: withDownstream(["QVD 11"]),
      explainsUntil: Z("2026-04-06T00:00:00Z"),
      expects: [{ kind: "task.disabled", task: "QVD 11", turnedOff: "task-disabled" }],
      forbids: [{ kind: "app.stale", app: byName.get("QVD 11")!.app }],
    },
    {
      name: "a disabled trigger (Office hourly 05's only schedule, Friday 09:30–14:00)",
      at: Z("2026-03-27T08:30:00Z"),
      apply: [{ patchTrigger: "Office hourly 05 schedule", body: { enabled: false, modifiedBy: "CORP\\bob" } }],
      revertAt: Z("2026-03-27T13:00:00Z"),
      revert: [{ patchTrigger: "Office hourly 05 schedule", body: { enabled: true, modifiedBy: "CORP\\bob" } }],
      explainsTasks: ["Office hourly 05"],
      explainsUntil: Z("2026-03-27T18:00:00Z"),
      expects: [{ kind: "task.disabled", task: "Office hourly 05", turnedOff: "trigger-disabled" }],
    },
    {
      // Qlik's "this task no longer runs": the data model after a deleted QVD generator waits for a run that never comes.
      name: "a deleted upstream task (QVD 27, Saturday evening)",
      at: Z("2026-03-28T20:00:00Z"),
      apply: [{ deleteTask: "QVD 27" }],
      revertAt: Z("2026-03-28T20:01:00Z"),
      revert: [],
      explainsTasks: withDownstream(["QVD 27"]),
      explainsUntil: start + 15 * DAY,
      expects: [
        { kind: "task.disabled", task: "QVD 27", turnedOff: "task-deleted" },
        { kind: "task.disabled", task: "Model 27", turnedOff: "upstream-deleted" },
      ],
    },
    {
      // The tenant's scheduler starts none of its runs while it is paused: three hourly runs lost.
      name: "a Qlik Cloud task paused (Cloud stock hourly, Friday 11:00–14:00)",
      at: Z("2026-03-27T10:00:00Z"),
      apply: [{ patchCloudTask: "Cloud stock hourly", body: { paused: true } }],
      revertAt: Z("2026-03-27T13:00:00Z"),
      revert: [{ patchCloudTask: "Cloud stock hourly", body: { paused: false } }],
      explainsTasks: ["Cloud stock hourly"],
      explainsUntil: Z("2026-03-27T18:00:00Z"),
      expects: [{ kind: "task.missed", task: "Cloud stock hourly" }],
    },
    {
      // Qlik disables a task after repeated failures (here two in a row); it is enabled again in the afternoon.
      name: "a Qlik Cloud task disabled by Qlik (Cloud finance hourly fails twice, Saturday)",
      at: Z("2026-03-28T09:00:00Z"),
      effectiveAt: Z("2026-03-28T09:40:00Z"), // its first failing run (10:40 in Stockholm; Qlik disables it after the 11:40)
      apply: [{ cloudSettings: { disableAfterFailures: 2 } }, { patchCloudTask: "Cloud finance hourly", body: { outcome: "fail" } }],
      revertAt: Z("2026-03-28T14:00:00Z"),
      revert: [
        { cloudSettings: { disableAfterFailures: 0 } },
        { patchCloudTask: "Cloud finance hourly", body: { outcome: "succeed", enabled: true, updatedBy: "6571e4a1b2c3d4e5f6a7b8aa" } },
      ],
      explainsTasks: ["Cloud finance hourly"],
      explainsUntil: Z("2026-03-29T06:00:00Z"),
      expects: [{ kind: "task.disabled", task: "Cloud finance hourly", turnedOff: "disabled-by-qlik" }],
    },
  ];
  return all.filter((f) => f.revertAt < start + days * DAY);
}

/** A watchdog event as the scenario saw it: the simulated time it was raised. */
export interface TimedEvent<E extends JudgedEvent = WatchdogEvent> {
  at: number;
  e: E;
}

/** What judging an event reads of it (and a line naming it). */
export interface JudgedEvent {
  kind: WatchdogEvent["kind"];
  condition: { type: WatchdogEvent["condition"]["type"] };
  task?: { name: string };
  app?: { name: string };
  data: { turnedOff?: WatchdogEvent["data"][string] };
}

/**
 * Only what judging reads, for a run that measures Steward's memory in its own process: the split bench's peer kept
 * every event whole (about 2 KB each with its facts, task, app and owner), 12,000 of them by the ×50 site's day 17,
 * which Steward's heap figures then counted as Steward's (issue 78).
 */
export function judgedPart(e: WatchdogEvent): JudgedEvent {
  return {
    kind: e.kind,
    condition: { type: e.condition.type },
    ...(e.task ? { task: { name: e.task.name } } : {}),
    ...(e.app ? { app: { name: e.app.name } } : {}),
    data: e.data.turnedOff !== undefined ? { turnedOff: e.data.turnedOff } : {},
  };
}

export interface FaultRow {
  fault: string;
  caught: boolean;
  unmet: string;
  events: number;
  kinds: string;
  latencyMin: number | null;
}

/** Scores `events`: each explained by a fault (its task, or its app, among the fault's while the fault explains). */
export function judgeRichSite<E extends JudgedEvent>(
  events: TimedEvent<E>[],
  faults: Fault[],
  site: Array<RichTask | RichCloudTask>,
): { unexplained: TimedEvent<E>[]; rows: FaultRow[]; precision: number; recall: number } {
  const appOf = new Map(site.map((x) => [x.name, x.app]));
  const appsOf = (names: string[]) => new Set(names.map((n) => appOf.get(n)!));
  const explainedBy = (ev: TimedEvent<E>) =>
    faults.filter(
      (f) =>
        ev.at >= f.at &&
        ev.at <= f.explainsUntil &&
        !(f.forbids ?? []).some((x) => x.kind === ev.e.kind && x.app === ev.e.app?.name) &&
        ((ev.e.task && f.explainsTasks.includes(ev.e.task.name)) || (!ev.e.task && ev.e.app && appsOf(f.explainsTasks).has(ev.e.app.name))),
    );
  const unexplained = events.filter((ev) => explainedBy(ev).length === 0);
  const rows = faults.map((f) => {
    const mine = events.filter((ev) => explainedBy(ev).includes(f)).sort((a, b) => a.at - b.at);
    const kinds = [...new Set(mine.map((ev) => (ev.e.condition.type === "skipped" ? "task.missed (skipped)" : ev.e.kind)))];
    const raised = (x: Expected) =>
      mine.some((ev) => ev.e.kind === x.kind && (!x.task || ev.e.task?.name === x.task) && (!x.turnedOff || ev.e.data.turnedOff === x.turnedOff));
    const unmet = f.expects.filter((x) => !raised(x));
    return {
      fault: f.name,
      caught: mine.length > 0 && unmet.length === 0,
      unmet: unmet.map((x) => `${x.kind} ${x.task ?? ""} ${x.turnedOff ?? ""}`.trim()).join("; "),
      events: mine.length,
      kinds: kinds.join(", "),
      latencyMin: mine[0] ? Math.round((mine[0].at - (f.effectiveAt ?? f.at)) / 60_000) : null,
    };
  });
  const precision = events.length === 0 ? 1 : (events.length - unexplained.length) / events.length;
  const recall = rows.filter((r) => r.caught).length / Math.max(1, rows.length);
  return { unexplained, rows, precision, recall };
}

/** An alert a channel received (the rich site's webhook), at the simulated time Steward sent it. */
export interface Page {
  at: number;
  kind: string;
  task?: string;
  app?: string;
  /** The node (its host name's first label, as grouping names it) whose cause the page opened or updated. */
  causeTitle?: string;
  causeStatus?: string;
  /** An update page of an open cause (more tasks joined), not its opening. */
  update?: boolean;
  /** Sent on the duty manager's route because nobody acknowledged the team's alert in time. */
  escalated?: boolean;
  /** The watchdog condition a watchdog page opens or closes (its key). */
  condition?: string;
  /** A cause's page: the tasks that did not start while it lasted, and the apps it names. */
  didNotRun?: string[];
  causeApps?: string[];
}

export interface NodeFaultRow {
  fault: string;
  /** The team's pages that opened the node's cause while the fault explains it, and its update pages. */
  opened: number;
  updates: number;
  /** Minutes from the cause's opening page to each escalation of it (nobody acknowledged the node's cause). */
  escalatedAfterMin: string;
  /** Watchdog pages about the down node's own tasks that went out on their own instead of joining the cause. */
  loosePages: string;
}

const WATCH_PAGES = new Set(["task.missed", "task.chain_broken", "task.running_long", "app.stale", "task.disabled"]);

/**
 * Scores what the channels received with grouping on: every watchdog page explained by a fault (as the events are),
 * every node cause opened during a node fault of its own node, and per node fault its cause pages and the pages about
 * the node's own tasks that were not folded into it. `hostOf` maps a node name to its host name.
 */
export function judgePages(
  pages: Page[],
  faults: Fault[],
  site: Array<RichTask | RichCloudTask>,
  tasks: RichTask[],
  hostOf: (node: string) => string,
): { unexplained: Page[]; strayCauses: Page[]; nodeRows: NodeFaultRow[]; perFault: Array<{ fault: string; pages: string }> } {
  const appOf = new Map(site.map((x) => [x.name, x.app]));
  const explains = (f: Fault, p: Page) =>
    p.at >= f.at &&
    p.at <= f.explainsUntil &&
    !(f.forbids ?? []).some((x) => x.kind === p.kind && x.app === p.app) &&
    ((p.task && f.explainsTasks.includes(p.task)) || (!p.task && p.app && f.explainsTasks.some((n) => appOf.get(n) === p.app)));
  const unexplained = pages.filter((p) => WATCH_PAGES.has(p.kind) && !faults.some((f) => explains(f, p)));
  const downNode = (f: Fault) => f.apply.flatMap((a) => ("nodeDown" in a ? [a.nodeDown] : []))[0];
  const label = (node: string) => hostOf(node).split(".")[0]!.toLowerCase();
  const nodeCause = (p: Page) => /^(?:Qlik services down on|every run fails on|no task starts on) (.+)$/.exec(p.causeTitle ?? "")?.[1];
  const strayCauses = pages.filter((p) => {
    const node = nodeCause(p);
    return node !== undefined && !faults.some((f) => downNode(f) !== undefined && label(downNode(f)!) === node && p.at >= f.at && p.at <= f.explainsUntil);
  });
  const nodeRows = faults.flatMap((f) => {
    const node = downNode(f);
    if (node === undefined) return [];
    const during = pages.filter((p) => p.at >= f.at && p.at <= f.revertAt + 60 * 60_000);
    const own = new Set(tasks.filter((t) => t.node === node).map((t) => t.name));
    const opening = (p: Page) => nodeCause(p) === label(node) && !p.update && p.causeStatus === "open";
    const first = during.find((p) => opening(p) && !p.escalated)?.at;
    return [
      {
        fault: f.name,
        opened: during.filter((p) => opening(p) && !p.escalated).length,
        escalatedAfterMin: during
          .filter((p) => opening(p) && p.escalated && first !== undefined)
          .map((p) => String((p.at - first!) / 60_000))
          .join(", "),
        updates: during.filter((p) => nodeCause(p) === label(node) && p.update).length,
        loosePages: during
          .filter((p) => WATCH_PAGES.has(p.kind) && p.task !== undefined && own.has(p.task) && nodeCause(p) === undefined)
          .map((p) => `${p.kind} ${p.task}`)
          .join("; "),
      },
    ];
  });
  // What each fault cost in pages: a page of a cause (its opening, or an update carried by a later symptom) is counted
  // as such, whatever event carried it; the others by kind.
  const perFault = faults.map((f) => {
    const node = downNode(f);
    const mine = pages.filter((p) => (node !== undefined && nodeCause(p) === label(node)) || (nodeCause(p) === undefined && explains(f, p)));
    const what = (p: Page) =>
      p.causeTitle === undefined ? p.kind : p.update ? "cause update" : `cause ${p.escalated ? "escalated" : (p.causeStatus ?? "")} (${p.kind})`;
    const kinds = [...new Set(mine.map(what))].sort();
    return { fault: f.name, pages: kinds.map((k) => `${k} ${mine.filter((p) => what(p) === k).length}`).join(", ") };
  });
  return { unexplained, strayCauses, nodeRows, perFault };
}

export interface EscalationRow {
  fault: string;
  /** The failing task (a Qlik Cloud reload's alert names its app instead). */
  subject: string;
  /** The team's pages of its failures while the fault explains them. */
  failurePages: number;
  acknowledged: boolean;
  /** Minutes from the team's first page to each escalated page. */
  escalatedAfterMin: string;
}

/**
 * Escalation on the same weeks (route `team` escalates to `duty-manager` after 30 minutes): every escalated page is a
 * failure a fault explains or a cause's page (a node down, a Cloud task paused: issue 74), per fault and failing task
 * exactly one escalation 30 minutes after the team's first page, none when someone acknowledged the incident in time;
 * `causes`: per cause opened by something else than a failure, the minutes from its page to its escalation.
 */
export function judgeEscalations(
  pages: Page[],
  faults: Fault[],
  site: Array<RichTask | RichCloudTask>,
): { stray: Page[]; rows: EscalationRow[]; causes: Array<{ cause: string; escalatedAfterMin: string }> } {
  const appOf = new Map(site.map((x) => [x.name, x.app]));
  // A Qlik Cloud reload's alert names its app, not the task that started it.
  const explained = (f: Fault, p: Page) =>
    p.at >= f.at &&
    p.at <= f.explainsUntil &&
    ((p.task !== undefined && f.explainsTasks.includes(p.task)) || (p.app !== undefined && f.explainsTasks.some((n) => appOf.get(n) === p.app)));
  const subjectOf = (p: Page) => p.task ?? p.app ?? "";
  const failures = (f: Fault) => pages.filter((p) => p.kind === "task.failed" && explained(f, p));
  // A cause's page other than a failure's, escalated: the team's page of that cause came first.
  const causeOpening = (p: Page) => p.kind !== "task.failed" && p.causeTitle !== undefined && p.causeStatus === "open" && !p.update;
  const teamPageOf = (p: Page) => pages.find((x) => !x.escalated && causeOpening(x) && x.causeTitle === p.causeTitle && x.at <= p.at);
  const causeEscalations = pages.filter((p) => p.escalated && causeOpening(p) && teamPageOf(p) !== undefined);
  const causes = [...new Set(causeEscalations.map((p) => p.causeTitle!))].map((cause) => ({
    cause,
    escalatedAfterMin: causeEscalations
      .filter((p) => p.causeTitle === cause)
      .map((p) => String((p.at - teamPageOf(p)!.at) / 60_000))
      .join(", "),
  }));
  const stray = pages.filter((p) => p.escalated && !faults.some((f) => failures(f).includes(p)) && !causeEscalations.includes(p));
  const rows = faults.flatMap((f) => {
    const mine = failures(f);
    const team = mine.filter((p) => !p.escalated);
    return [...new Set(team.map(subjectOf))].map((subject) => {
      const first = team.find((p) => subjectOf(p) === subject)!.at;
      const ackTask = f.acknowledge?.task;
      return {
        fault: f.name,
        subject,
        failurePages: team.filter((p) => subjectOf(p) === subject).length,
        acknowledged: ackTask !== undefined && (ackTask === subject || appOf.get(ackTask) === subject),
        escalatedAfterMin: mine
          .filter((p) => p.escalated && subjectOf(p) === subject)
          .map((p) => String((p.at - first) / 60_000))
          .join(", "),
      };
    });
  });
  return { stray, rows, causes };
}
