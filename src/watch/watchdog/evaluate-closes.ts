// The watchdog's look at what is over: an open condition closes when the start it waited for came, the run
// ended, or the app reloaded (or was deleted).
import { spanText } from "../../tell/notify/time-format";
import { STATUS } from "./observations";
import type { CloseCondition } from "./evaluation-types";
import { EARLY_MS, type Look } from "./evaluation-look";
import type { StaleFacts } from "./evaluate-stale";

/** The open conditions that are over, each with how it ended. */
export function closedConditions(look: Look, staleOf: StaleFacts): CloseCondition[] {
  const { i, plan, runsByTask, startsOf } = look;
  const closes: CloseCondition[] = [];
  const runningExec = new Set(i.running.map((e) => e.executionId));
  for (const c of i.open) {
    // A task turned off keeps its open conditions (task.disabled says why): they close when it runs again.
    const firstStartAfter = (from: number) =>
      c.taskId
        ? startsOf(c.taskId)
            .filter((s) => s >= from)
            .sort((a, b) => a - b)[0]
        : undefined;
    switch (c.type) {
      case "missed":
      case "skipped":
      case "chain_broken": {
        const from = (c.details.expectedAtMs ?? c.openedMs) - (c.type === "chain_broken" ? 5_000 : c.type === "skipped" ? -1 : EARLY_MS);
        const s = firstStartAfter(from);
        if (s !== undefined)
          closes.push({
            key: c.key,
            resolution: `started at ${new Date(s).toISOString()}${c.details.expectedAtMs !== undefined && c.type !== "skipped" ? `, ${spanText(s - c.details.expectedAtMs)} after it was due` : ""}`,
          });
        break;
      }
      case "running_long":
      case "retrying": {
        const exec = c.details.executionId;
        if (exec && !runningExec.has(exec)) {
          const ended = (runsByTask.get(c.taskId ?? "")?.rows() ?? [])
            .filter((r) => r.status !== STATUS.Retry && (r.startMs ?? 0) >= (c.details.startedAtMs ?? 0) - 1)
            .pop();
          const took = ended && c.details.startedAtMs !== undefined ? ` after ${spanText(ended.stopMs - c.details.startedAtMs)}` : "";
          const how = ended ? (ended.status === STATUS.Success ? "succeeded" : ended.status === STATUS.Fail ? "failed" : "ended") : "is no longer running";
          if (ended || c.type === "running_long") closes.push({ key: c.key, resolution: `the run ${how}${took}` });
        }
        break;
      }
      case "stale": {
        const s = c.appId ? staleOf.get(c.appId) : undefined;
        if (s?.lastMs !== undefined && s.lastMs > c.openedMs)
          closes.push({ key: c.key, resolution: `reloaded successfully at ${new Date(s.lastMs).toISOString()}` });
        else if (c.appId && !staleOf.has(c.appId) && !plan.apps.has(c.appId)) closes.push({ key: c.key, resolution: "the app was deleted" });
        break;
      }
    }
  }
  return closes;
}
