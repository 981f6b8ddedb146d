// The words a message uses for what ran: a Scheduler task's run ("Reload task", its QRS status) or a reload outside the
// Scheduler (app.reload_failed, app.reload_succeeded), which is an app reloaded by a person or an integration, not a
// task: its own label, the app as its name, who reloaded it from where, and "failed" rather than QRS's FinishedFail.
import { isEngineReloadKind, type TaskEvent } from "../../platform/events/types";

export interface RunWords {
  /** True for a reload outside the Scheduler: templates show the app, the user and the node, no task fields. */
  outsideScheduler: boolean;
  /** What ran, before the node in a message's top line: "Reload task", "Reload outside the Scheduler". */
  runLabel: string;
  /** The name a headline gives: the task's, or the app's for a reload outside the Scheduler. */
  subjectName: string;
  /** "the hub or the data load editor", "the Engine API"; "" for a task. */
  startedFromText: string;
  /** "Reloaded from the hub or the data load editor by CORP\bob on sense2"; "" for a task. */
  reloadedByText: string;
  /** The status as a person reads it: QRS's for a task run (Butler's word), "failed" or "succeeded" for the others. */
  statusText: string;
}

const FROM = { proxy: "the hub or the data load editor", "engine-api": "the Engine API" } as const;

export function runWords(e: TaskEvent, taskTypeText: string): RunWords {
  if (!isEngineReloadKind(e.kind)) {
    return {
      outsideScheduler: false,
      runLabel: `${taskTypeText} task`,
      subjectName: e.task.name,
      startedFromText: "",
      reloadedByText: "",
      statusText: e.execution?.status ?? "",
    };
  }
  const from = e.startedVia ? FROM[e.startedVia] : "";
  const how = e.startedVia === "proxy" ? `from ${from}` : e.startedVia === "engine-api" ? `through ${from}` : "outside the Scheduler";
  const node = e.execution?.executingNode || e.host;
  return {
    outsideScheduler: true,
    runLabel: "Reload outside the Scheduler",
    subjectName: e.app?.name ?? e.task.name,
    startedFromText: from,
    reloadedByText: `Reloaded ${how} by ${e.user}${node ? ` on ${node}` : ""}`,
    statusText: e.outcome,
  };
}
