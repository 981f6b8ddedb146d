// Per node, the runs that ended in a sliding window: a node whose runs all fail (several tasks, none succeeding) is
// down in effect even when no service is seen stopped (its engine cannot reach its disks, its Scheduler is unwell).
// Kept in memory per Steward: each Steward hears its own node's Scheduler, and a restart only forgets a few minutes.
import type { GroupingConfig } from "./config";

type Ended = "failed" | "succeeded";
/** Nodes tracked at once; a flood of invented host names cannot grow this without bound. */
const MAX_NODES = 1_000;

export function createFailingNodes(cfg: GroupingConfig["nodeDown"]["failingRuns"]) {
  const byNode = new Map<string, Array<{ subject: string; ended: Ended; at: number }>>();
  return {
    /** Records a run's end; true when, with it, every run of the window on this node failed across enough tasks. */
    record(node: string, subject: string, ended: Ended, now: number): boolean {
      if (!cfg.enabled) return false;
      let runs = byNode.get(node);
      if (!runs) {
        if (byNode.size >= MAX_NODES) byNode.delete(byNode.keys().next().value!);
        runs = [];
        byNode.set(node, runs);
      }
      runs.push({ subject, ended, at: now });
      const kept = runs.filter((r) => r.at > now - cfg.window).slice(-500);
      byNode.set(node, kept);
      if (kept.some((r) => r.ended === "succeeded")) return false;
      return new Set(kept.map((r) => r.subject)).size >= cfg.minTasks;
    },
  };
}
