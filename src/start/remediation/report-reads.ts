// What remediation is doing and what came of each action, for the morning report (issue 101): the actions not finished
// (a retry due, a rule holding, a re-run waiting for the queue or an engine, a run going), the failures waiting for
// their cause's probe, and the actions that finished in the report's span with who asked and how each went. Read from
// the shared store: on a cluster the report names every member's actions.
import type { SqlDb, SqlValue } from "../../platform/store/sql";
import { rowOf } from "./action-row";

/** Rows read at most of each kind: a night of hundreds is a cause the report's other sections tell better. */
const LIMIT = 200;

/** One action as the report words it (show/report/being-done.ts). */
export interface ReportAction {
  incidentId: number;
  taskName: string;
  kind: "retry" | "rerun" | "reload" | "chain" | "start";
  status: string;
  /** A rule's name for a rule's action, else the person who asked. */
  by: string;
  byRule: boolean;
  /** Where a person asked from (link, rest, teams …); "rule" for a rule. */
  from: string;
  requestedAt: number;
  dueAt: number;
  node: string | null;
  /** A re-run that waits for the re-run before it (chain order). */
  waitsForEarlier: boolean;
  /** A re-run or a chain's start waiting for a free engine (its node's queue empty, every engine busy): since when. */
  waitingSince: number | null;
  startedAt: number | null;
  endedAt: number | null;
  outcome: string | null;
  outcomeLine: string | null;
  confirmedBy: string | null;
  /** A rule's action: which of the incident's attempts it is, and how many the rule has (its retryAfter). */
  attempt?: number;
  attempts?: number;
}

/** A failure held until the retry of its cause's probe succeeds (cause-retry.ts). */
export interface ReportWaiter {
  incidentId: number;
  taskName: string;
  rule: string;
  probeTask: string;
}

export interface RemediationNight {
  doing: ReportAction[];
  waiting: ReportWaiter[];
  done: ReportAction[];
}

/** `attemptsOf`: how many retries a rule has (its retryAfter), by its name; undefined for a [queue] rule. */
export function createReportReads(db: SqlDb, attemptsOf: (rule: string) => number | undefined) {
  const actionsOf = async (where: string, args: readonly SqlValue[]): Promise<ReportAction[]> => {
    const rows = await db.all<Record<string, unknown>>(
      `SELECT a.*, (SELECT COUNT(*) FROM remediation_actions b WHERE b.incident_id = a.incident_id AND b.requested_from = 'rule' AND b.id <= a.id) AS attempt
         FROM remediation_actions a WHERE ${where} ORDER BY COALESCE(a.ended_at, a.requested_at), a.id LIMIT ${LIMIT}`,
      args,
    );
    return rows.map((r) => {
      const a = rowOf(r);
      const byRule = a.requestedFrom === "rule";
      const by = byRule ? a.requestedBy.replace(/^rule:/, "") : a.requestedBy;
      const attempts = byRule ? attemptsOf(by) : undefined;
      return {
        incidentId: a.incidentId,
        taskName: a.taskName,
        kind: a.kind,
        status: a.status,
        by,
        byRule,
        from: a.requestedFrom,
        requestedAt: a.requestedAt,
        dueAt: a.dueAt,
        node: a.node,
        waitsForEarlier: a.afterId > 0,
        waitingSince: a.waitingSince,
        startedAt: a.startedAt,
        endedAt: a.endedAt,
        outcome: a.outcome,
        outcomeLine: a.outcomeLine,
        confirmedBy: a.confirmedBy,
        ...(byRule && a.kind === "retry" ? { attempt: Number(r.attempt) } : {}),
        ...(attempts !== undefined && a.kind === "retry" ? { attempts } : {}),
      };
    });
  };
  return {
    async night(from: number, to: number): Promise<RemediationNight> {
      const [doing, done, waiting] = await Promise.all([
        actionsOf("a.status IN ('awaiting', 'pending', 'claimed', 'started')", []),
        actionsOf("a.status IN ('ended', 'failed', 'skipped', 'cancelled') AND a.ended_at >= ? AND a.ended_at < ?", [from, to]),
        db.all<Record<string, unknown>>(
          `SELECT w.incident_id, w.task_name, p.rule_name, p.task_name AS probe_task
             FROM remediation_cause_waiters w JOIN remediation_cause_probes p ON p.id = w.probe_id
            WHERE p.status = 'probing' ORDER BY w.incident_id LIMIT ${LIMIT}`,
        ),
      ]);
      return {
        doing,
        done,
        waiting: waiting.map((r) => ({
          incidentId: Number(r.incident_id),
          taskName: String(r.task_name),
          rule: String(r.rule_name),
          probeTask: String(r.probe_task),
        })),
      };
    },
  };
}
