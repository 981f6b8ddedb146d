// A config's [queue] rules (remediation.rules with errorClasses [queue]), rehearsed on the window's recorded runs the
// Scheduler's queue cancelled: as the live re-run does (auto-rerun.ts, rerun-decide.ts), each cancelled run whose task
// a [queue] rule matches is asked for once its node's queue drained (the recorded task.on_track of the node's backlog;
// when no route recorded the drain, at the latest recorded failure of that backlog), once per incident, never in a
// quiet window and within the budgets of the hour, in the live chain order (rerun.ts chainOrder); not one whose task ran
// again before the drain (its incident closed, or its last failure by then was not the queue's). At its turn a re-run
// is skipped as the live worker skips it (rerun-needed.ts) when its task ran since it was asked for: a recorded run, or
// its chain after the re-run of a task upstream (unless the recorded runs say that one would fail again). What each
// re-run would have met is what the recorded runs say: the task failing again later in its incident (failing), or
// nothing between (unknown, with when its incident closed).
import type { DomainEvent, TaskEvent, WatchdogEvent } from "../../platform/events/types";
import { isTaskEvent, isWatchdogEvent } from "../../platform/events/types";
import { isRerunRule, type RemediationConfig } from "../../start/remediation/config";
import { chainOrder } from "../../start/remediation/rerun";
import { rerunNotNeeded } from "../../start/remediation/rerun-needed";
import { ruleMatches, ruleName } from "../../start/remediation/rule-match";
import type { ChainGraph } from "../../tell/grouping/chain-graph";
import { nodeOf } from "../../tell/grouping/node-down";
import type { RecordedEvent } from "../noise/replay";
import type { NoiseIncident } from "../noise/types";
import { type KnownRuns, knownRuns } from "./known-runs";
import type { RuleRehearsal } from "./types";

type Rules = Pick<RemediationConfig, "rules" | "budget">;
export type Made = Array<{ at: number; taskId: string; node: string }>;
export type OverBudget = (made: Made, t: number, taskId: string, node: string) => string | undefined;
/** The site's chains as the watchdog last read them (the store's plan); without them no re-run is known to trigger another. */
export type RehearsedChains = Pick<ChainGraph, "upstreamOf" | "downstreamOf">;

interface Planned {
  t: number;
  at: number;
  e: TaskEvent;
  taskId: string;
  rule: string;
}

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

/** The re-runs each drain asks for, drain by drain, each drain's in the live chain order. */
function plannedByDrain(planned: Planned[], chains: RehearsedChains | undefined): Planned[][] {
  const drains = new Map<string, Planned[]>();
  for (const p of [...planned].sort((a, b) => a.t - b.t)) {
    const key = `${p.t}\u0000${nodeOf(p.e.host)}`;
    (drains.get(key) ?? drains.set(key, []).get(key)!).push(p);
  }
  return [...drains.values()].map((ps) =>
    chainOrder(
      ps.map((p) => ({ ...p, firstAt: p.at })),
      chains,
    ),
  );
}

