// What a datagram says beyond the run itself (the node that logged it, the Scheduler's message) is unauthenticated:
// a forged datagram that arrives before the real one makes the real one a duplicate, so its host would route the
// alert (the `hosts:` filter) and its message would be the alert's text. Once QRS confirms the run, these come
// from QRS unless the datagram agrees with it: the host must name the node QRS says executed the run, the message
// must be one the Scheduler writes for that outcome. A genuine datagram keeps its own spelling (Butler's alerts
// show it), so nothing changes for a site whose datagrams are real.
import type { QrsExecutionResult } from "../../platform/qlik/qrs-schemas";
import { executionStatusName } from "../../platform/qlik/qrs-schemas";
import type { TaskEvent } from "../../platform/events/types";

/**
 * Whether two host names name the same node: equal ignoring case, or one is the other's first DNS label
 * ("SENSE1" and "sense1.corp.example"; the Scheduler's %hostname and QRS may use either form).
 */
export function sameNode(a: string, b: string): boolean {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (x === "" || y === "") return false;
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return !short.includes(".") && long.startsWith(`${short}.`);
}

/** The messages the Scheduler's appenders send, per prefix (qlik-protocols §1.2: the filters, older files too). */
const SCHEDULER_MESSAGES: Record<"failed" | "aborted" | "succeeded" | "distribute", readonly string[]> = {
  failed: ["Task finished with state FinishedFail. Max retries reached.", "Max retries reached", "Failed to start session"],
  aborted: ["Execution State Change to Aborting"],
  succeeded: ["Execution State Change to FinishedSuccess", "Reload complete"],
  distribute: ["Exiting execute of Distribute task request."],
};

/** Whether `message` is one the Scheduler writes for this run: then the datagram's text is shown as it came. */
export function isSchedulerMessage(message: string, outcome: TaskEvent["outcome"], taskId: string, distribute: boolean): boolean {
  const kind = distribute ? "distribute" : outcome;
  if (SCHEDULER_MESSAGES[kind].includes(message)) return true;
  // A preload task that found no executor names itself.
  return kind === "failed" && message.toLowerCase() === `could not reserve an executor for task ${taskId}`.toLowerCase();
}

/** What QRS recorded last about the run: its newest detail ("Changing task state from Started to FinishedFail"). */
export function qrsMessage(execution: QrsExecutionResult): string {
  const details = [...(execution.details ?? [])].filter((d) => d.message).sort((a, b) => (a.detailCreatedDate ?? "").localeCompare(b.detailCreatedDate ?? ""));
  return details[details.length - 1]?.message ?? `Task finished with status ${executionStatusName(execution.status)}`;
}

/**
 * For a run QRS confirmed: the host is the executing node's (the datagram's spelling when it names that node), and
 * the message the datagram's when the Scheduler writes such a message, else QRS's. Returns what was replaced.
 */
export function settleDatagramClaims(event: TaskEvent, execution: QrsExecutionResult, distribute: boolean): Array<"host" | "message"> {
  const replaced: Array<"host" | "message"> = [];
  const node = execution.executingNodeName ?? "";
  if (node && !sameNode(event.host, node)) {
    event.host = node;
    replaced.push("host");
  }
  if (event.logMessage !== undefined && !isSchedulerMessage(event.logMessage, event.outcome, event.task.id, distribute)) {
    event.logMessage = qrsMessage(execution);
    replaced.push("message");
  }
  return replaced;
}
