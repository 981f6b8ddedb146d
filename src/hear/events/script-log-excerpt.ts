// The part of a Qlik script log that alerts show: the first lines, every line that states the failure with a
// little context, and the last lines — in log order, never overlapping, each skipped stretch shown as an
// "… N lines omitted …" marker. The intake applies it to the full log (what the event keeps); every channel
// applies it again to the event's lines with its own line counts and size limit. Cost is linear in the log.
import type { ScriptLogExcerpt } from "../../platform/events/types";

export interface NumberedLine {
  /** 1-based line number in the full log. */
  n: number;
  text: string;
}

export type ExcerptPart =
  | { kind: "line"; n: number; text: string; failure: boolean }
  | { kind: "omitted"; from: number; to: number; count: number /** "… 14 lines omitted (lines 16–29) …" */; text: string };

export interface ShownScriptLog {
  parts: ExcerptPart[];
  totalLines: number;
  shownLines: number;
  omittedLines: number;
  /** The lines that state the failure, as shown (in log order). */
  failures: NumberedLine[];
  /** How many failure lines the log has (more than shown when the log repeats errors). */
  failureCount: number;
}

export interface ExcerptLimits {
  head: number;
  tail: number;
}

export interface FitOptions {
  /** Upper bound of the rendered text (markers and line breaks included), as `measure` counts it. */
  maxChars?: number;
  /** Longer lines are cut (with a visible "[+N characters]" note). */
  maxLineChars?: number;
  /** Length of a piece of text as the target counts it (e.g. after Slack's escaping); default its length. */
  measure?: (s: string) => number;
}

/** Lines shown before and after each failure line: the failing statement usually spans the lines before. */
export const CONTEXT_BEFORE = 3;
export const CONTEXT_AFTER = 1;
/** Failure lines kept when a log repeats them: the first and the last ones (the root cause and the end). */
export const FAILURES_FIRST = 5;
export const FAILURES_LAST = 5;
/** Lines the event keeps are cut at this length: one huge line must not make every alert huge. */
export const STORED_LINE_CHARS = 2_000;
/** Only the start of a line is inspected for a failure marker, so a very long line costs no more. */
const INSPECT_CHARS = 200;

// Engine script-log lines start with a stamp: Qlik's compact `20251103T055959.415+0100 `, or a dashed
// `2019-10-23 10:09:05 ` (logs written by other releases and settings); statement echoes then carry the script line
// number (`0005  LOAD …`) — an echo is script text, never a failure however it reads.
const STAMP = /^(?:\d{8}T\d{6}(?:\.\d{1,6})?(?:[+-]\d{4}|Z)?|\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d{1,7})?(?:Z|[+-]\d\d:?\d\d)?)\s/;
const ECHO = /^\d{4,}\s\s/;
const FAILURE = /^(?:error:|execution failed\b|the following error occurred\b)/i;

/** A log line without its engine stamp and indentation: `Error: Cannot open file …`. */
export function logMessage(line: string): string {
  const stamp = STAMP.exec(line.length > INSPECT_CHARS ? line.slice(0, INSPECT_CHARS) : line);
  return (stamp ? line.slice(stamp[0].length) : line).trim();
}

/** True for a line in which Qlik states a failure: `Error: …`, `Execution Failed`, `The following error occurred:`. */
export function isFailureLine(line: string): boolean {
  let s = line.length > INSPECT_CHARS ? line.slice(0, INSPECT_CHARS) : line;
  const stamp = STAMP.exec(s);
  if (stamp) s = s.slice(stamp[0].length);
  if (ECHO.test(s)) return false;
  return FAILURE.test(s.trimStart());
}

/** Cuts a line to `max` characters, saying how much was left out. */
export function clipLine(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = Math.max(1, max - 24);
  return `${text.slice(0, keep)} … [+${text.length - keep} characters]`;
}

