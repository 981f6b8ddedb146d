// Reads the likely cause of a failed run: the lines that state the failure (the script log's last `Error:` line
// and the line after it, then QRS's error details, then the Scheduler's message) are tried against the rules in
// order; the first line a rule matches gives the class. Pure and cheap: each line is looked at once, cut short.
import { isFailureLine, keptScriptLog, logMessage } from "../../hear/events/script-log-excerpt";
import type { ErrorClass } from "../../platform/events/run-context";
import type { TaskEvent } from "../../platform/events/types";
import { queueHistory } from "../../platform/qlik/queue-history";
import { blankQuoted, BUILTIN_RULES, ERROR_HINTS, type ErrorRule } from "./error-rules";

export interface ErrorCause {
  errorClass: ErrorClass;
  errorHint: string;
  /** The line the class was read from (or, for `unknown`, the line that states the failure). */
  errorLine?: string;
}

export interface Classifier {
  classify(e: TaskEvent): ErrorCause;
  /** The class of one line; undefined when no rule matches. */
  classifyLine(line: string): ErrorRule["class"] | undefined;
}

/** Lines are matched on their start only: the cause is stated early, and a huge line must not cost more. */
export const MATCH_CHARS = 1_000;

/** Scheduler messages that only say that the run failed, not why. */
const GENERIC = /^(?:task finished with state|execution state change to|max retries reached|changing task state|execution failed\b|execution finished\b)/i;

export function createClassifier(extra: readonly ErrorRule[] = [], hints: Partial<Record<ErrorClass, string>> = {}): Classifier {
  const hintOf = (c: ErrorClass) => hints[c] ?? ERROR_HINTS[c];
  const classifyLine = (line: string) => {
    const text = (line.length > MATCH_CHARS ? line.slice(0, MATCH_CHARS) : line).replace(/^\s*error:\s*/i, "");
    // The administrator's rules see the line as it is (they may name a path); the built-in ones see it with quoted
    // names blanked.
    const own = extra.find((rule) => rule.pattern.test(text));
    if (own) return own.class;
    const bare = blankQuoted(text);
    return BUILTIN_RULES.find((rule) => rule.pattern.test(bare))?.class;
  };
  return {
    classifyLine,
    classify(e) {
      // A run Qlik cancelled while it waited for an engine never ran its script: the queue is the cause, whatever a
      // line says (read from the run's shape in QRS, as Qlik publishes no wording for it).
      const queued = e.execution ? queueHistory(e.execution.details, e.execution.statusCode) : undefined;
      if (queued?.cancelled)
        return {
          errorClass: "queue",
          errorHint: hintOf("queue"),
          errorLine: queued.message ?? "cancelled after waiting in the Scheduler's queue (never started)",
        };
      const candidates = failureLines(e);
      for (const line of candidates) {
        const c = classifyLine(line);
        if (c) return { errorClass: c, errorHint: hintOf(c), errorLine: line };
      }
      return { errorClass: "unknown", errorHint: hintOf("unknown"), ...(candidates[0] ? { errorLine: candidates[0] } : {}) };
    },
  };
}

/** The lines that may state why the run failed, most telling first. */
export function failureLines(e: TaskEvent): string[] {
  const out: string[] = [];
  const add = (s: string | undefined) => {
    const t = (s ?? "").replace(/^error:\s*/i, "").trim();
    if (t && !GENERIC.test(t) && !out.includes(t)) out.push(t);
  };
  if (e.scriptLog) {
    // With ErrorMode 0 earlier errors were skipped; the last one is what stopped the run. A connector's reason often
    // continues on the next line ("System error: …").
    const lines = keptScriptLog(e.scriptLog).parts.flatMap((p) => (p.kind === "line" ? [p] : []));
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i]!;
      if (!isFailureLine(l.text) || /^execution failed\b/i.test(logMessage(l.text))) continue;
      add(logMessage(l.text));
      const next = lines[i + 1];
      if (next && next.n === l.n + 1 && !isFailureLine(next.text)) add(logMessage(next.text));
      break;
    }
  }
  for (const d of e.execution?.details ?? []) if (d.detailsType === 0) add(d.message);
  add(e.logMessage);
  return out;
}
