// Parses one scheduler/engine datagram (qlik-protocols §1.3–1.4). Never throws: an unusable datagram is a
// rejection with a reason. `;` inside names or the message is handled by anchoring on the GUID fields. The Engine's
// reload lines (`/engine-reload/`) are parsed by src/hear/engine, on the text before its line breaks are stripped.
import { ENGINE_RELOAD_PREFIX, parseEngineReload } from "../engine/engine-parser";
import {
  ENGINE_PREFIX,
  SCHEDULER_PREFIXES,
  type EngineMessage,
  type ParseResult,
  type RejectReason,
  type SchedulerMessage,
  type SchedulerPrefix,
} from "./datagram-types";
import { LOG_DATE_MAX, logDateKey, machineOffsetMin, readLogDate } from "./log-date";

export interface ParseOptions {
  /** Cap per field after control characters are stripped (default 16384). */
  maxFieldChars?: number;
  /** When the datagram was heard (epoch ms): the day of a line stamped with a time only (log4net's ABSOLUTE). */
  receivedMs?: number;
  /** The site's wall clock at the receipt, minutes east of UTC (default: this machine's). */
  localOffsetMin?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// C0 controls, DEL and C1 controls: never meaningful in a log line, sometimes used to forge log output.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const DECODER = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });
/** Every known prefix as the Scheduler and the Engine write it, `/name/`, to its normalised name. */
const AS_SENT = new Map([...Object.keys(SCHEDULER_PREFIXES), ENGINE_PREFIX, ENGINE_RELOAD_PREFIX].map((p) => [`/${p}/`, p]));
const UTF16 = new TextDecoder("utf-16le");
const isControl = (c: number) => c < 0x20 || (c >= 0x7f && c <= 0x9f);
/** Longer than any prefix with its slashes and stray spaces: such a field 0 is not lower-cased to be compared. */
const MAX_PREFIX_CHARS = 256;

/**
 * Removes control characters. A regular-expression replace costs milliseconds on 64 KB of them (one match
 * each); copying the other code units is one pass.
 */
export function stripControlChars(s: string): string {
  if (!CONTROL.test(s)) return s;
  const out = new Uint16Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isControl(c)) out[n++] = c;
  }
  return UTF16.decode(out.subarray(0, n));
}

const isGuid = (s: string | undefined): s is string => s !== undefined && GUID.test(s.trim());
/** A GUID is 36 characters: shorter fields are never sliced, which keeps the anchor search cheap. */
const isGuidField = (f: Fields, i: number) => fieldLength(f, i) >= 36 && isGuid(field(f, i));
const isNullishField = (f: Fields, i: number) => fieldLength(f, i) === 0 || isNullish(field(f, i));
/** log4net renders an unset property as "(null)"; the appender file leaves AppId/AppName empty for non-app tasks. */
const isNullish = (s: string | undefined) => s === undefined || s.trim() === "" || s.trim().toLowerCase() === "(null)";
/** Names are kept verbatim; only exactly empty or "(null)" means "no app". */
const isNullName = (s: string | undefined) => s === undefined || s === "" || s === "(null)";

/** The prefix name without slashes, lower-cased: `/Scheduler-Task-Success//` → `scheduler-task-success`. */
export function normalisePrefix(field: string): string {
  // As the Scheduler writes them (`/scheduler-task-failed/`): no trim, lower-casing or two replacements (1 % of the
  // main thread in a burst, issue 89).
  return AS_SENT.get(field) ?? field.trim().toLowerCase().replace(/^\/+/, "").replace(/\/+$/, "");
}

/**
 * The outcome a scheduler datagram announces, read from field 0 alone (no decoding of the rest), or undefined
 * for anything else. For refusing a datagram the queue could not take whatever it says: under overload that
 * refusal must cost far less than a parse, or reading and refusing starves the workers.
 */
export function sniffSchedulerOutcome(msg: Uint8Array): SchedulerMessage["outcome"] | undefined {
  const end = Math.min(msg.length, MAX_PREFIX_CHARS);
  let semi = -1;
  for (let i = 0; i < end; i++) {
    if (msg[i] === 0x3b) {
      semi = i;
      break;
    }
  }
  if (semi < 0) return undefined;
  const prefix = normalisePrefix(DECODER.decode(msg.subarray(0, semi)));
  return Object.hasOwn(SCHEDULER_PREFIXES, prefix) ? SCHEDULER_PREFIXES[prefix as SchedulerPrefix].outcome : undefined;
}