/** The failure lines to keep: all of them, or the first and the last ones when there are many. */
function capFailures(found: number[]): number[] {
  if (found.length <= FAILURES_FIRST + FAILURES_LAST) return found;
  return [...found.slice(0, FAILURES_FIRST), ...found.slice(found.length - FAILURES_LAST)];
}

/** Inclusive line ranges to show (head, failure context, tail), sorted and merged. */
function shownRanges(total: number, failures: readonly number[], limits: ExcerptLimits): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  if (limits.head > 0) ranges.push([1, Math.min(total, limits.head)]);
  for (const f of failures) ranges.push([Math.max(1, f - CONTEXT_BEFORE), Math.min(total, f + CONTEXT_AFTER)]);
  if (limits.tail > 0) ranges.push([Math.max(1, total - limits.tail + 1), total]);
  ranges.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else if (r[0] <= r[1]) merged.push([r[0], r[1]]);
  }
  return merged;
}

/** Shown lines in order, with a marker for every gap before, between and after them. */
export function withOmissions(lines: readonly NumberedLine[], total: number, failures: ReadonlySet<number>): ExcerptPart[] {
  const parts: ExcerptPart[] = [];
  let prev = 0;
  for (const l of lines) {
    if (l.n > prev + 1) parts.push(omitted(prev + 1, l.n - 1));
    parts.push({ kind: "line", n: l.n, text: l.text, failure: failures.has(l.n) });
    prev = l.n;
  }
  if (total > prev) parts.push(omitted(prev + 1, total));
  return parts;
}

function omitted(from: number, to: number): ExcerptPart {
  const count = to - from + 1;
  const text = count === 1 ? `… 1 line omitted (line ${from}) …` : `… ${count} lines omitted (lines ${from}–${to}) …`;
  return { kind: "omitted", from, to, count, text };
}

function summarize(parts: ExcerptPart[], total: number, failureCount: number): ShownScriptLog {
  let shown = 0;
  const failures: NumberedLine[] = [];
  for (const p of parts) {
    if (p.kind !== "line") continue;
    shown++;
    if (p.failure) failures.push({ n: p.n, text: p.text });
  }
  return { parts, totalLines: total, shownLines: shown, omittedLines: total - shown, failures, failureCount };
}

/** Picks the shown lines from whatever lines are known; unknown lines become part of an omission. */
function select(
  total: number,
  get: (n: number) => string | undefined,
  failures: readonly number[],
  limits: ExcerptLimits,
  failureCount: number,
): ShownScriptLog {
  const lines: NumberedLine[] = [];
  for (const [from, to] of shownRanges(total, failures, limits)) {
    for (let n = from; n <= to; n++) {
      const text = get(n);
      if (text !== undefined) lines.push({ n, text });
    }
  }
  return summarize(withOmissions(lines, total, new Set(failures)), total, failureCount);
}

/** Splits a log into lines (CRLF or LF; a final line break does not start a line). */
export function splitLogLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** What an event keeps of a full log: head and tail (not overlapping), the failure lines with context between them. */
export function keepScriptLog(
  lines: readonly string[],
  limits: ExcerptLimits,
): Pick<ScriptLogExcerpt, "head" | "tail" | "middle" | "failureLines" | "failureCount" | "totalLines"> {
  const total = lines.length;
  // The first and the last failure lines and a count: a log repeating an error a million times costs no memory.
  const first: number[] = [];
  const last: number[] = [];
  let count = 0;
  for (let i = 0; i < total; i++) {
    if (!isFailureLine(lines[i]!)) continue;
    count++;
    if (first.length < FAILURES_FIRST) first.push(i + 1);
    else {
      last.push(i + 1);
      if (last.length > FAILURES_LAST) last.shift();
    }
  }
  const failures = [...first, ...last];
  const shown = select(total, (n) => lines[n - 1], failures, limits, count);
  const headEnd = Math.min(total, limits.head);
  const tailStart = Math.max(headEnd + 1, total - limits.tail + 1);
  const head: string[] = [];
  const tail: string[] = [];
  const middle: NumberedLine[] = [];
  for (const p of shown.parts) {
    if (p.kind !== "line") continue;
    const text = clipLine(p.text, STORED_LINE_CHARS);
    if (p.n <= headEnd) head.push(text);
    else if (p.n >= tailStart) tail.push(text);
    else middle.push({ n: p.n, text });
  }
  return { head, tail, middle, failureLines: failures, failureCount: count, totalLines: total };
}

