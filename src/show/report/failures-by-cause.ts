// Which cause each failed run of a span belongs to, by what the causes recorded and nothing else: a run is a cause's
// when the cause folded it in (its runs, cause_runs) or a symptom of it stands for that very run (its event). A task
// that merely waited in a node's queue, or after a failed upstream, is not made a member by its later failure of its
// own, and a failure no cause holds is a cause of one ("<task> failed: <error class>"), one per task. Pure: the
// report's setup gathers the rows, this sorts the runs into causes.
import type { ParentRow, SymptomRow } from "../../tell/grouping/cause-store";
import { promisesHeld } from "../../tell/grouping";
import type { FailedRun } from "../../tell/incidents/failed-runs";

/** One line of "Failures by cause". */
export interface ReportCause {
  title: string;
  /** A cause of many (the grouping's), or one task failing for its own reason. */
  own: boolean;
  /** Still open now, or when it ended (undefined when nobody knows: an own failure whose incident was deleted). */
  open: boolean;
  endedAt?: number;
  /** Its failed or aborted runs in the span. */
  runs: number;
  /** Its failed reloads outside the Scheduler (heard from the Engine) in the span: what a hub reload's cause holds. */
  reloads?: number;
  /** The tasks it holds: those of its runs in the span and its other symptoms (a failure before the span, a missed start). */
  tasks: string[];
  /** Tasks listed with it as waiting for it (after a failed upstream, in a backed-up queue) that are not members. */
  heldUp: number;
  /** The freshness promises whose alerts it holds, each with how far it went: "sales-morning (Sales): late". */
  promises?: string[];
  /** Who is on it: who acknowledged the cause, or one of its tasks' open incidents (acknowledging one is acknowledging all). */
  acknowledgedBy?: string;
}

export interface CauseRecord {
  parent: ParentRow;
  symptoms: readonly SymptomRow[];
  /** The runs it folded in (executionIds). */
  runIds: readonly string[];
  /** The failed reloads outside the Scheduler it folded in during the span (their `engine:` run ids). */
  reloadIds?: readonly string[];
}

export interface OwnState {
  /** Tasks (lower-case ids) whose incident is open now. */
  openTaskIds: ReadonlySet<string>;
  /** When each task's incident closed, for those closed since. */
  closedAt: ReadonlyMap<string, number>;
  /** Who acknowledged each task's open incident (lower-case ids), for those acknowledged. */
  acknowledgedBy?: ReadonlyMap<string, string>;
}

const waiting = (s: SymptomRow) => s.state === "waiting" || s.kind.endsWith(".waiting");

function holderOf(records: readonly CauseRecord[]) {
  const byRun = new Map<string, CauseRecord>();
  const byEvent = new Map<string, CauseRecord>();
  // Oldest first, so a run two causes recorded (a node's cause and its queue's) is told under the first to hold it.
  for (const r of [...records].sort((a, b) => a.parent.id - b.parent.id)) {
    for (const id of r.runIds) if (!byRun.has(id.toLowerCase())) byRun.set(id.toLowerCase(), r);
    for (const s of r.symptoms) if (!waiting(s) && !byEvent.has(s.eventId.toLowerCase())) byEvent.set(s.eventId.toLowerCase(), r);
  }
  // A task event's id is `${executionId}:${outcome}`: the symptom's event is the run (a run listed in an ended cause).
  return (run: FailedRun) => byRun.get(run.executionId) ?? byEvent.get(`${run.executionId}:${run.outcome}`);
}

/** The causes of the span's failed runs, and every cause open during the span even when none of its runs failed in it. */
export function failuresByCause(runs: readonly FailedRun[], records: readonly CauseRecord[], own: OwnState): ReportCause[] {
  const holder = holderOf(records);
  const mine = new Map<CauseRecord, FailedRun[]>();
  const alone = new Map<string, FailedRun[]>();
  for (const run of runs) {
    const r = holder(run);
    if (r) mine.set(r, [...(mine.get(r) ?? []), run]);
    else alone.set(run.taskId, [...(alone.get(run.taskId) ?? []), run]);
  }
  const grouped = records.map((r): ReportCause => {
    const held = mine.get(r) ?? [];
    const members = r.symptoms.filter((s) => s.taskId !== null && s.taskName !== null && !waiting(s));
    const memberIds = new Set([...members.map((s) => s.taskId!), ...held.map((x) => x.taskId)]);
    const promises = promisesHeld(r.symptoms).map((p) => `${p.promise}${p.app ? ` (${p.app})` : ""}: ${p.state}`);
    // An ended cause cannot be acknowledged itself: one of the incidents it left open was, and so all of them.
    const by = r.parent.acknowledgedBy ?? [...memberIds].map((id) => own.acknowledgedBy?.get(id)).find((x) => x !== undefined);
    return {
      title: r.parent.title,
      own: false,
      open: r.parent.status === "open",
      ...(r.parent.closedAt !== null ? { endedAt: r.parent.closedAt } : {}),
      runs: held.length,
      ...(r.reloadIds?.length ? { reloads: r.reloadIds.length } : {}),
      tasks: [...new Set([...members.map((s) => s.taskName!), ...held.map((x) => x.taskName)])].sort(),
      heldUp: new Set(r.symptoms.filter((s) => waiting(s) && s.taskId !== null && !memberIds.has(s.taskId)).map((s) => s.taskId)).size,
      ...(promises.length > 0 ? { promises } : {}),
      ...(by ? { acknowledgedBy: by } : {}),
    };
  });
  const ownCauses = [...alone.entries()].map(([taskId, xs]): ReportCause => {
    const classes = [...new Set(xs.map((x) => x.errorClass ?? "not classified"))].sort();
    const open = own.openTaskIds.has(taskId);
    const endedAt = open ? undefined : own.closedAt.get(taskId);
    const by = open ? own.acknowledgedBy?.get(taskId) : undefined;
    return {
      title: `${xs[xs.length - 1]!.taskName} failed: ${classes.join(", ")}`,
      own: true,
      open,
      ...(endedAt !== undefined ? { endedAt } : {}),
      runs: xs.length,
      tasks: [xs[xs.length - 1]!.taskName],
      heldUp: 0,
      ...(by ? { acknowledgedBy: by } : {}),
    };
  });
  const weight = (c: ReportCause) => c.runs + (c.reloads ?? 0);
  return [...grouped, ...ownCauses].sort((a, b) => weight(b) - weight(a) || Number(b.open) - Number(a.open) || a.title.localeCompare(b.title));
}
