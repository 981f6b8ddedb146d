// What is being done on each incident now (issue 101: the hold is the incident's, not one route's, whoever asked): each
// failure whose retry, re-run, Engine reload of its app or restart of its chain is due, waiting for a second person,
// waiting for the queue or an engine, or running, asked by a remediation rule or by a person, and each failure a rule
// holds for the retry of its cause's probe. The incidents' REST answer, the dashboard and the assistant read it by
// incident; the grouping and the watchdog by task, so an app after it in the chain is not paged stale meanwhile. Read
// from the shared store: on a cluster every Steward sees the holds any member's rule or any person made.
import type { Clock } from "../../platform/core/clock";
import type { SqlDb } from "../../platform/store/sql";
import type { ChainGraph } from "../../tell/grouping/chain-graph";
import type { StoredChains } from "../../tell/grouping/stored-chains";
import type { HeldBy, RemediationHold } from "../../tell/incidents/remediation-holds";
import { askedWords, doingOf, pagedWhen } from "./hold-doing";

/** The chain plan the watchdog keeps in the store, as it is now (its digest looked at again at most every 10 s: stored-chains.ts). */
export async function planOf(chains: Pick<StoredChains, "refresh" | "graph">, clock: Clock): Promise<ChainGraph | undefined> {
  await chains.refresh(clock.now());
  return chains.graph();
}

/** Holds are few (tonight's retries); this bounds a site where a source took hundreds down. */
const LIMIT = 1000;

export interface HeldFailure extends RemediationHold {
  incidentId: number;
  /** A re-run: the queue cause whose cancelled runs it runs again; 0 for none. */
  causeId: number;
  /** When it was asked for; null for a failure waiting for its cause's probe. */
  requestedAt: number | null;
  /** A rule's retry: which of the incident's attempts it is; null for a person's ask. */
  attempt: number | null;
  /** The task the action starts (a chain's restart: the task it starts from), or whose app it reloads. */
  taskId: string;
  taskName: string;
  kind: string;
  /** The tasks whose failure it holds: its own, and for a chain's restart every task it runs after it (its plan's). */
  runs: readonly string[];
}

const ruleOf = (requestedBy: string) => requestedBy.replace(/^rule:/, "");

/**
 * `rules`: whether remediation.rules has any; without, no failure waits for a cause's probe and that table is not read.
 * `chains`: the chain plan (the watchdog's, kept in the store), read only while an Engine reload or a chain's restart
 * holds something: the app the reload refreshes, the tasks the restart runs.
 */