/** The lines an event kept, by line number (events stored before `middle` existed have head and tail only). */
function keptLines(log: ScriptLogExcerpt): (n: number) => string | undefined {
  const tailStart = log.totalLines - log.tail.length + 1;
  const middle = new Map((log.middle ?? []).map((l) => [l.n, l.text]));
  return (n) => (n <= log.head.length ? log.head[n - 1] : n >= tailStart ? log.tail[n - tailStart] : middle.get(n));
}

/** The excerpt a message shows of an event's log, with the channel's head and tail counts. */
export function showScriptLog(log: ScriptLogExcerpt, limits: ExcerptLimits): ShownScriptLog {
  const get = keptLines(log);
  let failures = log.failureLines;
  let count = log.failureCount;
  if (!failures) {
    const found: number[] = [];
    const tailStart = log.totalLines - log.tail.length + 1;
    log.head.forEach((l, i) => isFailureLine(l) && found.push(i + 1));
    log.tail.forEach((l, i) => isFailureLine(l) && found.push(tailStart + i));
    failures = capFailures(found);
    count = found.length;
  }
  return select(log.totalLines, get, failures, limits, count ?? failures.length);
}

/** Every line the event kept, in order, with a marker for each gap (what a mail attaches when it has no full text). */
export function keptScriptLog(log: ScriptLogExcerpt): ShownScriptLog {
  const tailStart = log.totalLines - log.tail.length + 1;
  const lines: NumberedLine[] = log.head.map((text, i) => ({ n: i + 1, text }));
  let last = lines.length;
  for (const l of [...(log.middle ?? [])].sort((a, b) => a.n - b.n)) {
    if (l.n > last && l.n < tailStart) lines.push(l), (last = l.n);
  }
  log.tail.forEach((text, i) => tailStart + i > last && lines.push({ n: tailStart + i, text }));
  const failures = new Set(log.failureLines ?? []);
  return summarize(withOmissions(lines, log.totalLines, failures), log.totalLines, log.failureCount ?? failures.size);
}

/** The first `count` lines of the log (Butler's scriptLogHead), as far as the event kept them without a gap. */
export function logHead(log: ScriptLogExcerpt, count: number): string[] {
  const get = keptLines(log);
  const out: string[] = [];
  for (let n = 1; n <= Math.min(count, log.totalLines); n++) {
    const t = get(n);
    if (t === undefined) break;
    out.push(t);
  }
  return out;
}

/** The last `count` lines of the log (Butler's scriptLogTail), as far as the event kept them without a gap. */
export function logTail(log: ScriptLogExcerpt, count: number): string[] {
  const get = keptLines(log);
  const out: string[] = [];
  for (let n = log.totalLines; n >= 1 && n > log.totalLines - count; n--) {
    const t = get(n);
    if (t === undefined) break;
    out.push(t);
  }
  return out.reverse();
}

/** The excerpt as text: one line per shown line or marker. */
export function excerptText(shown: ShownScriptLog, newline = "\n"): string {
  return shown.parts.map((p) => p.text).join(newline);
}

/**
 * Makes the excerpt fit a message limit without losing the failure: long lines are cut first, then whole lines
 * are left out (the head from its end, the tail from its start, then the context), and only then are the failure
 * lines themselves shortened. Markers always count what is left out.
 */
