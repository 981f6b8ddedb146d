// The Engine's reload appender (the file `steward appender-xml --engine` writes) as the simulator runs it: which of the
// Engine's lines it sends (its loggers and its filter chain), and the datagram's bytes.
import type { EngineLogEvent } from "../engine/engine-log";
import { scriptLogStamp } from "../util/time";

export const ENGINE_PREFIX = "/engine-reload/";
/** The loggers the file binds the appender to. */
const LOGGERS: ReadonlySet<string> = new Set(["AuditActivity.Engine", "System.Engine", "Service.Engine"]);
/** Its StringMatchFilters (log4net's are case-sensitive substrings). */
const MATCHES = ["Reload", "reload", "RELOAD"];
const WARN_OR_WORSE: ReadonlySet<string> = new Set(["WARN", "ERROR", "FATAL"]);

/**
 * Its filter chain as log4net runs it, first decision wins: the audit logger's lines (LoggerMatchFilter, a prefix
 * match) are accepted; then a line naming a reload; then the system logger's other lines are denied; then a line at
 * WARN or worse is accepted (LevelRangeFilter); the rest is denied.
 */
export function engineAppenderMatches(e: EngineLogEvent): boolean {
  if (!LOGGERS.has(e.logger)) return false;
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
