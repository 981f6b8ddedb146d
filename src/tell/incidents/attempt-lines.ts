// Each attempt of a retried run with the line that states why it failed (issue 76): the page of a run whose every
// attempt failed lists them, and a run a retry recovered says what the retry got past. The script-log ends read for
// the earlier attempts are dropped once their line is read.
import type { RunAttempt, TaskEvent } from "../../platform/events/types";
import type { Classifier, ErrorCause } from "./classify";

export function withAttemptLines(e: TaskEvent, classifier: Classifier, cause: ErrorCause | undefined): TaskEvent {
  if (!e.attempts || e.attempts.length < 2) return e;
  const last = e.attempts.length - 1;
  const attempts = e.attempts.map((a, i): RunAttempt => {
    const { scriptLog, ...rest } = a;
    if (i === last) return cause?.errorLine ? { ...rest, errorLine: cause.errorLine } : rest;
    // An earlier attempt is read as a failure of its own: its log's end, else its error details in QRS.
    const { scriptLog: _own, execution: _x, logMessage: _m, ...plain } = e;
    const detail = a.errorDetails?.at(-1);
    const own: TaskEvent = { ...plain, ...(scriptLog ? { scriptLog } : {}), ...(detail ? { logMessage: detail } : {}) };
    const line = classifier.classify(own).errorLine;
    return line ? { ...rest, errorLine: line } : rest;
  });
  return { ...e, attempts };
}
