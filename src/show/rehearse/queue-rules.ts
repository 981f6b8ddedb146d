// A config's [queue] rules (remediation.rules with errorClasses [queue]), rehearsed on the window's recorded runs the
// Scheduler's queue cancelled: as the live re-run does (auto-rerun.ts, rerun-decide.ts), each cancelled run whose task
// a [queue] rule matches is re-run once its node's queue drained (the recorded task.on_track of the node's backlog;
// when no route recorded the drain, at the latest recorded failure of that backlog), once per incident, never in a
// quiet window and within the budgets of the hour. What each re-run would have met is what the recorded runs say: the
// task failing again later in its incident (failing), or nothing between (unknown, with when its incident closed).
import type { DomainEvent, TaskEvent, WatchdogEvent } from "../../platform/events/types";
import { isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import { isRerunRule, type RemediationConfig } from "../../start/remediation/config";
import { ruleMatches, ruleName } from "../../start/remediation/rule-match";
import { nodeOf } from "../../tell/grouping/node-down";
import type { RecordedEvent } from "../noise/replay";
import type { NoiseIncident } from "../noise/types";
import type { RuleRehearsal } from "./types";

type Rules = Pick<RemediationConfig, "rules" | "budget">;
export type Made = Array<{ at: number; taskId: string; node: string }>;
export type OverBudget = (made: Made, t: number, taskId: string, node: string) => string | undefined;

const iso = (t: number) => new Date(t).toISOString();

/** The recorded drains of each node's queue (its backlog's task.on_track), oldest first. */
function drainsByNode(recorded: readonly RecordedEvent[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of recorded) {
    if (!isWatchdogEvent(r.event) || r.event.kind !== "task.on_track") continue;
    const e = r.event as WatchdogEvent;
    if (e.condition.type !== "queue_backlog") continue;
    const node = nodeOf(typeof e.data.node === "string" ? e.data.node : e.host);
    (out.get(node) ?? out.set(node, []).get(node)!).push(r.at);
  }
  for (const times of out.values()) times.sort((a, b) => a - b);
  return out;
}

/** Adds to `out` the re-runs `cfg`'s [queue] rules would have asked for, in the order they would start. */
export function rehearseQueueRules(
  cfg: Rules | undefined,
  recorded: readonly RecordedEvent[],
  incidents: ReadonlyMap<number, NoiseIncident>,
  quietAt: (e: DomainEvent, at: number) => string | undefined,
  budget: { made: Made; over: OverBudget },
  out: RuleRehearsal,
): void {
  const rules = (cfg?.rules ?? []).map((rule, index) => ({ rule, name: ruleName(rule, index) })).filter((r) => isRerunRule(r.rule));
  if (rules.length === 0) return;
  const cancelled = recorded
    .filter((r): r is { at: number; event: TaskEvent } => isTaskEvent(r.event) && r.event.kind === "task.failed" && r.event.errorClass === "queue")
    .sort((a, b) => a.at - b.at);
  const drains = drainsByNode(recorded);
  const lastFailureOf = new Map<number, number>();
  for (const f of recorded) if (isTaskEvent(f.event) && f.event.kind === "task.failed" && f.event.incident) lastFailureOf.set(f.event.incident.id, f.at);
  const planned: Array<{ t: number; at: number; e: TaskEvent; rule: string; drained: boolean }> = [];
  const seen = new Set<number>();
  for (const { at, event: e } of cancelled) {
    const incidentId = e.incident?.id;
    // Re-run once per incident, never a second time (rerun-decide.ts).
    if (incidentId !== undefined && (seen.has(incidentId) || (incidents.get(incidentId)?.closedAt ?? Number.POSITIVE_INFINITY) <= at)) continue;
    const task = { id: e.task.id.toLowerCase(), tags: e.task.tags ?? [], customProperties: e.task.customProperties ?? [] };
    const hit = rules.find((r) => ruleMatches(r.rule, { errorClass: "queue", task }));
    if (!hit) continue;
    if (incidentId !== undefined) seen.add(incidentId);
    const drain = drains.get(nodeOf(e.host))?.find((d) => d >= at);
    planned.push({ t: drain ?? at, at, e, rule: hit.name, drained: drain !== undefined });
  }
  planned.sort((a, b) => a.t - b.t);
  for (const { t, at, e, rule } of planned) {
    const incidentId = e.incident?.id;
    const incident = incidentId !== undefined ? incidents.get(incidentId) : undefined;
    // Ran again by itself (its trigger, its chain) before the queue drained: the live re-run skips it.
    if (incident?.closedAt != null && incident.closedAt <= t) continue;
    const taskId = e.task.id.toLowerCase();
    const why = quietAt(e, t) ?? budget.over(budget.made, t, taskId, e.host);
    if (why) {
      out.refused.push({ rule, taskName: e.task.name, at: iso(t), why });
      continue;
    }
    budget.made.push({ at: t, taskId, node: e.host });
    out.starts.push({
      rule,
      taskId,
      taskName: e.task.name,
      ...(e.host ? { node: e.host } : {}),
      ...(incidentId !== undefined ? { incidentId } : {}),
      failedAt: iso(at),
      at: iso(t),
      outcome: incidentId !== undefined && (lastFailureOf.get(incidentId) ?? -1) > t ? "failing" : "unknown",
      ...(incident?.closedAt != null ? { sourceBackAt: iso(incident.closedAt) } : {}),
    });
  }
}
