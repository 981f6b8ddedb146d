// The Engine's reload appender (the file `steward appender-xml --engine` writes) as the simulator runs it: which of the
// Engine's lines it sends (its loggers and its filter chain), and the datagram's bytes.
import type { EngineLogEvent } from "../engine/engine-log";
import { scriptLogStamp } from "../util/time";

export const ENGINE_PREFIX = "/engine-reload/";
/** The loggers the file binds the appender to (each applies to the loggers below it too). */
const LOGGERS: readonly string[] = ["AuditActivity.Engine", "System.Engine", "Service.Engine"];

/**
 * log4net's logger hierarchy: an appender referenced from a configured logger gets the lines of that logger and of
 * every logger below it, a name that starts with the configured one followed by a dot (`AuditActivity.Engine.Engine`
 * is below `AuditActivity.Engine`; `AuditActivity.EngineX` is not).
 */
export function loggerUnder(name: string, configured: string): boolean {
  return name === configured || name.startsWith(`${configured}.`);
}
/** Its StringMatchFilters (log4net's are case-sensitive substrings). */
const MATCHES = ["Reload", "reload", "RELOAD"];
const WARN_OR_WORSE: ReadonlySet<string> = new Set(["WARN", "ERROR", "FATAL"]);

/**
 * Its filter chain as log4net runs it, first decision wins: the audit logger's lines (LoggerMatchFilter, a plain
 * string prefix of the logger's name) are accepted; then a line naming a reload; then the system logger's other lines are denied; then a line at
 * WARN or worse is accepted (LevelRangeFilter); the rest is denied.
 */
export function engineAppenderMatches(e: { logger: string; message: string; level: string }): boolean {
  if (!LOGGERS.some((l) => loggerUnder(e.logger, l))) return false;
  if (e.logger.startsWith("AuditActivity.Engine")) return true;
  if (MATCHES.some((m) => e.message.includes(m))) return true;
  if (e.logger.startsWith("System.Engine")) return false;
  return WARN_OR_WORSE.has(e.level);
}

const split = (user: string) => {
  const at = user.indexOf("\\");
  return at < 0 ? ["", user] : [user.slice(0, at), user.slice(at + 1)];
};

/** `/engine-reload/;%hostname;AppId;SessionId;ActiveUserDirectory;ActiveUserId;%longIso8601date;%level;ProxySessionId;%logger;%message`. */
export function formatEngineDatagram(e: EngineLogEvent): string {
  const [dir, id] = split(e.user);
  return [ENGINE_PREFIX, e.hostName, e.appId, e.sessionId, dir, id, scriptLogStamp(e.timeMs), e.level, e.proxySessionId, e.logger, e.message].join(";");
}
