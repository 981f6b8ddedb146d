// Writes the Engine's log4net appender file (LocalLogConfig.xml in %ProgramData%\Qlik\Sense\Engine on each node) that
// sends the Engine's reload lines to Steward (`steward appender-xml --engine`, docs/engine-reloads.md). Where each part
// comes from:
// - the loggers: Qlik names loggers <log>.<service> (Qlik help, "Common fields" of the trace logs); DoReload/DoReloadEx
//   write the audit activity log and, on errors, the Engine's service log (Qlik's Engine API reference, "Logs");
//   Butler SOS's published Engine file binds System.Engine. The file binds all three;
// - the fields: %property{AppId}, %property{SessionId}, %property{ActiveUserDirectory}, %property{ActiveUserId} and
//   %property{ProxySessionId} are the Engine's log properties Butler SOS's Engine file sends (Qlik documents
//   ActiveUserDirectory, ActiveUserId and AppId as fields of the Engine's audit log, and ProxySessionId "0" as a command
//   that did not come through the Qlik Proxy); %longIso8601date is Qlik's Iso8601TimeOffsetPatternConverter (local time
//   with its offset), %hostname Qlik's HostNamePatternConverter, as in the Scheduler's file;
// - the filter chain, by logger rather than by words where log4net allows it (log4net's filters decide in order; the
//   first Accept or Deny wins, https://logging.apache.org/log4net/log4net-1.2.15/release/sdk/log4net.Filter.LoggerMatchFilter.html):
//   every line of AuditActivity.Engine (LoggerMatchFilter: one line per Engine command, Steward reads its Command and
//   ignores commands that are not reloads); a line of any of the three that mentions a reload (StringMatchFilter, case-
//   sensitive, hence three spellings); nothing else of System.Engine (LoggerMatchFilter, acceptOnMatch false: it logs
//   much besides reloads); what is left, Service.Engine's, at WARN or above (LevelRangeFilter: a failing script's error
//   may not say "reload"). Qlik does not publish the wording of the Engine's reload lines: Steward's parser reads them
//   tolerantly (engine-line.ts) and counts what it cannot place.
import { type AppenderTarget, udpAppenderXml, xmlAttr } from "../intake/appender-xml";

/** Field order after the prefix; engine-parser.ts reads it and the simulator's Engine sends it. */
export const ENGINE_CONVERSION_FIELDS =
  "%hostname;%property{AppId};%property{SessionId};%property{ActiveUserDirectory};%property{ActiveUserId};%longIso8601date;%level;%property{ProxySessionId};%logger;%message";
export const ENGINE_RELOAD_DATAGRAM_PREFIX = "/engine-reload/";
/** The Engine's loggers the appender is bound to. */
export const ENGINE_LOGGERS = ["AuditActivity.Engine", "System.Engine", "Service.Engine"] as const;
/** StringMatchFilter substrings: a line of the three loggers is sent when it holds one. */
export const ENGINE_MATCHES = ["Reload", "reload", "RELOAD"] as const;
/** The logger whose every line is sent, the one whose other lines are not, and the least level of the rest. */
export const ENGINE_AUDIT_LOGGER = "AuditActivity.Engine";
export const ENGINE_SYSTEM_LOGGER = "System.Engine";
export const ENGINE_SERVICE_MIN_LEVEL = "WARN";

const param = (name: string, value: string) => `      <param name="${name}" value="${xmlAttr(value)}" />`;
const filter = (type: string, ...params: string[]) => `    <filter type="log4net.Filter.${type}">\n${params.join("\n")}\n    </filter>`;

/** The filter chain, in log4net's order (the appender adds the closing DenyAllFilter). */
export function engineFilterChain(): string {
  return [
    filter("LoggerMatchFilter", param("loggerToMatch", ENGINE_AUDIT_LOGGER), param("acceptOnMatch", "true")),
    ...ENGINE_MATCHES.map((m) => filter("StringMatchFilter", param("stringToMatch", m))),
    filter("LoggerMatchFilter", param("loggerToMatch", ENGINE_SYSTEM_LOGGER), param("acceptOnMatch", "false")),
    filter("LevelRangeFilter", param("levelMin", ENGINE_SERVICE_MIN_LEVEL), param("levelMax", "FATAL"), param("acceptOnMatch", "true")),
  ].join("\n");
}

/** Steward's appender element for one target. */
export function engineAppenderElement(name: string, target: AppenderTarget): string {
  return udpAppenderXml({
    name,
    matches: ENGINE_MATCHES,
    filters: engineFilterChain(),
    target,
    pattern: `${ENGINE_RELOAD_DATAGRAM_PREFIX};${ENGINE_CONVERSION_FIELDS}`,
    converters: [{ name: "longIso8601date", type: "Qlik.Sense.Logging.log4net.Layout.Pattern.Iso8601TimeOffsetPatternConverter" }],
  });
}

/** The whole LocalLogConfig.xml for the Engine, one appender per Steward target. */
export function renderEngineAppenderXml(targets: AppenderTarget[], generatedBy: string): string {
  if (targets.length === 0) throw new Error("at least one target (the Steward host and UDP port) is needed");
  const names = targets.map((_, i) => `StewardEngineReload${targets.length > 1 ? i + 1 : ""}`);
  const refs = names.map((n) => `    <appender-ref ref="${n}" />`).join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<!--
  Qlik Sense Engine reloads → Steward (${targets.map((t) => `${t.host}:${t.port}/udp`).join(", ")}).
  Save as %ProgramData%\\Qlik\\Sense\\Engine\\LocalLogConfig.xml on every node that runs the Engine service, then
  restart the Qlik Sense Engine Service (apps open on that node close). Sends the Engine's audit activity lines, its
  lines that mention a reload (start, end, failure) and its service log's warnings and errors, with the app, the
  session, its user, the node and the time. Normal file logging is not affected. Keep the QMC's Engine "Audit
  activity log level" above Off: the reloads' audit lines come from it. Generated by ${xmlAttr(generatedBy)}.
-->
<configuration>
${targets.map((t, i) => engineAppenderElement(names[i]!, t)).join("\n")}
${ENGINE_LOGGERS.map((l) => `  <logger name="${l}">\n${refs}\n  </logger>`).join("\n")}
</configuration>
`;
}