/** Field 0 normalised, or "" when it is longer than any prefix. */
function prefixOf(text: string): string {
  const semi = text.indexOf(";");
  const end = semi < 0 ? text.length : semi;
  return end <= MAX_PREFIX_CHARS ? normalisePrefix(stripControlChars(text.slice(0, end))) : "";
}

function reject(reason: RejectReason, detail: string): ParseResult {
  return { ok: false, reason, detail };
}

export function parseDatagram(input: string | Uint8Array, options: ParseOptions = {}): ParseResult {
  try {
    const text = typeof input === "string" ? input : DECODER.decode(input);
    if (prefixOf(text) === ENGINE_RELOAD_PREFIX) {
      const r = parseEngineReload(text, options.maxFieldChars ?? 16_384);
      return r.ok ? { ok: true, message: { kind: "engine-reload", line: r.line, truncated: r.line.truncated } } : reject(r.reason, r.detail);
    }
    return parseText(stripControlChars(text), options.maxFieldChars ?? 16_384, options);
  } catch (err) {
    return reject("internal_error", err instanceof Error ? err.message : String(err));
  }
}

function parseText(text: string, cap: number, options: ParseOptions): ParseResult {
  if (text.trim() === "") return reject("empty", "empty datagram");
  const f = splitFields(text);
  const prefix = fieldLength(f, 0) <= MAX_PREFIX_CHARS ? normalisePrefix(field(f, 0)) : "";
  if (prefix === ENGINE_PREFIX) return parseEngine(f, cap);
  if (!Object.hasOwn(SCHEDULER_PREFIXES, prefix)) return reject("unknown_prefix", `unknown prefix ${JSON.stringify(field(f, 0).slice(0, 60))}`);
  return parseScheduler(prefix as SchedulerPrefix, f, cap, options);
}

/**
 * The `;`-separated fields of a datagram as offsets into its text: a field becomes a string only when it is
 * used. `String.split` on 64 KB of `;` makes 65,000 strings (milliseconds); this is one scan of char codes.
 * Field i is `text.slice(seps[i] + 1, seps[i + 1])`.
 */
interface Fields {
  text: string;
  seps: Int32Array;
  count: number;
}

function splitFields(text: string): Fields {
  const seps = new Int32Array(text.length + 2);
  let count = 0;
  seps[count++] = -1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 59) seps[count++] = i;
  seps[count] = text.length;
  return { text, seps, count };
}

/** Field i as sent ("" past the end). */
const field = (f: Fields, i: number) => (i < f.count ? f.text.slice(f.seps[i]! + 1, f.seps[i + 1]) : "");
const fieldLength = (f: Fields, i: number) => (i < f.count ? f.seps[i + 1]! - f.seps[i]! - 1 : 0);
/** Fields from..to-1 joined by `;` as sent (to = count: the rest of the datagram). */
const span = (f: Fields, from: number, to: number) => (from < to ? f.text.slice(f.seps[from]! + 1, f.seps[to]) : "");

function capper(cap: number) {
  let truncated = false;
  const fit = (s: string) => {
    if (s.length <= cap) return s;
    truncated = true;
    return s.slice(0, cap);
  };
  return { fit, truncated: () => truncated };
}

/**
 * Finds the TaskId position: the first index t ≥ 5 where t is a GUID, t+1 a GUID or empty (AppId), and t+4 a
 * GUID (ExecutionId). Everything between host and user then belongs to the two names.
 */
function findTaskIdIndex(f: Fields): number {
  for (let t = 5; t + 4 < f.count; t++) {
    if (isGuidField(f, t) && (isGuidField(f, t + 1) || isNullishField(f, t + 1)) && isGuidField(f, t + 4)) return t;
  }
  return -1;
}

/** log4net's `%level`: DEBUG, INFO, WARN, ERROR, FATAL… */
const LOG_LEVEL = /^[A-Z]{3,8}$/;

/**
 * For a datagram whose ExecutionId is not a GUID (log4net's `(null)`, empty): the TaskId position anchored on what
 * follows it instead: AppId (a GUID or empty), the log line's date (any form log-date.ts reads) and its level. A date
 * field is at most LOG_DATE_MAX characters, so only short fields are sliced. `anyDate`: the date field is not
 * checked (to say that the date is what failed).
 */
