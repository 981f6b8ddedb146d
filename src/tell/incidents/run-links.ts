// Which incident and which cause each run of a list belongs to (GET /v4/runs, the assistant's runs): looked up by the
// runs' ids in what the incidents recorded (incident_runs) and what the causes recorded (their runs, or a symptom
// that stands for the run), in one statement for the whole page, never one per row. SQL written once for both stores.
import type { SqlDb, SqlValue } from "../../platform/store/sql";
import { SUCCEEDED_BEFORE_HEARD } from "./late-failures";

/** A finished run as the run history keeps it. */
export interface RunRef {
  executionId: string;
  outcome: string;
}

/** null: no incident recorded the run (a run before any failure is kept), or no cause holds it (a cause of its own). */
export interface RunLink {
  incidentId: number | null;
  causeId: number | null;
  /** A failure heard of after its task's next success: when that success ended (it opened no incident, paged nobody). */
  succeededBeforeHeardAt?: number;
}

/** Runs looked up at once: a page of GET /v4/runs (at most 100) with room to spare. */
const MAX_RUNS = 500;

const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");
const keyOf = (executionId: string, outcome: string) => `${executionId.toLowerCase()}:${outcome}`;

/** Keyed by `${executionId lower case}:${outcome}`; a run nothing recorded is absent. */
export async function runLinksOf(db: SqlDb, runs: readonly RunRef[]): Promise<Map<string, RunLink>> {
  const list = runs.slice(0, MAX_RUNS);
  const out = new Map<string, RunLink>();
  if (list.length === 0) return out;
  const ids = [...new Set(list.map((r) => r.executionId))];
  // A cause records a run by its lower-case id; a symptom's event id is `${executionId}:${outcome}` as heard.
  const lower = [...new Set(ids.map((x) => x.toLowerCase()))];
  const events = [...new Set(list.flatMap((r) => [`${r.executionId}:${r.outcome}`, keyOf(r.executionId, r.outcome)]))];
  // The first cause to hold a run tells it, as the reports' "Failures by cause" does (a node's cause before its queue's).
  const rows = await db.all<{ k: string; run: string; outcome: string | null; id: number | null; late: number | null }>(
    `SELECT 'i' AS k, execution_id AS run, outcome, incident_id AS id, ${SUCCEEDED_BEFORE_HEARD} AS late FROM incident_runs r WHERE execution_id IN (${marks(ids.length)})
     UNION ALL SELECT 'r' AS k, run_id AS run, NULL AS outcome, MIN(parent_id) AS id, NULL AS late FROM cause_runs WHERE run_id IN (${marks(lower.length)}) GROUP BY run_id
     UNION ALL SELECT 's' AS k, event_id AS run, NULL AS outcome, MIN(parent_id) AS id, NULL AS late FROM cause_symptoms
       WHERE event_id IN (${marks(events.length)}) AND state <> 'waiting' AND kind NOT LIKE '%.waiting' GROUP BY event_id`,
    [...ids, ...lower, ...events] as SqlValue[],
  );
  const incident = new Map<string, number>();
  const late = new Map<string, number>();
  const causeOfRun = new Map<string, number>();
  const causeOfEvent = new Map<string, number>();
  for (const r of rows) {
    if (r.k === "i" && r.late !== null && r.late !== undefined) late.set(keyOf(String(r.run), String(r.outcome)), Number(r.late));
    if (r.id === null || r.id === undefined) continue;
    if (r.k === "i") incident.set(keyOf(String(r.run), String(r.outcome)), Number(r.id));
    else if (r.k === "r") causeOfRun.set(String(r.run).toLowerCase(), Number(r.id));
    else causeOfEvent.set(String(r.run).toLowerCase(), Number(r.id));
  }
  for (const r of list) {
    const key = keyOf(r.executionId, r.outcome);
    const incidentId = incident.get(key) ?? null;
    const causeId = causeOfRun.get(r.executionId.toLowerCase()) ?? causeOfEvent.get(key) ?? null;
    const lateAt = late.get(key);
    if (incidentId !== null || causeId !== null || lateAt !== undefined)
      out.set(key, { incidentId, causeId, ...(lateAt !== undefined ? { succeededBeforeHeardAt: lateAt } : {}) });
  }
  return out;
}
