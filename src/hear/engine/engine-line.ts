// One reload line of the Qlik Sense Engine as its log4net UDP appender sends it (docs/engine-reloads.md), parsed:
// which app, which Engine session, whose session, when, and what the line says about the reload.

/**
 * What a line says about a reload; `other` is a line that mentions a reload in words Steward cannot place. The
 * appender's filter also lets through lines that are not about a reload: `detail`, a warning or error of the Engine's
 * service log (a failing script's error may not say "reload": it joins the session's reload when one is under way),
 * and `unrelated`, anything else (an audit line of another command): counted and ignored.
 */
export type EngineLineKind = "start" | "success" | "failure" | "other" | "detail" | "unrelated";

export interface EngineLine {
  /** The datagram's prefix without slashes: `engine-reload` (Steward's appender) or `engine-reload-failed` (Butler's). */
  prefix: "engine-reload" | "engine-reload-failed";
  /** `%hostname`: the node whose Engine logged the line. */
  host: string;
  /** Lower-case GUID. */
  appId: string;
  /** `%property{SessionId}` as sent: the Engine session the reload ran in (opaque text). */
  sessionId: string;
  /** `DIRECTORY\userid` of the session (`%property{ActiveUserDirectory}` and `%property{ActiveUserId}`); "" when the line had none. */
  user: string;
  /** The line's time as sent. */
  timestamp: string;
  /** The line's time in epoch ms when the text says its zone (Qlik's ISO 8601 with offset); undefined for a zone-less `%date`. */
  timeMs: number | undefined;
  level: string;
  /** `%property{ProxySessionId}`: "0" when the command did not come through the Qlik Proxy (the Scheduler, the Engine API on 4747). */
  proxySessionId: string;
  /** `%logger`: which of the Engine's logs wrote it (e.g. AuditActivity.Engine, System.Engine). */
  logger: string;
  message: string;
  kind: EngineLineKind;
  /** The part of the message that states the outcome: ResultText of a `Command=…;Result=…;ResultText=…` line, else the message. */
  text: string;
  /** A field was longer than the cap and was cut. */
  truncated: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuidText = (s: string) => s.length === 36 && GUID.test(s);

/** log4net renders an unset property as "(null)". */
export const isNullText = (s: string) => s === "" || s.toLowerCase() === "(null)";

// Qlik's Iso8601TimeOffsetPatternConverter (`%longIso8601date` in Butler SOS's Engine file, the format of Qlik's own log
// files): 20211109T153726.028+0200. Also the extended ISO form, with Z or an offset.
const BASIC = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(?:[.,](\d{1,7}))?(Z|[+-]\d\d:?\d\d)$/;
const EXTENDED = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,7}))?(Z|[+-]\d\d:?\d\d)$/;
/** The longest time text read: 2026-11-24T19:50:18.1234567+01:00. */
export const MAX_TIME_CHARS = 33;

/** Epoch ms of a time text that names its zone; undefined for one that does not (log4net's `%date`) or garbage. */
export function parseLineTime(text: string): number | undefined {
  if (text.length > MAX_TIME_CHARS) return undefined;
  const m = BASIC.exec(text) ?? EXTENDED.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (!Number.isFinite(base) || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60)
    return undefined;
  if (zone === "Z") return base;
  const z = zone!.replace(":", "");
  const offset = (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000;
  return z.startsWith("+") ? base - offset : base + offset;
}

// Qlik documents the Description of its audit activity lines as `Command=<name>;Result=<int>;ResultText=<text>`.
const COMMAND = /^\s*Command=([^;]{0,200});\s*Result=(-?\d{1,10})\s*(?:;\s*ResultText=([\s\S]*))?$/i;
// Whole words only: "Reload failed", "Failed to start reload", "Reload finished with errors".
const FAILURE = /\b(?:fail|failed|failure|error|errors|aborted|abort|cancel(?:l)?ed|exception)\b/i;
const START = /\b(?:start|started|starting|begin|began|beginning)\b/i;
const SUCCESS = /\b(?:success|succeeded|successful|successfully|finished|completed|complete|done)\b/i;
const RELOAD = /reload/i;
const WARN_OR_WORSE = /^(?:WARN|WARNING|ERROR|FATAL)$/i;

/**
 * What a line says about the reload. Qlik does not publish the Engine's reload wording, so the rules are read from the
 * documented audit format and plain words, and every line that fits none is `other` (counted, never guessed):
 * - `Command=…reload…;Result=N;ResultText=T`: N ≠ 0 or a failure word in T is a failure; a start word in T a start; else
 *   N = 0 a success. A command that names no reload is `unrelated`.
 * - Any other text that mentions a reload: a failure word makes it a failure, then a start word a start, then a success
 *   word a success. Text that does not mention one is a `detail` at WARN or worse (`level`), else `unrelated`.
 */
export function classifyMessage(message: string, level = ""): { kind: EngineLineKind; text: string } {
  const c = COMMAND.exec(message);
  if (c) {
    const text = (c[3] ?? "").trim() || message.trim();
    if (!RELOAD.test(c[1]!)) return { kind: "unrelated", text };
    if (Number(c[2]) !== 0 || FAILURE.test(text)) return { kind: "failure", text };
    if (START.test(text)) return { kind: "start", text };
    return { kind: "success", text };
  }
  const text = message.trim();
  if (!RELOAD.test(text)) return { kind: WARN_OR_WORSE.test(level) ? "detail" : "unrelated", text };
  if (FAILURE.test(text)) return { kind: "failure", text };
  if (START.test(text)) return { kind: "start", text };
  if (SUCCESS.test(text)) return { kind: "success", text };
  return { kind: "other", text };
}