function findTaskIdIndexWithoutExecution(f: Fields, anyDate = false): number {
  for (let t = 5; t + 4 < f.count; t++) {
    if (
      isGuidField(f, t) &&
      (isGuidField(f, t + 1) || isNullishField(f, t + 1)) &&
      fieldLength(f, t + 2) <= (anyDate ? 64 : LOG_DATE_MAX) &&
      (anyDate || readLogDate(field(f, t + 2).trim()) !== undefined) &&
      fieldLength(f, t + 3) <= 10 &&
      LOG_LEVEL.test(field(f, t + 3).trim()) &&
      !isGuidField(f, t + 4)
    )
      return t;
  }
  return -1;
}

/** The stand-in of a run the datagram names no execution of: its task and the line's time, its day made explicit. */
function standInExecution(f: Fields, t: number, options: ParseOptions): string {
  const stamp = field(f, t + 2).trim();
  const date = readLogDate(stamp);
  const received = options.receivedMs;
  // A time alone repeats every day: the receipt gives its day (without one, as in a replay, the time as sent).
  const when = date?.form === "absolute" && received !== undefined ? logDateKey(date, received, options.localOffsetMin ?? machineOffsetMin(received)) : stamp;
  return `noexec:${field(f, t).trim().toLowerCase()}:${when}`;
}

/**
 * Splits the name fields `from..to-1` (two or more) into task name and app name when `;` made the split
 * ambiguous. Linear in their size.
 */
function splitNames(f: Fields, from: number, to: number, hasApp: boolean): { taskName: string; appName: string; ambiguous: boolean } {
  if (to - from === 2) return { taskName: field(f, from), appName: field(f, from + 1), ambiguous: false };
  const last = field(f, to - 1);
  if (!hasApp && isNullName(last)) return { taskName: span(f, from, to - 1), appName: "", ambiguous: false };
  // Reload tasks are usually named after their app ("Reload Sales; EU"): prefer the split with the longest app
  // name that holds a `;` and occurs in the task name; otherwise only the last segment is the app name.
  // No real name holds dozens of `;` or runs to kilobytes: past that the datagram is broken or hostile, and QRS
  // names win anyway.
  if (to - from <= MAX_NAME_SEGMENTS && f.seps[to]! - f.seps[from]! <= MAX_REALIGN_CHARS) {
    const joined = span(f, from, to);
    const at = appNameInTaskName(joined, segmentLengths(f, from, to));
    if (at !== undefined) return { taskName: joined.slice(0, at - 1), appName: joined.slice(at), ambiguous: true };
  }
  return { taskName: span(f, from, to - 1), appName: last, ambiguous: true };
}

const MAX_NAME_SEGMENTS = 64;
const MAX_REALIGN_CHARS = 8_192;

function segmentLengths(f: Fields, from: number, to: number): number[] {
  const lengths: number[] = [];
  for (let i = from; i < to; i++) lengths.push(fieldLength(f, i));
  return lengths;
}

/**
 * Where (in `joined`, the names with their `;`) the app name starts: the first segment k ≥ 1 such that the app
 * name `joined[start..]` holds a `;` and occurs in the task name `joined[..start-1)`. Trying each k with
 * `includes` costs O(n²) and let one 64 KB datagram of `;` stall the process for seconds; this is O(n).
 * Reversed, the app name is a prefix of the string and the task name is what follows it and its separator.
 * The Z-array of the reversed string gives, per position, the length of the prefix that starts there, so "the
 * prefix of length m recurs at or after m + 1" is a suffix maximum of the Z-array at m + 1.
 */
function appNameInTaskName(joined: string, segmentLengths: number[]): number | undefined {
  const n = joined.length;
  const rev = new Uint16Array(n);
  for (let i = 0; i < n; i++) rev[i] = joined.charCodeAt(n - 1 - i);
  const z = new Int32Array(n + 1); // z[n] = 0 ends the suffix maximum
  for (let i = 1, l = 0, r = 0; i < n; i++) {
    let k = i < r ? Math.min(r - i, z[i - l]!) : 0;
    while (i + k < n && rev[k] === rev[i + k]) k++;
    z[i] = k;
    if (i + k > r) {
      l = i;
      r = i + k;
    }
  }
  for (let i = n - 1; i >= 1; i--) if (z[i + 1]! > z[i]!) z[i] = z[i + 1]!;
  // App names of at least two segments, longest first.
  let start = 0;
  for (let k = 1; k <= segmentLengths.length - 2; k++) {
    start += segmentLengths[k - 1]! + 1;
    const m = n - start;
    if (m + 1 < n && z[m + 1]! >= m) return start;
  }
  return undefined;
}

