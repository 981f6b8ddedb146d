// What is being done about each cause and what came of it (issue 101), for GET /v4/causes and the dashboard's Causes
// page. No second judgement: what is being done is the holds the incidents' heldBy reads (remediation-holds.ts, in
// hold-doing.ts's words), and each ended action is worded by lineOf, as the cause's channels told its outcome. An
// action is the cause's as a cause's message tells it (action-store.ts tellOfCause): a re-run of its cancelled runs, or
// an action on one of its tasks asked since it opened. Read from the shared store: on a cluster, every member's.
import type { SqlDb } from "../../platform/store/sql";
import type { BeingDoneItem, BeingDoneReader, CauseBeingDone, CauseScope, DoneItem } from "../../tell/grouping";
import { rowOf } from "./action-row";
import type { RemediationAction } from "./action-store";
import { lineOf } from "./lines";
import type { HeldFailure } from "./remediation-holds";

/** The newest ended actions a cause lists; older ones are on their incidents' actions (the task page). */
const DONE_LISTED = 10;
/** Ended actions read for one answer: a night's worth on a busy site. */
const READ_LIMIT = 1000;

export interface CauseBeingDoneDeps {
  /** Every hold now (remediation-holds.ts `all`). */
  holds(): Promise<HeldFailure[]>;
  formatTime(ms: number): string;
  /** How many retries a rule has (its retryAfter), by its name; undefined for a [queue] rule or an unknown one. */
  attemptsOf(rule: string): number | undefined;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The cause's, as a cause's message tells actions: its own re-run, or one on its tasks asked since it opened. */
function belongsTo(c: CauseScope, tasks: ReadonlySet<string>, a: { causeId: number; runs: readonly string[]; requestedAt: number | null }): boolean {
  if (a.causeId === c.id) return true;
  return a.runs.some((t) => tasks.has(t)) && (a.requestedAt === null || a.requestedAt >= c.openedAt);
}

/** "rule connection-retries, attempt 2 of 2", "asked by anna@corp.example". */
function whoOf(h: HeldFailure, attemptsOf: (rule: string) => number | undefined): string {
  if (h.rule === null) return `asked by ${h.askedBy}`;
  const of = attemptsOf(h.rule);
  return `rule ${h.rule}${h.attempt !== null && h.kind === "retry" ? `, attempt ${h.attempt}${of ? ` of ${of}` : ""}` : ""}`;
}

function holdItem(h: HeldFailure, deps: CauseBeingDoneDeps): BeingDoneItem {
  const at = h.dueAt === null ? "" : ` at ${deps.formatTime(h.dueAt)}`;
  return { text: `${h.taskName}: ${h.doing}${at} (${whoOf(h, deps.attemptsOf)})`, taskName: h.taskName, kind: h.kind, askedBy: h.askedBy, dueAt: iso(h.dueAt) };
}

/**
 * A re-run of several cancelled runs asked together is one line: "Re-run of 3 cancelled runs asked by anna@corp.example
 * (in chain order): Load A running; Load B, Load C waiting for the queue and a free engine".
 */
function rerunItem(holds: readonly HeldFailure[], deps: CauseBeingDoneDeps): BeingDoneItem {
  const [first] = holds as [HeldFailure];
  if (holds.length === 1) return holdItem(first, deps);
  const byDoing = new Map<string, string[]>();
  for (const h of holds) byDoing.set(h.doing, [...(byDoing.get(h.doing) ?? []), h.taskName]);
  const states = [...byDoing].map(([doing, names]) => `${names.join(", ")} ${doing.replace(/^re-run /, "")}`).join("; ");
  return {
    text: `Re-run of ${holds.length} cancelled runs (${whoOf(first, deps.attemptsOf)}, in chain order): ${states}`,
    taskName: first.taskName,
    kind: "rerun",
    askedBy: first.askedBy,
    dueAt: null,
  };
}

function doingOfCause(holds: readonly HeldFailure[], deps: CauseBeingDoneDeps): BeingDoneItem[] {
  const reruns = new Map<string, HeldFailure[]>();
  const out: Array<BeingDoneItem | HeldFailure[]> = [];
  for (const h of holds) {
    if (h.kind !== "rerun") {
      out.push(holdItem(h, deps));
      continue;
    }
    const group = reruns.get(h.askedBy);
    if (group) group.push(h);
    else {
      const fresh = [h];
      reruns.set(h.askedBy, fresh);
      out.push(fresh);
    }
  }
  return out.map((x) => (Array.isArray(x) ? rerunItem(x, deps) : x));
}

function toneOf(a: RemediationAction): DoneItem["tone"] {
  if (a.status === "ended") return a.outcome === "succeeded" ? "ok" : "fail";
  return a.status === "failed" ? "fail" : "info";
}

function doneItem(a: RemediationAction, formatTime: (ms: number) => string): DoneItem {
  // Worded as on the cause's own page (no task's event): the line names the task it is about.
  const text = lineOf(a, { kind: "cause" }, formatTime);
  return { text, taskName: a.taskName, kind: a.kind, askedBy: a.requestedBy, tone: toneOf(a), endedAt: iso(a.endedAt) };
}

export function createCauseBeingDone(db: SqlDb, deps: CauseBeingDoneDeps): BeingDoneReader {
  return async (causes) => {
    const out = new Map<number, CauseBeingDone>();
    if (causes.length === 0) return out;
    const since = Math.min(...causes.map((c) => c.openedAt));
    const ids = causes.map((c) => c.id);
    const [holds, rows] = await Promise.all([
      deps.holds(),
      db.all<Record<string, unknown>>(
        `SELECT * FROM remediation_actions
          WHERE kind IN ('retry', 'rerun', 'reload', 'chain') AND status IN ('ended', 'failed', 'skipped', 'cancelled')
            AND (requested_at >= ? OR cause_id IN (${ids.map(() => "?").join(", ")}))
          ORDER BY COALESCE(ended_at, requested_at) DESC, id DESC LIMIT ${READ_LIMIT}`,
        [since, ...ids],
      ),
    ]);
    const ended = rows.map(rowOf);
    for (const c of causes) {
      const tasks = new Set(c.taskIds.map((t) => t.toLowerCase()));
      const doing = doingOfCause(
        holds.filter((h) => belongsTo(c, tasks, h)),
        deps,
      );
      const done = ended
        .filter((a) => belongsTo(c, tasks, { causeId: a.causeId, runs: [a.taskId], requestedAt: a.requestedAt }))
        .slice(0, DONE_LISTED)
        .map((a) => doneItem(a, deps.formatTime));
      if (doing.length > 0 || done.length > 0) out.set(c.id, { doing, done });
    }
    return out;
  };
}
