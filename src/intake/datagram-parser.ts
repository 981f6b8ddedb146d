// Parses one scheduler/engine datagram (qlik-protocols §1.3–1.4). Never throws: an unusable datagram is a
// rejection with a reason. `;` inside names or the message is handled by anchoring on the GUID fields.
import {
  ENGINE_PREFIX,
  SCHEDULER_PREFIXES,
  type EngineMessage,
  type ParseResult,
  type RejectReason,
  type SchedulerMessage,
  type SchedulerPrefix,
} from "./datagram-types";

export interface ParseOptions {
  /** Cap per field after control characters are stripped (default 16384). */
  maxFieldChars?: number;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// C0 controls, DEL and C1 controls: never meaningful in a log line, sometimes used to forge log output.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const DECODER = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

export function stripControlChars(s: string): string {
  return s.replace(CONTROL, "");
}

const isGuid = (s: string | undefined): s is string => s !== undefined && GUID.test(s.trim());
/** log4net renders an unset property as "(null)"; the appender file leaves AppId/AppName empty for non-app tasks. */
const isNullish = (s: string | undefined) => s === undefined || s.trim() === "" || s.trim().toLowerCase() === "(null)";
/** Names are kept verbatim; only exactly empty or "(null)" means "no app". */
const isNullName = (s: string | undefined) => s === undefined || s === "" || s === "(null)";

/** The prefix name without slashes, lower-cased: `/Scheduler-Task-Success//` → `scheduler-task-success`. */
export function normalisePrefix(field: string): string {
  return field.trim().toLowerCase().replace(/^\/+/, "").replace(/\/+$/, "");
}

function reject(reason: RejectReason, detail: string): ParseResult {
  return { ok: false, reason, detail };
}

export function parseDatagram(input: string | Uint8Array, options: ParseOptions = {}): ParseResult {
  try {
    const text = typeof input === "string" ? input : DECODER.decode(input);
    return parseText(stripControlChars(text), options.maxFieldChars ?? 16_384);
  } catch (err) {
    return reject("internal_error", err instanceof Error ? err.message : String(err));
  }
}

function parseText(text: string, cap: number): ParseResult {
  if (text.trim() === "") return reject("empty", "empty datagram");
  const parts = text.split(";");
  const prefix = normalisePrefix(parts[0]!);
  if (prefix === ENGINE_PREFIX) return parseEngine(parts, cap);
  if (!Object.hasOwn(SCHEDULER_PREFIXES, prefix)) return reject("unknown_prefix", `unknown prefix ${JSON.stringify(parts[0]!.slice(0, 60))}`);
  return parseScheduler(prefix as SchedulerPrefix, parts, cap);
}

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
function findTaskIdIndex(parts: string[]): number {
  for (let t = 5; t + 4 < parts.length; t++) {
    if (isGuid(parts[t]) && (isGuid(parts[t + 1]) || isNullish(parts[t + 1])) && isGuid(parts[t + 4])) return t;
  }
  return -1;
}

/** Splits the name segments into task name and app name when `;` made the split ambiguous. */
function splitNames(segments: string[], hasApp: boolean): { taskName: string; appName: string; ambiguous: boolean } {
  if (segments.length === 2) return { taskName: segments[0]!, appName: segments[1]!, ambiguous: false };
  if (!hasApp && isNullName(segments[segments.length - 1])) {
    return { taskName: segments.slice(0, -1).join(";"), appName: "", ambiguous: false };
  }
  // Reload tasks are usually named after their app ("Reload Sales; EU"): prefer the split whose app name
  // occurs in the task name; otherwise only the last segment is the app name.
  for (let k = 1; k < segments.length; k++) {
    const taskName = segments.slice(0, k).join(";");
    const appName = segments.slice(k).join(";");
    if (appName.includes(";") && appName.trim() !== "" && taskName.includes(appName)) return { taskName, appName, ambiguous: true };
  }
  return { taskName: segments.slice(0, -1).join(";"), appName: segments[segments.length - 1]!, ambiguous: true };
}

function parseScheduler(prefix: SchedulerPrefix, parts: string[], cap: number): ParseResult {
  if (parts.length < 11) return reject("too_few_fields", `${parts.length} fields, at least 11 expected`);
  const t = findTaskIdIndex(parts);
  if (t < 0) {
    // Say which field is wrong, assuming the plain 11-field layout.
    if (!isGuid(parts[5])) return reject("bad_task_id", `TaskId (field 5) is not a GUID: ${JSON.stringify(parts[5]!.slice(0, 60))}`);
    if (!isGuid(parts[6]) && !isNullish(parts[6])) return reject("bad_app_id", `AppId (field 6) is neither a GUID nor empty: ${JSON.stringify(parts[6]!.slice(0, 60))}`);
    return reject("bad_execution_id", `ExecutionId (field 9) is not a GUID: ${JSON.stringify((parts[9] ?? "").slice(0, 60))}`);
  }
  const appIdRaw = parts[t + 1]!;
  const hasApp = isGuid(appIdRaw);
  const names = splitNames(parts.slice(2, t - 1), hasApp);
  const { fit, truncated } = capper(cap);
  const info = SCHEDULER_PREFIXES[prefix];
  const message: SchedulerMessage = {
    kind: "scheduler",
    prefix,
    outcome: info.outcome,
    generation: info.generation,
    host: fit(parts[1]!.trim()),
    taskName: fit(names.taskName),
    appName: isNullName(names.appName) ? "" : fit(names.appName),
    user: fit(parts[t - 1]!.trim()),
    taskId: parts[t]!.trim().toLowerCase(),
    appId: hasApp ? appIdRaw.trim().toLowerCase() : undefined,
    timestamp: fit(parts[t + 2]!.trim()),
    level: fit(parts[t + 3]!.trim()),
    executionId: parts[t + 4]!.trim().toLowerCase(),
    message: fit(parts.slice(t + 5).join(";")),
    namesAmbiguous: names.ambiguous,
    truncated: false,
  };
  message.truncated = truncated();
  return { ok: true, message };
}

function parseEngine(parts: string[], cap: number): ParseResult {
  if (parts.length < 9) return reject("too_few_fields", `${parts.length} fields, at least 9 expected for an engine message`);
  if (!isGuid(parts[2])) return reject("bad_engine_app_id", `AppId (field 2) is not a GUID: ${JSON.stringify(parts[2]!.slice(0, 60))}`);
  const { fit, truncated } = capper(cap);
  const message: EngineMessage = {
    kind: "engine",
    prefix: ENGINE_PREFIX,
    host: fit(parts[1]!.trim()),
    appId: parts[2]!.trim().toLowerCase(),
    sessionId: fit(parts[3]!.trim()),
    userDirectory: fit(parts[4]!.trim()),
    userId: fit(parts[5]!.trim()),
    timestamp: fit(parts[6]!.trim()),
    level: fit(parts[7]!.trim()),
    message: fit(parts.slice(8).join(";")),
    truncated: false,
  };
  message.truncated = truncated();
  return { ok: true, message };
}
