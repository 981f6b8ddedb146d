// One line of the simulated Engine's own logs about a reload, with the log properties its appenders render: which
// app, which Engine session and whose, where from (ProxySessionId "0": not through the Qlik Proxy), on which node.
// The Engine logs the Scheduler's reloads as well as the Engine API's: a reload is a reload to it.

/**
 * The Engine's loggers as Qlik names them, `<Facility>.<Service>.<class>` (a real site's audit logger is
 * `AuditActivity.Engine.Engine`; the system and service ones follow the same pattern, inferred).
 */
export type EngineLogger = "AuditActivity.Engine.Engine" | "System.Engine.Engine" | "Service.Engine.Engine";

export interface EngineLogEvent {
  logger: EngineLogger;
  level: "INFO" | "WARN" | "ERROR";
  message: string;
  timeMs: number;
  /** %hostname: the node whose Engine logged. */
  hostName: string;
  /** Name of that node in the site (its appender decides where the line goes). */
  nodeName: string;
  appId: string;
  sessionId: string;
  /** `DIRECTORY\userid` of the session. */
  user: string;
  /** "0" unless the session came through the Qlik Proxy. */
  proxySessionId: string;
}

/** Where one reload is, for the lines the Engine logs about it. */
export interface EngineReloadContext {
  hostName: string;
  nodeName: string;
  appId: string;
  sessionId: string;
  user: string;
  proxySessionId: string;
}

export type EngineLogSink = (e: EngineLogEvent) => void;

const line = (c: EngineReloadContext, at: number, logger: EngineLogger, level: EngineLogEvent["level"], message: string): EngineLogEvent => ({
  ...c,
  logger,
  level,
  message,
  timeMs: at,
});

/** The reload began (the Engine's system log). */
export function reloadStarted(c: EngineReloadContext, at: number, opts: { mode: number; partial: boolean }): EngineLogEvent[] {
  return [line(c, at, "System.Engine.Engine", "INFO", `Reload of app ${c.appId} started (mode ${opts.mode}${opts.partial ? ", partial" : ""})`)];
}

/**
 * The reload ended: its audit activity line in Qlik's documented form (Command=…;Result=…;ResultText=…) and, when it
 * failed, the Engine's service log line with the script's error, in the script's words alone (the word "reload" need
 * not be in it: the appender's filter lets it through by its level).
 */
export function reloadEnded(c: EngineReloadContext, at: number, outcome: "succeeded" | "failed" | "cancelled", error?: string): EngineLogEvent[] {
  if (outcome === "succeeded") return [line(c, at, "AuditActivity.Engine.Engine", "INFO", "Command=Reload;Result=0;ResultText=Success")];
  if (outcome === "cancelled") return [line(c, at, "AuditActivity.Engine.Engine", "WARN", "Command=Reload;Result=1;ResultText=Error: Reload aborted")];
  return [
    line(c, at, "Service.Engine.Engine", "ERROR", error ?? "Script error"),
    line(c, at, "AuditActivity.Engine.Engine", "WARN", "Command=Reload;Result=1;ResultText=Error: Reload failed"),
  ];
}