export function createRemediationHolds(db: SqlDb, opts: { rules: boolean; chains?: () => Promise<ChainGraph | undefined> }) {
  async function all(): Promise<HeldFailure[]> {
    // A rule's retries are counted (the page names "retry 2"); a person's are not: each press is its own ask. With rules,
    // one statement for both kinds of hold (an action, a failure waiting for its cause's probe): the watchdog reads them
    // at every look. (PostgreSQL types a bare NULL of a derived table as text: due_at is cast to match the actions'.)
    const actionsSql = `SELECT 0 AS held_by, a.id AS ord, a.incident_id, a.task_id, a.task_name, a.kind, a.status, a.requested_by, a.requested_from, a.due_at, a.cause_id, a.after_id, a.requested_at,
              (SELECT COUNT(*) FROM remediation_actions b WHERE b.incident_id = a.incident_id AND b.requested_from = 'rule' AND b.id <= a.id) AS attempt,
              NULL AS rule_name, NULL AS probe_task, a.qlik_answer AS note
         FROM remediation_actions a
        WHERE a.kind IN ('retry', 'rerun', 'reload', 'chain')
          AND (a.status IN ('pending', 'claimed', 'started') OR (a.status = 'awaiting' AND a.requested_from <> 'rule'))
        ORDER BY a.id LIMIT ${LIMIT}`;
    const waitingSql = `SELECT 1 AS held_by, 0 AS ord, w.incident_id, w.task_id, w.task_name, NULL AS kind, NULL AS status, NULL AS requested_by,
              NULL AS requested_from, CAST(NULL AS BIGINT) AS due_at, 0 AS cause_id, 0 AS after_id, CAST(NULL AS BIGINT) AS requested_at, 0 AS attempt, p.rule_name, p.task_name AS probe_task, NULL AS note
         FROM remediation_cause_waiters w JOIN remediation_cause_probes p ON p.id = w.probe_id
        WHERE p.status = 'probing' LIMIT ${LIMIT}`;
    const rows = await db.all<Record<string, unknown>>(
      opts.rules ? `SELECT * FROM (${actionsSql}) actions UNION ALL SELECT * FROM (${waitingSql}) waiting ORDER BY held_by, ord` : actionsSql,
    );
    const actions = rows.filter((r) => Number(r.held_by) === 0);
    const waiting = rows.filter((r) => Number(r.held_by) === 1);
    // The plan only when an Engine reload or a chain's restart holds something (most looks: none).
    const graph = opts.chains && actions.some((r) => r.kind === "reload" || r.kind === "chain") ? await opts.chains() : undefined;
    return [
      ...actions.map((r) => {
        const byRule = String(r.requested_from) === "rule";
        const status = String(r.status);
        const kind = String(r.kind);
        const taskId = String(r.task_id).toLowerCase();
        const taskName = String(r.task_name);
        const note = r.note === null || r.note === undefined ? null : String(r.note);
        const appName = kind === "reload" ? graph?.task(taskId)?.appName : undefined;
        return {
          incidentId: Number(r.incident_id),
          causeId: Number(r.cause_id),
          requestedAt: Number(r.requested_at),
          attempt: byRule ? Number(r.attempt) : null,
          taskId,
          taskName,
          kind,
          runs: kind === "chain" ? [taskId, ...(graph?.downstreamOf(taskId).map((t) => t.id.toLowerCase()) ?? [])] : [taskId],
          rule: byRule ? ruleOf(String(r.requested_by)) : null,
          askedBy: String(r.requested_by),
          askedFrom: String(r.requested_from),
          doing: doingOf({ kind, status, taskName, attempt: byRule ? Number(r.attempt) : null, note, appName, afterEarlier: Number(r.after_id) > 0 }),
          dueAt: status === "pending" && kind === "retry" ? Number(r.due_at) : null,
        };
      }),
      ...waiting.map((r) => ({
        incidentId: Number(r.incident_id),
        causeId: 0,
        requestedAt: null,
        attempt: null,
        taskId: String(r.task_id).toLowerCase(),
        taskName: String(r.task_name),
        kind: "retry",
        runs: [String(r.task_id).toLowerCase()],
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
      for (const { incidentId, rule, askedBy, askedFrom, doing, dueAt } of await all())
        if (wanted.has(incidentId) && !out.has(incidentId)) out.set(incidentId, { rule, askedBy, askedFrom, doing, dueAt });
      return out;
    },
    /** Every hold, oldest ask first, each with its task and what it runs: the causes' "being done" (cause-being-done.ts). */
    all,
    /**
     * The tasks (QRS ids, lower case) whose failure is held, and by whom: the grouping holds their causes' symptoms. A
     * chain's restart holds the failure of each task it runs again (the incident's is among them when it starts above it).
     */
    async tasks(): Promise<ReadonlyMap<string, HeldBy>> {
      const out = new Map<string, HeldBy>();
      // A person's hold wins: it holds the symptoms whether or not the cause's page went out (that page is what they acted on).
      for (const h of await all()) for (const id of h.runs) if (out.get(id) !== "person") out.set(id, h.rule === null ? "person" : "rule");
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
  return `${h.askedBy} asked to ${askedWords(h.kind, h.taskName)} (${doing}): ${pagedWhen(h.kind)}`;
}
