// The watchdog's look for starts that did not come: a due time of a schedule trigger with no start in its
// grace, and a chain whose upstream ended as its task-event trigger waits for while the downstream did not start.
import { STATUS } from "./observations";
import { nextExpectedStart } from "./schedule";
import { EARLY_MS, type Look } from "./evaluation-look";
import { NO_RUNS } from "./run-list";

/** Bound on due times examined per trigger per look (an every-minute trigger after a long outage). */
const MAX_DUE_PER_TRIGGER = 500;

/** Starts that did not come: each due time of each enabled schedule trigger whose grace ended since the last look. */
export function missedStarts(look: Look): void {
  const { i, cfg, plan, nowMs, latencies, graceOf, watched, startsOf, runningAt, open } = look;
  for (const t of plan.tasks.values()) {
    if (!watched(t) || t.schedules.length === 0) continue;
    const grace = graceOf(t);
    // Its starts only when a due time is judged (a few tasks a look): gathering them for all 5,800 tasks of the ×50
    // site at every look was most of this pass.
    let starts: number[] | undefined;
    for (const tr of t.schedules) {
      let due = nextExpectedStart(tr, Math.max(i.checkedUntilMs - grace, nowMs - cfg.keepRuns) - 1);
      for (let n = 0; due !== undefined && due + grace <= nowMs && n < MAX_DUE_PER_TRIGGER; n++) {
        if (due + grace > i.checkedUntilMs && due >= i.watchingSinceMs) {
          starts ??= startsOf(t.id);
          const answer = starts.filter((s) => s >= due! - EARLY_MS && s <= due! + grace).sort((a, b) => a - b)[0];
          if (answer !== undefined) latencies.push(Math.max(0, answer - due));
          // A run still going when the trigger fell due makes the Scheduler skip it: QRS records that as Skipped.
          else if (!runningAt(t.id, due))
            open({
              key: `missed:${t.id}:${tr.id.toLowerCase()}`,
              type: "missed",
              taskId: t.id,
              ...(t.appId ? { appId: t.appId } : {}),
              openedMs: due + grace,
              details: { expectedAtMs: due, trigger: tr.name, graceMs: grace },
            });
        }
        due = nextExpectedStart(tr, due);
      }
    }
  }
}

/** Chains that stopped: an upstream ended as a task-event trigger waits for, and the downstream did not start. */
export function brokenChains(look: Look): void {
  const { i, plan, nowMs, runsByTask, graceOf, watched, startsOf, runningAt, open } = look;
  for (const t of plan.tasks.values()) {
    if (!watched(t) || t.chains.length === 0) continue;
    const grace = graceOf(t);
    let starts: number[] | undefined;
    /** An end this look judges: its grace ended since the last look. */
    const judged = (end: number) => !(end + grace > nowMs || end + grace <= i.checkedUntilMs || end < i.watchingSinceMs);
    for (const c of t.chains) {
      const awaited = c.ruleStates.map((s) => (s === 2 ? STATUS.Fail : STATUS.Success));
      const endsOf = (k: number) => {
        const runs = runsByTask.get(c.upstreamIds[k]!) ?? NO_RUNS;
        const ends: number[] = [];
        for (let j = 0; j < runs.length; j++) if (runs.status(j) === awaited[k]) ends.push(runs.stopMs(j));
        return ends;
      };
      // Most looks judge no end of a chain's upstream tasks: those are found without gathering any list.
      const anyJudged = c.upstreamIds.some((id, k) => {
        const runs = runsByTask.get(id) ?? NO_RUNS;
        for (let j = 0; j < runs.length; j++) if (runs.status(j) === awaited[k] && judged(runs.stopMs(j))) return true;
        return false;
      });
      if (!anyJudged) continue;
      for (let k = 0; k < c.upstreamIds.length; k++) {
        for (const end of endsOf(k)) {
          if (!judged(end)) continue;
          const window = c.constraintMs > 0 ? c.constraintMs : Number.POSITIVE_INFINITY;
          const allMet = c.upstreamIds.every((_, j) => j === k || endsOf(j).some((e) => e <= end && e >= end - window));
          if (!allMet) continue;
          starts ??= startsOf(t.id);
          if (starts.some((s) => s >= end - 5_000 && s <= end + grace) || runningAt(t.id, end)) continue;
          const up = plan.tasks.get(c.upstreamIds[k]!);
          open({
            key: `chain:${t.id}:${c.triggerName}`,
            type: "chain_broken",
            taskId: t.id,
            ...(t.appId ? { appId: t.appId } : {}),
            openedMs: end,
            details: {
              expectedAtMs: end,
              trigger: c.triggerName,
              graceMs: grace,
              upstreamTask: up?.name ?? c.upstreamIds[k]!,
              upstreamOutcome: awaited[k] === STATUS.Fail ? "failure" : "success",
            },
          });
        }
      }
    }
  }
}
