// Writes the log4net appender file (LocalLogConfig.xml) that makes the Qlik Sense Scheduler on each node send
// its task events to Steward: four UdpAppenders (failed, aborted, succeeded, distribute) per Steward target,
// with the conversion pattern Steward's datagram parser reads (qlik-protocols §1.2).
import { isIP } from "node:net";
import { AppError } from "../../platform/core/errors";

export interface AppenderTarget {
  host: string;
  port: number;
}

interface AppenderSpec {
  name: string;
  logger: "master" | "slave";
  prefix: string;
  matches: string[];
}

/** Field order after the prefix; the parser's contract (datagram-parser.ts) and the simulator use the same. */
export const CONVERSION_FIELDS =
  "%hostname;%property{TaskName};%property{AppName};%property{User};%property{TaskId};%property{AppId};%date;%level;%property{ExecutionId};%message";

const LOGGERS = {
  master: "System.Scheduler.Scheduler.Master.Task.TaskSession",
  slave: "System.Scheduler.Scheduler.Slave.Tasks.ReloadTask",
} as const;

// Steward writes the single-slash success prefix; it also accepts the `//` that Butler's shipped file sends.
export const APPENDERS: readonly AppenderSpec[] = [
  {
    name: "TaskFailed",
    logger: "master",
    prefix: "/scheduler-task-failed/",
    matches: ["Max retries reached", "Failed to start session", "Could not reserve an executor for task"],
  },
  { name: "TaskAborted", logger: "master", prefix: "/scheduler-task-aborted/", matches: ["Execution State Change to Aborting"] },
  { name: "TaskSucceeded", logger: "master", prefix: "/scheduler-task-success/", matches: ["Execution State Change to FinishedSuccess"] },
  { name: "DistributeFinished", logger: "slave", prefix: "/scheduler-distribute/", matches: ["Exiting execute of Distribute task request."] },
];

/** Parses `host[:port]`, `[v6]:port` or a bare IPv6 address; the port defaults to Steward's 9998. */
export function parseAppenderTarget(text: string): AppenderTarget {
  const t = text.trim();
  let host = t;
  let port = 9998;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (isIP(t) !== 6 && t.includes(":")) {
    host = t.slice(0, t.lastIndexOf(":"));
    port = Number(t.slice(t.lastIndexOf(":") + 1));
  }
  const hostOk = isIP(host) !== 0 || /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host);
  if (!hostOk) throw new AppError("BAD_REQUEST", `target "${text}": not a host name or IP address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AppError("BAD_REQUEST", `target "${text}": port must be 1–65535`);
  return { host, port };
}

/** Text as an XML attribute value. */
export const xmlAttr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const HOSTNAME_CONVERTER = { name: "hostname", type: "Qlik.Sense.Logging.log4net.Layout.Pattern.HostNamePatternConverter" };

/**
 * One log4net UdpAppender: sends a line holding one of `matches` to `target` in `pattern`, with Qlik's %hostname
 * converter and any `converters` more. The Scheduler's file and the Engine's (engine-appender-xml.ts) are made of these.
 */
export function udpAppenderXml(o: {
  name: string;
  matches: readonly string[];
  target: AppenderTarget;
  pattern: string;
  converters?: ReadonlyArray<{ name: string; type: string }>;
  /** The filter chain as XML, instead of one StringMatchFilter per `matches` (the DenyAllFilter still ends it). */
  filters?: string;
}): string {
  const filters =
    o.filters ??
    o.matches
      .map((m) => `    <filter type="log4net.Filter.StringMatchFilter">\n      <param name="stringToMatch" value="${xmlAttr(m)}" />\n    </filter>`)
      .join("\n");
  const converters = [HOSTNAME_CONVERTER, ...(o.converters ?? [])]
    .map((c) => `      <converter>\n        <param name="name" value="${c.name}" />\n        <param name="type" value="${c.type}" />\n      </converter>`)
    .join("\n");
  return `  <appender name="${o.name}" type="log4net.Appender.UdpAppender">
${filters}
    <filter type="log4net.Filter.DenyAllFilter" />
    <param name="remoteAddress" value="${xmlAttr(o.target.host)}" />
    <param name="remotePort" value="${o.target.port}" />
    <param name="encoding" value="utf-8" />
    <layout type="log4net.Layout.PatternLayout">
${converters}
      <param name="conversionpattern" value="${xmlAttr(o.pattern)}" />
    </layout>
  </appender>`;
}

function appenderXml(spec: AppenderSpec, target: AppenderTarget, name: string): string {
  return udpAppenderXml({ name, matches: spec.matches, target, pattern: `${spec.prefix};${CONVERSION_FIELDS}` });
}

/** The whole LocalLogConfig.xml for the given Steward targets (one set of appenders per target). */
export function renderAppenderXml(targets: AppenderTarget[], generatedBy: string): string {
  if (targets.length === 0) throw new AppError("BAD_REQUEST", "at least one target (the Steward host and UDP port) is needed");
  const named = targets.flatMap((t, i) => APPENDERS.map((spec) => ({ spec, target: t, name: `Steward${targets.length > 1 ? i + 1 : ""}${spec.name}` })));
  const refs = (logger: AppenderSpec["logger"]) =>
    named
      .filter((n) => n.spec.logger === logger)
      .map((n) => `    <appender-ref ref="${n.name}" />`)
      .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<!--
  Qlik Sense Scheduler → Steward (${targets.map((t) => `${t.host}:${t.port}/udp`).join(", ")}).
  Save as %ProgramData%\\Qlik\\Sense\\Scheduler\\LocalLogConfig.xml on every node that runs the Scheduler
  service, then restart the Qlik Sense Scheduler Service. Normal file logging is not affected.
  Generated by ${xmlAttr(generatedBy)}.
-->
<configuration>
${named.map((n) => appenderXml(n.spec, n.target, n.name)).join("\n")}
  <logger name="${LOGGERS.master}">
${refs("master")}
  </logger>
  <logger name="${LOGGERS.slave}">
${refs("slave")}
  </logger>
</configuration>
`;
}