/** Adds to `out` the re-runs `cfg`'s [queue] rules would have asked for, in the order they would start. */
export function rehearseQueueRules(
  cfg: Rules | undefined,
  recorded: readonly RecordedEvent[],
  incidents: ReadonlyMap<number, NoiseIncident>,
  quietAt: (e: DomainEvent, at: number) => string | undefined,
  budget: { made: Made; over: OverBudget },
  out: RuleRehearsal,
  chains?: RehearsedChains,
): void {
  const rules = (cfg?.rules ?? []).map((rule, index) => ({ rule, name: ruleName(rule, index) })).filter((r) => isRerunRule(r.rule));
  if (rules.length === 0) return;
  const cancelled = recorded
    .filter((r): r is { at: number; event: TaskEvent } => isTaskEvent(r.event) && r.event.kind === "task.failed" && r.event.errorClass === "queue")
    .sort((a, b) => a.at - b.at);
  const drains = drainsByNode(recorded);
  const lastFailureOf = new Map<number, number>();
  const failuresOf = new Map<number, Array<{ at: number; errorClass: string | undefined }>>();
  for (const f of [...recorded].sort((x, y) => x.at - y.at)) {
    if (!isTaskEvent(f.event) || f.event.kind !== "task.failed" || !f.event.incident) continue;
    const id = f.event.incident.id;
    lastFailureOf.set(id, f.at);
    (failuresOf.get(id) ?? failuresOf.set(id, []).get(id)!).push({ at: f.at, errorClass: f.event.errorClass });
  }
  // The incident's class at the drain is its last failure's then (the incident store keeps the latest).
  const classAt = (incidentId: number, t: number) => failuresOf.get(incidentId)?.findLast((f) => f.at <= t)?.errorClass;
  const planned: Planned[] = [];
  const seen = new Set<number>();
  for (const { at, event: e } of cancelled) {
    const incidentId = e.incident?.id;
    // Re-run once per incident, never a second time (rerun-decide.ts).
    if (incidentId !== undefined && (seen.has(incidentId) || (incidents.get(incidentId)?.closedAt ?? Number.POSITIVE_INFINITY) <= at)) continue;
    const taskId = e.task.id.toLowerCase();
    const task = { id: taskId, tags: e.task.tags ?? [], customProperties: e.task.customProperties ?? [] };
    const hit = rules.find((r) => ruleMatches(r.rule, { errorClass: "queue", task }));
    if (!hit) continue;
    const t = drains.get(nodeOf(e.host))?.find((d) => d >= at) ?? at;
    // It ran again before the drain and failed for another reason: no longer a run the queue cancelled, the live
    // re-run does not ask for it (rerun.ts cancelledRuns); a later cancellation of the same incident may be.
    if (incidentId !== undefined && classAt(incidentId, t) !== "queue") continue;
    if (incidentId !== undefined) seen.add(incidentId);
    planned.push({ t, at, e, taskId, rule: hit.name });
  }
  const runs = knownRuns(recorded);
  for (const drain of plannedByDrain(planned, chains)) {
    const t = drain[0]!.t;
    // The task's last run when the re-run is asked for: what the live request notes (seenExecution).
    const asked = new Map(drain.map((p) => [p.taskId, runs.lastAt(p.taskId, t)]));
    for (const p of drain) judge(p, asked.get(p.taskId)!, { incidents, lastFailureOf, quietAt, budget, out, runs, chains });
  }
}

interface Judging {
  incidents: ReadonlyMap<number, NoiseIncident>;
  lastFailureOf: ReadonlyMap<number, number>;
  quietAt: (e: DomainEvent, at: number) => string | undefined;
  budget: { made: Made; over: OverBudget };
  out: RuleRehearsal;
  runs: KnownRuns;
  chains: RehearsedChains | undefined;
}

/** One re-run at its turn: skipped, refused, not needed or started (and then a run its chain's triggers follow). */
function judge({ t, at, e, taskId, rule }: Planned, seenExecution: string, j: Judging): void {
  const incidentId = e.incident?.id;
  const incident = incidentId !== undefined ? j.incidents.get(incidentId) : undefined;
  // Ran again by itself (its trigger, its chain) before the queue drained: the live re-run does not ask for it.
  if (incident?.closedAt != null && incident.closedAt <= t) return;
  const why = j.quietAt(e, t) ?? j.budget.over(j.budget.made, t, taskId, e.host);
  if (why) {
    j.out.refused.push({ rule, taskName: e.task.name, at: iso(t), why });
    return;
  }
  // Asked for: it counts against the budgets of the hour whether it starts or is found not needed (ruleCounts).
  j.budget.made.push({ at: t, taskId, node: e.host });
  const notNeeded = rerunNotNeeded({ kind: "rerun", takenFrom: null, seenExecution }, j.runs.lastAt(taskId, t));
  if (notNeeded) {
    j.out.notNeeded.push({ rule, taskName: e.task.name, at: iso(t), why: notNeeded });
    return;
  }
  const outcome = incidentId !== undefined && (j.lastFailureOf.get(incidentId) ?? -1) > t ? "failing" : "unknown";
  // A re-run that would fail again starts nothing after it; one that may succeed runs its chain's next tasks.
  if (outcome !== "failing") j.runs.ranBy(t, taskId, e.task.name, j.chains?.downstreamOf(taskId).map((d) => d.id) ?? []);
  j.out.starts.push({
    rule,
    taskId,
    taskName: e.task.name,
    ...(e.host ? { node: e.host } : {}),
    ...(incidentId !== undefined ? { incidentId } : {}),
    failedAt: iso(at),
    at: iso(t),
    outcome,
    ...(incident?.closedAt != null ? { sourceBackAt: iso(incident.closedAt) } : {}),
  });
}
