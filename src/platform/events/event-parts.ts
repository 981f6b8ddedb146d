// The parts a task event is built of (types.ts): names and values, a Qlik user, an execution's result and the
// kept script log.
export interface NameValue {
  name: string;
  value: string;
}

export interface QlikUserRef {
  id?: string;
  userDirectory: string;
  userId: string;
  name?: string;
  /** All e-mail attributes of the user, in QRS order. */
  emails: string[];
}

export interface ExecutionDetail {
  message: string;
  detailsType: number;
  createdDate: string;
}

export interface ExecutionInfo {
  executionResultId?: string;
  /** QRS status code (7 FinishedSuccess, 8 FinishedFail, 6 Aborted, …) and its name. */
  statusCode: number;
  status: string;
  startTime?: string;
  stopTime?: string;
  durationMs?: number;
  executingNode?: string;
  details: ExecutionDetail[];
  fileReferenceId?: string;
  scriptLogSize?: number;
}

/**
 * What an event keeps of a reload's script log (built by `keepScriptLog` in script-log-excerpt.ts). Lines longer
 * than 2,000 characters are cut with a visible note. Messages show an excerpt of these lines with a marker for
 * every stretch left out, so no line is ever skipped silently.
 */
export interface ScriptLogExcerpt {
  /** Lines 1 … head.length of the log. */
  head: string[];
  /** The last lines of the log (totalLines - tail.length + 1 … totalLines); never overlapping head. */
  tail: string[];
  /** Lines between head and tail kept because they state the failure or surround such a line, in order. */
  middle?: Array<{ n: number; text: string }>;
  /** Numbers (1-based) of the lines that state the failure (`Error: …`, `Execution Failed`), wherever they are;
   * of many, the first 5 and the last 5. */
  failureLines?: number[];
  /** How many lines state a failure in the whole log. */
  failureCount?: number;
  totalLines: number;
  sizeBytes: number;
  /** The whole log (capped), attached to failure e-mails. */
  text?: string;
  /** `text` holds only the end of the log, from line `textFirstLine` (a whole line) on. */
  truncated?: boolean;
  textFirstLine?: number;
}

/** One part of a report: a heading, its lines (a tone for each, as the dashboard colours), and what to say when empty. */
export interface ReportSection {
  title: string;
  lines: Array<{ text: string; tone?: "ok" | "warn" | "fail" | "info" }>;
  empty?: string;
}