export function fitScriptLog(shown: ShownScriptLog, o: FitOptions): ShownScriptLog {
  const measure = o.measure ?? ((s: string) => s.length);
  const failureSet = new Set(shown.failures.map((f) => f.n));
  let lines: NumberedLine[] = [];
  for (const p of shown.parts) if (p.kind === "line") lines.push({ n: p.n, text: o.maxLineChars ? clipLine(p.text, o.maxLineChars) : p.text });
  const build = (ls: NumberedLine[]) => summarize(withOmissions(ls, shown.totalLines, failureSet), shown.totalLines, shown.failureCount);
  const size = (s: ShownScriptLog) => {
    let sum = Math.max(0, s.parts.length - 1);
    for (const p of s.parts) sum += measure(p.text);
    return sum;
  };
  const max = o.maxChars;
  let result = build(lines);
  if (max === undefined || size(result) <= max) return result;

  const order = dropOrder(lines, failureSet);
  // The smallest number of dropped lines that fits; rendering is linear, so this stays O(n log n).
  let lo = 1;
  let hi = order.length;
  const without = (k: number) => {
    const gone = new Set(order.slice(0, k));
    return lines.filter((l) => !gone.has(l.n));
  };
  if (hi > 0 && size(build(without(hi))) <= max) {
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (size(build(without(mid))) <= max) hi = mid;
      else lo = mid + 1;
    }
    return build(without(hi));
  }
  // Only failure lines are left and they are still too long: share the room between them.
  lines = without(order.length);
  const markers = size(build(lines.map((l) => ({ n: l.n, text: "" }))));
  const each = Math.max(40, Math.floor((max - markers) / Math.max(1, lines.length)));
  result = build(lines.map((l) => ({ n: l.n, text: clipLine(l.text, each) })));
  while (result.shownLines > 1 && size(result) > max) {
    // Still too long (tiny limits): keep the last failures, which say how the run ended.
    lines = lines.slice(1);
    result = build(lines.map((l) => ({ n: l.n, text: clipLine(l.text, each) })));
  }
  return result;
}

/** Line numbers in the order they are given up: head from its end, tail from its start, then context. */
function dropOrder(lines: readonly NumberedLine[], failures: ReadonlySet<number>): number[] {
  const nearFailure = (n: number) => {
    for (let d = -CONTEXT_AFTER; d <= CONTEXT_BEFORE; d++) if (failures.has(n + d)) return true;
    return false;
  };
  const plain = lines.filter((l) => !failures.has(l.n) && !nearFailure(l.n)).map((l) => l.n);
  const context = lines.filter((l) => !failures.has(l.n) && nearFailure(l.n)).map((l) => l.n);
  // Plain lines before the failures are the head, after them the tail (without failures: the halves of the
  // shown lines); plain lines between failures go first, the very first and last lines of the log last.
  const flagged = lines.filter((l) => failures.has(l.n)).map((l) => l.n);
  const pivot = (lines[Math.floor(lines.length / 2)]?.n ?? 0) + 0.5;
  const first = flagged[0] ?? pivot;
  const last = flagged[flagged.length - 1] ?? pivot;
  const headPart = plain.filter((n) => n < first);
  const tailPart = plain.filter((n) => n > last);
  const between = plain.filter((n) => n > first && n < last);
  const order: number[] = [...between];
  const headKeep = Math.min(2, headPart.length);
  const tailKeep = Math.min(3, tailPart.length);
  order.push(...headPart.slice(headKeep).reverse());
  order.push(...tailPart.slice(0, tailPart.length - tailKeep));
  order.push(...headPart.slice(0, headKeep).reverse());
  order.push(...tailPart.slice(tailPart.length - tailKeep));
  // Context farthest from its failure goes first.
  order.push(...context.sort((a, b) => distance(b, failures) - distance(a, failures)));
  return order;
}

function distance(n: number, failures: ReadonlySet<number>): number {
  let best = Number.POSITIVE_INFINITY;
  for (const f of failures) best = Math.min(best, Math.abs(f - n));
  return best;
}
