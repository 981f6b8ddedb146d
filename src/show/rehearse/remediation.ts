// A config's automatic retries (remediation.rules), rehearsed on the window's recorded failures: the first matching
// rule retries an incident's first failure after each of its delays while it is still open, within the
// budget of the hour (per task, node and site) and never in a quiet window, as the live rules do (auto.ts). What each
// retry would have met is read from what the recorded runs say: the task failing
// again later in it (failing), or nothing between (unknown, with when a run found the source back). A failure that
// recovered before its retry was due pages nobody: the live rule holds its page until the retries are over. The
// [queue] rules' re-runs are rehearsed beside them (queue-rules.ts), within the same budgets.
import type { DomainEvent, TaskEvent } from "../../platform/events/types";
import { isTaskEvent } from "../../platform/events/types";
import { isRerunRule, type RemediationConfig } from "../../start/remediation/config";
import { HOUR, ruleMatches, ruleName } from "../../start/remediation/rule-match";
import type { RecordedEvent } from "../noise/replay";
import type { NoiseIncident } from "../noise/types";
import { type RehearsedChains, rehearseQueueRules } from "./queue-rules";
import type { RuleRehearsal } from "./types";

export type { RuleRehearsal };

type Rules = Pick<RemediationConfig, "rules" | "budget">;

const iso = (t: number) => new Date(t).toISOString();

/** The retries `cfg` would have started over the recorded failures, in the order they came. */
export function rehearseRules(
  cfg: Rules | undefined,
  recorded: readonly RecordedEvent[],
  incidents: ReadonlyMap<number, NoiseIncident>,
  quietAt: (e: DomainEvent, at: number) => string | undefined,
  chains?: RehearsedChains,
): RuleRehearsal {
  const out: RuleRehearsal = { starts: [], refused: [], notNeeded: [], held: new Map() };
  const rules = (cfg?.rules ?? []).map((rule, index) => ({ rule, name: ruleName(rule, index) })).filter((r) => !isRerunRule(r.rule));
  const made: Array<{ at: number; taskId: string; node: string }> = [];
  if (!cfg) return out;
  // The re-runs of the queue's cancellations share the budgets of the hour with the retries (rule-match.ts).
  rehearseQueueRules(cfg, recorded, incidents, quietAt, { made, over: (m, t, id, node) => overBudget(cfg.budget, m, t, id, node) }, out, chains);
  if (rules.length === 0) return sortStarts(out);
  const failures = [...recorded]
    .filter((r): r is { at: number; event: TaskEvent } => isTaskEvent(r.event) && r.event.kind === "task.failed")
    .sort((a, b) => a.at - b.at);
  // The last failure of each incident: "failed again after the retry" is one look, not a scan of the window per start.
  const lastFailureOf = new Map<number, number>();
  for (const f of failures) if (f.event.incident) lastFailureOf.set(f.event.incident.id, f.at);
  const laterFailures = (incidentId: number, after: number) => (lastFailureOf.get(incidentId) ?? -1) > after;
  const seenIncidents = new Set<number>();
  // Retries are judged in the order they would start: each budget counts the starts of the hour before it.
  for (const { at, event: e } of failures) {
    const incidentId = e.incident?.id;
    if (incidentId !== undefined && seenIncidents.has(incidentId)) continue;
    if (incidentId !== undefined) seenIncidents.add(incidentId);
    const task = { id: e.task.id.toLowerCase(), tags: e.task.tags ?? [], customProperties: e.task.customProperties ?? [] };
    const match = rules.find((r) => ruleMatches(r.rule, { errorClass: e.errorClass, task }));
    if (!match) continue;
    const incident = incidentId !== undefined ? incidents.get(incidentId) : undefined;
    let t = at;
    for (const delay of match.rule.retryAfter ?? []) {
      t += delay;
      // Recovered before the retry was due: the live rule starts nothing, and the page it held waits for no one.
      if (incident?.closedAt != null && incident.closedAt <= t) {
        out.held.set(e.id, `recovered at ${iso(incident.closedAt)}, before rule ${match.name}'s retry was due`);
        break;
      }
      const why = quietAt(e, t) ?? overBudget(cfg.budget, made, t, task.id, e.host);
      if (why) {
        out.refused.push({ rule: match.name, taskName: e.task.name, at: iso(t), why });
        break;
      }
      made.push({ at: t, taskId: task.id, node: e.host });
      const failing = incidentId !== undefined && laterFailures(incidentId, t);
      out.starts.push({
        rule: match.name,
        taskId: task.id,
        taskName: e.task.name,
        ...(e.host ? { node: e.host } : {}),
        ...(incidentId !== undefined ? { incidentId } : {}),
        failedAt: iso(at),
        at: iso(t),
        outcome: failing ? "failing" : "unknown",
        ...(incident?.closedAt != null ? { sourceBackAt: iso(incident.closedAt) } : {}),
      });
    }
  }
  return sortStarts(out);
}

/** The starts in the order they would have come, retries and re-runs together. */
function sortStarts(out: RuleRehearsal): RuleRehearsal {
  out.starts.sort((a, b) => a.at.localeCompare(b.at));
  out.refused.sort((a, b) => a.at.localeCompare(b.at));
  return out;
}

function overBudget(
  budget: Rules["budget"],
  made: ReadonlyArray<{ at: number; taskId: string; node: string }>,
  t: number,
  taskId: string,
  node: string,
): string | undefined {
  const hour = made.filter((m) => m.at > t - HOUR && m.at <= t);
  if (hour.filter((m) => m.taskId === taskId).length >= budget.perTask) return `the task's budget of ${budget.perTask} automatic retries an hour is used`;
  if (node && hour.filter((m) => m.node === node).length >= budget.perNode)
    return `node ${node}'s budget of ${budget.perNode} automatic retries an hour is used`;
  if (hour.length >= budget.perSite) return `the site's budget of ${budget.perSite} automatic retries an hour is used`;
  return undefined;
}
