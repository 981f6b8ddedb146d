// A script log's telling lines as an answer gives them (GET /v4/runs, GET /v4/causes/{id}, the assistant's tools):
// the failing lines with their text and context, then the log's last lines, numbered, bounded. Read from every line
// the event kept (head, middle, tail), as the dashboard's event page does, so a failure in the head is never lost.
import type { ScriptLogExcerpt } from "../../platform/events/event-parts";
import { CONTEXT_AFTER, CONTEXT_BEFORE, keptScriptLog } from "./script-log-excerpt";

/** A script log's lines in an answer: enough to see the failure, never the whole log. */
export const SCRIPT_LINES_MAX = 40;
const LINE_CHARS_MAX = 300;

export interface ScriptLines {
  totalLines: number;
  /** The failing lines and those around them, then the log's last lines: `n` is the line number in the log. */
  lines: Array<{ n: number; text: string }>;
  failureLines: number[];
  /** The lines that state the failure, with their text (the numbers of `failureLines` the event kept). */
  failures: Array<{ n: number; text: string }>;
}

const cut = (s: string) => (s.length > LINE_CHARS_MAX ? `${s.slice(0, LINE_CHARS_MAX)}…` : s);

/** The kept lines that say most about a failure, numbered, at most `max`: failing lines first, then context, then the end. */
export function scriptLines(x: ScriptLogExcerpt, max = SCRIPT_LINES_MAX): ScriptLines {
  const shown = keptScriptLog(x);
  const kept = new Map<number, string>();
  for (const p of shown.parts) if (p.kind === "line") kept.set(p.n, p.text);
  const wanted: number[] = [];
  const want = (n: number) => kept.has(n) && !wanted.includes(n) && wanted.length < max && wanted.push(n);
  for (const f of shown.failures) want(f.n);
  for (const f of shown.failures) for (let n = f.n - CONTEXT_BEFORE; n <= f.n + CONTEXT_AFTER; n++) want(n);
  const numbers = [...kept.keys()].sort((a, b) => b - a);
  for (const n of numbers) {
    if (wanted.length >= max) break;
    want(n);
  }
  const line = (n: number) => ({ n, text: cut(kept.get(n)!) });
  return {
    totalLines: x.totalLines,
    lines: wanted.sort((a, b) => a - b).map(line),
    failureLines: x.failureLines ?? shown.failures.map((f) => f.n),
    failures: shown.failures.filter((f) => wanted.includes(f.n)).map((f) => line(f.n)),
  };
}
