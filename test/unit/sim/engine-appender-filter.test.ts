// The simulator's copy of Steward's Engine appender picks lines as log4net would: the appender referenced from
// `AuditActivity.Engine`, `System.Engine` and `Service.Engine` gets the lines of the loggers below them too (a name
// followed by a dot), as the Engine's real loggers are named (`<Facility>.<Service>.<class>`, e.g.
// `AuditActivity.Engine.Engine`), and not those of a logger whose name merely starts with the same letters.
import { describe, expect, test } from "bun:test";
import { engineAppenderMatches, loggerUnder } from "../../../src/sim/udp/engine-format";

describe("log4net's logger hierarchy in the simulated Engine appender", () => {
  test("a logger is under a configured one when it equals it or starts with it and a dot", () => {
    expect(loggerUnder("AuditActivity.Engine", "AuditActivity.Engine")).toBe(true);
    expect(loggerUnder("AuditActivity.Engine.Engine", "AuditActivity.Engine")).toBe(true);
    expect(loggerUnder("AuditActivity.EngineX", "AuditActivity.Engine")).toBe(false);
    expect(loggerUnder("AuditActivity", "AuditActivity.Engine")).toBe(false);
  });

  test("the Engine's real logger names are picked: every audit line, reload words of the system log, service warnings", () => {
    const line = (logger: string, level: string, message: string) => engineAppenderMatches({ logger, level, message });
    expect(line("AuditActivity.Engine.Engine", "INFO", "Command=GetLayout;Result=0;ResultText=Success")).toBe(true);
    expect(line("System.Engine.Engine", "INFO", "Reload of app 1 started")).toBe(true);
    expect(line("System.Engine.Engine", "INFO", "Session opened")).toBe(false);
    expect(line("Service.Engine.Engine", "ERROR", "Script error: Field not found")).toBe(true);
    expect(line("Service.Engine.Engine", "INFO", "Cache trimmed")).toBe(false);
    // Loggers the file does not bind send nothing.
    expect(line("Trace.Engine.Engine", "ERROR", "Reload failed")).toBe(false);
    expect(line("System.EngineHelper", "ERROR", "Reload failed")).toBe(false);
  });
});