function parseScheduler(prefix: SchedulerPrefix, f: Fields, cap: number, options: ParseOptions): ParseResult {
  if (f.count < 11) return reject("too_few_fields", `${f.count} fields, at least 11 expected`);
  let t = findTaskIdIndex(f);
  const sample = (i: number) => JSON.stringify(field(f, i).slice(0, 60));
  // A run without an ExecutionId is still a run the Scheduler reports (as Butler alerts on it); a distribution notice
  // is not: its outcome is read from QRS by the ExecutionId, and reconciliation finds the run instead.
  const withoutExecution = t < 0 && prefix !== "scheduler-distribute" ? findTaskIdIndexWithoutExecution(f) : -1;
  if (withoutExecution >= 0) t = withoutExecution;
  if (t < 0) {
    // A run named by no execution whose date Steward does not read: its time is what failed, and its run is found by it.
    const u = prefix !== "scheduler-distribute" ? findTaskIdIndexWithoutExecution(f, true) : -1;
    if (u >= 0)
      return reject(
        "bad_log_date",
        `Timestamp (field ${u + 2}) is not a date Steward reads: ${sample(u + 2)}; the datagram names no execution (ExecutionId, field ${u + 4}: ${sample(u + 4)}), so its run is found by its task and this time`,
      );
    // Say which field is wrong, assuming the plain 11-field layout.
    if (!isGuidField(f, 5)) return reject("bad_task_id", `TaskId (field 5) is not a GUID: ${sample(5)}`);
    if (!isGuidField(f, 6) && !isNullishField(f, 6)) return reject("bad_app_id", `AppId (field 6) is neither a GUID nor empty: ${sample(6)}`);
    return reject("bad_execution_id", `ExecutionId (field 9) is not a GUID: ${sample(9)}`);
  }
  const appIdRaw = field(f, t + 1);
  const hasApp = isGuid(appIdRaw);
  const names = splitNames(f, 2, t - 1, hasApp);
  const { fit, truncated } = capper(cap);
  const info = SCHEDULER_PREFIXES[prefix];
  const message: SchedulerMessage = {
    kind: "scheduler",
    prefix,
    outcome: info.outcome,
    generation: info.generation,
    host: fit(field(f, 1).trim()),
    taskName: fit(names.taskName),
    appName: isNullName(names.appName) ? "" : fit(names.appName),
    user: fit(field(f, t - 1).trim()),
    taskId: field(f, t).trim().toLowerCase(),
    appId: hasApp ? appIdRaw.trim().toLowerCase() : undefined,
    timestamp: fit(field(f, t + 2).trim()),
    level: fit(field(f, t + 3).trim()),
    executionId:
      withoutExecution >= 0
        ? standInExecution(f, t, options)
        : field(f, t + 4)
            .trim()
            .toLowerCase(),
    ...(withoutExecution >= 0 ? { executionIdAsSent: fit(field(f, t + 4).trim()).slice(0, 60) } : {}),
    message: fit(span(f, t + 5, f.count)),
    namesAmbiguous: names.ambiguous,
    truncated: false,
  };
  message.truncated = truncated();
  return { ok: true, message };
}

function parseEngine(f: Fields, cap: number): ParseResult {
  if (f.count < 9) return reject("too_few_fields", `${f.count} fields, at least 9 expected for an engine message`);
  if (!isGuidField(f, 2)) return reject("bad_engine_app_id", `AppId (field 2) is not a GUID: ${JSON.stringify(field(f, 2).slice(0, 60))}`);
  const { fit, truncated } = capper(cap);
  const message: EngineMessage = {
    kind: "engine",
    prefix: ENGINE_PREFIX,
    host: fit(field(f, 1).trim()),
    appId: field(f, 2).trim().toLowerCase(),
    sessionId: fit(field(f, 3).trim()),
    userDirectory: fit(field(f, 4).trim()),
    userId: fit(field(f, 5).trim()),
    timestamp: fit(field(f, 6).trim()),
    level: fit(field(f, 7).trim()),
    message: fit(span(f, 8, f.count)),
    truncated: false,
  };
  message.truncated = truncated();
  return { ok: true, message };
}
