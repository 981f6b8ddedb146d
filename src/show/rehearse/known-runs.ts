// The runs of each task the rehearsal knows of: the recorded ones (each task event is the end of one execution), and
// those a rehearsed re-run would have made, with the tasks its chain's triggers run after it. A re-run asks "did the
// task run since I was asked for?" of these, as the live worker asks QRS for the task's last execution.
import { isTaskEvent } from "../../platform/events/types";
import type { RecordedEvent } from "../noise/replay";

export interface KnownRuns {
  /** The task's last execution at `t` (its id; "none" before its first), as QRS would have answered then. */
  lastAt(taskId: string, t: number): string;
  /** A rehearsed re-run of `taskId` at `t`: it ran, and so did the tasks its success triggers. */
  ranBy(t: number, taskId: string, taskName: string, downstream: readonly string[]): void;
}

export function knownRuns(recorded: readonly RecordedEvent[]): KnownRuns {
  const runs = new Map<string, Array<{ at: number; id: string }>>();
  const add = (taskId: string, at: number, id: string) => void (runs.get(taskId) ?? runs.set(taskId, []).get(taskId)!).push({ at, id });
  for (const r of recorded) if (isTaskEvent(r.event)) add(r.event.task.id.toLowerCase(), r.at, r.event.executionId);
  for (const list of runs.values()) list.sort((a, b) => a.at - b.at);
  return {
    lastAt(taskId, t) {
      const list = runs.get(taskId) ?? [];
      let last = "none";
      // A rehearsed run at the drain's minute comes after the recorded ones of that minute: it started later.
      for (const r of list) if (r.at <= t) last = r.id;
      return last;
    },
    ranBy(t, taskId, taskName, downstream) {
      const insert = (id: string, run: string) => {
        const list = runs.get(id) ?? runs.set(id, []).get(id)!;
        list.push({ at: t, id: run });
        list.sort((a, b) => a.at - b.at);
      };
      insert(taskId, `the rehearsed re-run of ${taskName}`);
      for (const d of downstream) insert(d.toLowerCase(), `after the rehearsed re-run of ${taskName}`);
    },
  };
}
