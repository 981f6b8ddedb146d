// What the rules of remediation.rules are holding now (issue 101: the hold is the incident's, not one route's): each
// failure whose page waits for a rule's retry (due, running, a re-run waiting for the queue or an engine) or for the
// retry of its cause's probe. The incidents' REST answer, the dashboard and the assistant read it by incident; the
// watchdog reads it by task, so an app whose reload a rule is retrying is not paged stale meanwhile. Read from the
// shared store: on a cluster every Steward sees the holds any member's rule made.
import type { SqlDb } from "../../platform/store/sql";
import type { RuleHold } from "../../tell/incidents/rule-holds";

/** Holds are few (a rule's retries of tonight's failures); this bounds a site where a source took hundreds down. */
const LIMIT = 1000;

interface HeldFailure extends RuleHold {
  incidentId: number;
  taskId: string;
  taskName: string;
}

const ruleOf = (requestedBy: string) => requestedBy.replace(/^rule:/, "");

function doingOf(kind: string, status: string, attempt: number): string {
  if (kind === "rerun") return status === "pending" ? "re-run waiting for the queue and a free engine" : "re-run running";
  return status === "pending" ? `retry ${attempt} due` : `retry ${attempt} running`;
}

export function createRuleHolds(db: SqlDb) {
  async function all(): Promise<HeldFailure[]> {
    // One statement for both kinds of hold (a rule's retry or re-run, a failure waiting for its cause's probe): the
    // watchdog reads them at every look with a rule configured, and the grouping for a symptom of a cause paged nowhere.
    // (PostgreSQL types a bare NULL of a derived table as text: due_at is cast to match the actions' column.)
    const rows = await db.all<Record<string, unknown>>(
      `SELECT * FROM (
         SELECT 0 AS held_by, a.id AS ord, a.incident_id, a.task_id, a.task_name, a.kind, a.status, a.requested_by, a.due_at,
                (SELECT COUNT(*) FROM remediation_actions b WHERE b.incident_id = a.incident_id AND b.requested_from = 'rule' AND b.id <= a.id) AS attempt,
                NULL AS rule_name, NULL AS probe_task
           FROM remediation_actions a
          WHERE a.requested_from = 'rule' AND a.status IN ('pending', 'claimed', 'started') AND a.kind IN ('retry', 'rerun')
          ORDER BY a.id LIMIT ${LIMIT}) actions
       UNION ALL
       SELECT * FROM (
         SELECT 1 AS held_by, 0 AS ord, w.incident_id, w.task_id, w.task_name, NULL AS kind, NULL AS status, NULL AS requested_by, CAST(NULL AS BIGINT) AS due_at,
                0 AS attempt, p.rule_name, p.task_name AS probe_task
           FROM remediation_cause_waiters w JOIN remediation_cause_probes p ON p.id = w.probe_id
          WHERE p.status = 'probing' LIMIT ${LIMIT}) waiting
       ORDER BY held_by, ord`,
    );
    const actions = rows.filter((r) => Number(r.held_by) === 0);
    const waiting = rows.filter((r) => Number(r.held_by) === 1);
    return [
      ...actions.map((r) => ({
        incidentId: Number(r.incident_id),
        taskId: String(r.task_id).toLowerCase(),
        taskName: String(r.task_name),
        rule: ruleOf(String(r.requested_by)),
        doing: doingOf(String(r.kind), String(r.status), Number(r.attempt)),
        dueAt: String(r.status) === "pending" && String(r.kind) === "retry" ? Number(r.due_at) : null,
      })),
      ...waiting.map((r) => ({
        incidentId: Number(r.incident_id),
        taskId: String(r.task_id).toLowerCase(),
        taskName: String(r.task_name),
        rule: String(r.rule_name),
        doing: `waiting for the retry of ${String(r.probe_task)} (same cause): retried once it succeeds`,
        dueAt: null,
      })),
    ];
  }
  return {
    /** The hold of each of the incidents, by id. */
    async ofIncidents(ids: readonly number[]): Promise<ReadonlyMap<number, RuleHold>> {
      const wanted = new Set(ids);
      const out = new Map<number, RuleHold>();
      for (const h of await all())
        if (wanted.has(h.incidentId) && !out.has(h.incidentId)) out.set(h.incidentId, { rule: h.rule, doing: h.doing, dueAt: h.dueAt });
      return out;
    },
    /** The tasks (QRS ids, lower case) whose failure a rule is holding: the grouping holds their causes' symptoms. */
    async tasks(): Promise<ReadonlySet<string>> {
      return new Set((await all()).map((h) => h.taskId));
    },
    /** Per task (its QRS id, lower case), why its failure is not paged yet, in words the watchdog's hold shows. */
    async byTask(formatTime: (ms: number) => string): Promise<ReadonlyMap<string, string>> {
      const out = new Map<string, string>();
      for (const h of await all())
        if (!out.has(h.taskId))
          out.set(
            h.taskId,
            `remediation rule ${h.rule} is retrying task "${h.taskName}" (${h.doing}${h.dueAt === null ? "" : ` at ${formatTime(h.dueAt)}`}): paged only if it gives up`,
          );
      return out;
    },
  };
}
