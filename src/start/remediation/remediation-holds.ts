// What is being done on each incident now (issue 101: the hold is the incident's, not one route's, whoever asked): each
// failure whose retry or re-run is due, waiting for a second person, waiting for the queue or an engine, or running,
// asked by a remediation rule or by a person, and each failure a rule holds for the retry of its cause's probe. The
// incidents' REST answer, the dashboard and the assistant read it by incident; the grouping and the watchdog by task,
// so an app after it in the chain is not paged stale meanwhile. Read from the shared store: on a cluster every Steward
// sees the holds any member's rule or any person made.
import type { SqlDb } from "../../platform/store/sql";
import type { HeldBy, RemediationHold } from "../../tell/incidents/remediation-holds";

/** Holds are few (tonight's retries); this bounds a site where a source took hundreds down. */
const LIMIT = 1000;

interface HeldFailure extends RemediationHold {
  incidentId: number;
  taskId: string;
  taskName: string;
}

const ruleOf = (requestedBy: string) => requestedBy.replace(/^rule:/, "");

function doingOf(kind: string, status: string, attempt: number | null): string {
  if (status === "awaiting") return `${kind === "rerun" ? "re-run" : "retry"} waiting for a second person to confirm it`;
  if (kind === "rerun") return status === "pending" ? "re-run waiting for the queue and a free engine" : "re-run running";
  const retry = attempt === null ? "retry" : `retry ${attempt}`;
  return status === "pending" ? `${retry} due` : `${retry} running`;
}

/** `rules`: whether remediation.rules has any; without, no failure waits for a cause's probe and that table is not read. */
export function createRemediationHolds(db: SqlDb, opts: { rules: boolean }) {
  async function all(): Promise<HeldFailure[]> {
    // A rule's retries are counted (the page names "retry 2"); a person's are not: each press is its own ask. With rules,
    // one statement for both kinds of hold (an action, a failure waiting for its cause's probe): the watchdog reads them
    // at every look. (PostgreSQL types a bare NULL of a derived table as text: due_at is cast to match the actions'.)
    const actionsSql = `SELECT 0 AS held_by, a.id AS ord, a.incident_id, a.task_id, a.task_name, a.kind, a.status, a.requested_by, a.requested_from, a.due_at,
              (SELECT COUNT(*) FROM remediation_actions b WHERE b.incident_id = a.incident_id AND b.requested_from = 'rule' AND b.id <= a.id) AS attempt,
              NULL AS rule_name, NULL AS probe_task
         FROM remediation_actions a
        WHERE a.kind IN ('retry', 'rerun')
          AND (a.status IN ('pending', 'claimed', 'started') OR (a.status = 'awaiting' AND a.requested_from <> 'rule'))
        ORDER BY a.id LIMIT ${LIMIT}`;
    const waitingSql = `SELECT 1 AS held_by, 0 AS ord, w.incident_id, w.task_id, w.task_name, NULL AS kind, NULL AS status, NULL AS requested_by,
              NULL AS requested_from, CAST(NULL AS BIGINT) AS due_at, 0 AS attempt, p.rule_name, p.task_name AS probe_task
         FROM remediation_cause_waiters w JOIN remediation_cause_probes p ON p.id = w.probe_id
        WHERE p.status = 'probing' LIMIT ${LIMIT}`;
    const rows = await db.all<Record<string, unknown>>(
      opts.rules ? `SELECT * FROM (${actionsSql}) actions UNION ALL SELECT * FROM (${waitingSql}) waiting ORDER BY held_by, ord` : actionsSql,
    );
    const actions = rows.filter((r) => Number(r.held_by) === 0);
    const waiting = rows.filter((r) => Number(r.held_by) === 1);
    return [
      ...actions.map((r) => {
        const byRule = String(r.requested_from) === "rule";
        const status = String(r.status);
        return {
          incidentId: Number(r.incident_id),
          taskId: String(r.task_id).toLowerCase(),
          taskName: String(r.task_name),
          rule: byRule ? ruleOf(String(r.requested_by)) : null,
          askedBy: String(r.requested_by),
          askedFrom: String(r.requested_from),
          doing: doingOf(String(r.kind), status, byRule ? Number(r.attempt) : null),
          dueAt: status === "pending" && String(r.kind) === "retry" ? Number(r.due_at) : null,
        };
      }),
      ...waiting.map((r) => ({
        incidentId: Number(r.incident_id),
        taskId: String(r.task_id).toLowerCase(),
        taskName: String(r.task_name),
        rule: String(r.rule_name),
        askedBy: `rule:${String(r.rule_name)}`,
        askedFrom: "rule",
        doing: `waiting for the retry of ${String(r.probe_task)} (same cause): retried once it succeeds`,
        dueAt: null,
      })),
    ];
  }
  return {
    /** The hold of each of the incidents, by id. */
    async ofIncidents(ids: readonly number[]): Promise<ReadonlyMap<number, RemediationHold>> {
      const wanted = new Set(ids);
      const out = new Map<number, RemediationHold>();
      for (const { incidentId, taskId: _t, taskName: _n, ...hold } of await all())
        if (wanted.has(incidentId) && !out.has(incidentId)) out.set(incidentId, hold);
      return out;
    },
    /** The tasks (QRS ids, lower case) whose failure is held, and by whom: the grouping holds their causes' symptoms. */
    async tasks(): Promise<ReadonlyMap<string, HeldBy>> {
      const out = new Map<string, HeldBy>();
      // A person's hold wins: it holds the symptoms whether or not the cause's page went out (that page is what they acted on).
      for (const h of await all()) if (out.get(h.taskId) !== "person") out.set(h.taskId, h.rule === null ? "person" : "rule");
      return out;
    },
    /** Per task (its QRS id, lower case), why what its failure causes is not paged yet, in words the watchdog's hold shows. */
    async byTask(formatTime: (ms: number) => string): Promise<ReadonlyMap<string, string>> {
      const out = new Map<string, string>();
      for (const h of await all()) if (!out.has(h.taskId)) out.set(h.taskId, holdWords(h, formatTime));
      return out;
    },
  };
}

function holdWords(h: HeldFailure, formatTime: (ms: number) => string): string {
  const doing = `${h.doing}${h.dueAt === null ? "" : ` at ${formatTime(h.dueAt)}`}`;
  if (h.rule !== null) return `remediation rule ${h.rule} is retrying task "${h.taskName}" (${doing}): paged only if it gives up`;
  return `${h.askedBy} asked to ${doing.startsWith("re-run") ? "re-run" : "retry"} task "${h.taskName}" (${doing}): paged only if it fails`;
}
