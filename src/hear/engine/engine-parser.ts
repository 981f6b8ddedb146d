// Parses the datagrams of the Engine's reload appender (`steward appender-xml --engine`, docs/engine-reloads.md):
//   0 /engine-reload/   1 %hostname   2 %property{AppId}   3 %property{SessionId}   4 %property{ActiveUserDirectory}
//   5 %property{ActiveUserId}   6 %longIso8601date   7 %level   8 %property{ProxySessionId}   9 %logger   10… %message
// The message is last and may hold `;` (Qlik's audit lines read `Command=…;Result=…;ResultText=…`), so it is the rest
// of the datagram. One scan for the first ten separators, each field cut to the cap: linear in the datagram's size.
// Also turns Butler's 9-field `/engine-reload-failed/` (qlik-protocols §1.4) into the same line, as a failure.
import type { EngineMessage } from "../intake/datagram-types";
// log4net's `%date`, `%date{DATE}` and `%date{ABSOLUTE}` name no zone: accepted, the instant then comes from when Steward heard it.
import { readLogDate } from "../intake/log-date";
import { classifyMessage, type EngineLine, isGuidText, isNullText, MAX_TIME_CHARS, parseLineTime } from "./engine-line";

export const ENGINE_RELOAD_PREFIX = "engine-reload";
/** Fields before the message. */
const FIXED = 10;

export type EngineRejectReason = "too_few_fields" | "bad_engine_app_id" | "engine_no_app" | "bad_engine_time";
export type EngineParse = { ok: true; line: EngineLine } | { ok: false; reason: EngineRejectReason; detail: string };

// C0 and C1 controls and DEL; in the message line breaks are kept as "\n" (a failure can span lines).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
const clean = (s: string) => s.replace(CONTROL, "").trim();
const cleanMessage = (s: string) => s.replace(/\r\n?/g, "\n").replace(CONTROL_BUT_NEWLINE, "").trim();

function capper(cap: number) {
  let truncated = false;
  return {
    fit(s: string) {
      if (s.length <= cap) return s;
      truncated = true;
      return s.slice(0, cap);
    },
    truncated: () => truncated,
  };
}

const reject = (reason: EngineRejectReason, detail: string): EngineParse => ({ ok: false, reason, detail });
const sample = (s: string) => JSON.stringify(s.slice(0, 60));

/** The user of a line: `DIR\id`, or "" when the line names none (log4net's "(null)"). */
function userOf(dir: string, id: string): string {
  if (isNullText(id)) return "";
  return isNullText(dir) ? id : `${dir}\\${id}`;
}

/** Stands in for the app of a line about no reload, so only its time is checked. */
const ANY_APP = "00000000-0000-0000-0000-000000000000";

function checkAppAndTime(appRaw: string, time: string): EngineParse | undefined {
  if (isNullText(appRaw)) return reject("engine_no_app", "the line names no app (AppId empty): not about one app's reload");
  if (!isGuidText(appRaw)) return reject("bad_engine_app_id", `AppId (field 2) is not a GUID: ${sample(appRaw)}`);
  if (time.length > MAX_TIME_CHARS || (parseLineTime(time) === undefined && readLogDate(time) === undefined))
    return reject("bad_engine_time", `the time (field 6) is not a date: ${sample(time)}`);
  return undefined;
}

/** `text` is the datagram as decoded (controls not yet stripped); its prefix was already recognised. */
export function parseEngineReload(text: string, maxFieldChars: number): EngineParse {
  const seps: number[] = [];
  for (let at = text.indexOf(";"); at >= 0 && seps.length < FIXED; at = text.indexOf(";", at + 1)) seps.push(at);
  if (seps.length < FIXED) return reject("too_few_fields", `${seps.length + 1} fields, at least ${FIXED + 1} expected for an Engine reload line`);
  const field = (i: number) => clean(text.slice(seps[i - 1]! + 1, seps[i]));
  const appRaw = field(2);
  const time = field(6);
  const { fit, truncated } = capper(maxFieldChars);
  const message = fit(cleanMessage(text.slice(seps[FIXED - 1]! + 1)));
  const level = fit(field(7)).toUpperCase();
  let { kind, text: said } = classifyMessage(message, level);
  // A line about no reload (another audit command, a service warning) may name no app: it is heard, and ignored.
  const aside = (kind === "unrelated" || kind === "detail") && !isGuidText(appRaw);
  if (aside) kind = "unrelated";
  const bad = checkAppAndTime(aside ? ANY_APP : appRaw, time);
  if (bad) return bad;
  const line: EngineLine = {
    prefix: "engine-reload",
    host: fit(field(1)),
    appId: aside ? "" : appRaw.toLowerCase(),
    sessionId: fit(field(3)),
    user: fit(userOf(field(4), field(5))),
    timestamp: time,
    timeMs: parseLineTime(time),
    level,
    proxySessionId: fit(field(8)),
    logger: fit(field(9)),
    message,
    kind,
    text: said,
    truncated: false,
  };
  line.truncated = truncated();
  return { ok: true, line };
}

/** Butler's `/engine-reload-failed/` (host, app, session, directory, user id, date, level, message), parsed by the intake. */
export type ButlerEngineMessage = Omit<EngineMessage, "kind" | "prefix">;

/** Butler's datagram as a failure line: the appender that sends it matches only failures. */
export function lineFromButler(m: ButlerEngineMessage): EngineParse {
  const bad = checkAppAndTime(m.appId, m.timestamp);
  if (bad) return bad;
  const text = m.message.trim();
  return {
    ok: true,
    line: {
      prefix: "engine-reload-failed",
      host: m.host,
      appId: m.appId.toLowerCase(),
      sessionId: m.sessionId,
      user: userOf(m.userDirectory, m.userId),
      timestamp: m.timestamp,
      timeMs: parseLineTime(m.timestamp),
      level: m.level.toUpperCase(),
      proxySessionId: "",
      logger: "",
      message: text,
      kind: "failure",
      text,
      truncated: m.truncated,
    },
  };
}
