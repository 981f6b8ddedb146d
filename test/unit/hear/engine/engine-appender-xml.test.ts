// The Engine's LocalLogConfig.xml (`steward appender-xml --engine`): well-formed, one appender per target bound to the
// Engine's loggers, a filter chain by logger where log4net allows it, and a conversion pattern whose output Steward's parser reads
// back field by field; and the simulator's Engine, which runs the same file, sends what the parser reads.
import { describe, expect, test } from "bun:test";
import { ENGINE_LOGGERS, ENGINE_MATCHES, renderEngineAppenderXml } from "../../../../src/hear/engine/engine-appender-xml";
import { parseDatagram } from "../../../../src/hear/intake/datagram-parser";
import { appenderXmlCommand } from "../../../../src/show/cli/appender";
import { reloadEnded, reloadStarted } from "../../../../src/sim/engine/engine-log";
import { engineAppenderMatches, formatEngineDatagram } from "../../../../src/sim/udp/engine-format";
import { createTempDir } from "../../../helpers/temp-dir";

const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";

/** The elements in document order, checking that tags balance. */
function elements(xml: string): Array<{ name: string; attrs: Record<string, string> }> {
  const stack: string[] = [];
  const out: Array<{ name: string; attrs: Record<string, string> }> = [];
  for (const m of xml
    .replace(/<\?xml[^>]*\?>/, "")
    .replace(/<!--[\s\S]*?-->/g, "")
    .matchAll(/<(\/?)([A-Za-z][\w.-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, raw, self] = m;
    if (closing) {
      expect(stack.pop()).toBe(name!);
      continue;
    }
    const attrs = Object.fromEntries([...raw!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!.replace(/&amp;/g, "&").replace(/&quot;/g, '"')]));
    out.push({ name: name!, attrs });
    if (!self) stack.push(name!);
  }
  expect(stack).toEqual([]);
  return out;
}

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/**
 * Whether the file's first appender sends a line, by log4net's documented filter semantics (the first filter that
 * accepts or denies decides; neutral goes on): StringMatchFilter (substring: accept, else neutral), LoggerMatchFilter
 * (logger name starts with it: accept or, acceptOnMatch false, deny; else neutral), LevelRangeFilter (outside: deny;
 * inside: accept with acceptOnMatch true), DenyAllFilter (deny).
 */
function decide(xml: string, logger: string, level: string, message: string): boolean {
  const appender = xml.slice(xml.indexOf("<appender "), xml.indexOf("</appender>"));
  for (const f of appender.matchAll(/<filter type="log4net\.Filter\.(\w+)"\s*(?:\/>|>([\s\S]*?)<\/filter>)/g)) {
    const p = Object.fromEntries([...(f[2] ?? "").matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const accept = p.acceptOnMatch !== "false";
    if (f[1] === "StringMatchFilter" && message.includes(p.stringToMatch!)) return accept;
    if (f[1] === "LoggerMatchFilter" && logger.startsWith(p.loggerToMatch!)) return accept;
    if (f[1] === "LevelRangeFilter") {
      const at = LEVELS.indexOf(level);
      if (at < LEVELS.indexOf(p.levelMin!) || at > LEVELS.indexOf(p.levelMax!)) return false;
      if (accept) return true;
    }
    if (f[1] === "DenyAllFilter") return false;
  }
  return true;
}

/** What log4net's PatternLayout makes of the pattern for one Engine logging event. */
function render(pattern: string, e: Record<string, string>): string {
  return pattern
    .replace("%hostname", e.host!)
    .replace("%longIso8601date", e.time!)
    .replace("%level", e.level!)
    .replace("%logger", e.logger!)
    .replace(/%property\{([\w ]+)\}/g, (_m, k: string) => e[k] ?? "(null)")
    .replace("%message", e.message!);
}

describe("the Engine's LocalLogConfig.xml", () => {
  const xml = renderEngineAppenderXml([{ host: "10.1.2.3", port: 9998 }], "test");
  const els = elements(xml);

  test("one UDP appender, UTF-8, to the target, bound to the Engine's audit, system and service loggers", () => {
    expect(els.filter((e) => e.name === "appender").map((a) => [a.attrs.name, a.attrs.type])).toEqual([
      ["StewardEngineReload", "log4net.Appender.UdpAppender"],
    ]);
    const param = (n: string) => els.filter((e) => e.name === "param" && e.attrs.name === n).map((p) => p.attrs.value);
    expect([param("remoteAddress"), param("remotePort"), param("encoding")]).toEqual([["10.1.2.3"], ["9998"], ["utf-8"]]);
    expect(els.filter((e) => e.name === "logger").map((l) => l.attrs.name)).toEqual([...ENGINE_LOGGERS]);
    expect(els.filter((e) => e.name === "appender-ref")).toHaveLength(ENGINE_LOGGERS.length);
    const filters = els.filter((e) => e.name === "filter").map((f) => f.attrs.type);
    expect(filters.at(-1)).toBe("log4net.Filter.DenyAllFilter");
    expect(xml).toContain("Qlik.Sense.Logging.log4net.Layout.Pattern.Iso8601TimeOffsetPatternConverter");
    expect(xml).toContain("%ProgramData%\\Qlik\\Sense\\Engine\\LocalLogConfig.xml");
  });

  test("its output for a reload line parses back to every field", () => {
    const pattern = els.find((e) => e.name === "param" && e.attrs.name === "conversionpattern")!.attrs.value!;
    const datagram = render(pattern, {
      host: "SENSE2",
      AppId: APP,
      SessionId: "8a1f3c2e-77d0-4b9a-a2c4-5e6f7a8b9c0d",
      ActiveUserDirectory: "CORP",
      ActiveUserId: "bob",
      time: "20261124T195018.028+0100",
      level: "WARN",
      ProxySessionId: "4f1c2a9e",
      logger: "AuditActivity.Engine",
      message: "Command=Reload;Result=1;ResultText=Error: Reload failed",
    });
    const r = parseDatagram(datagram);
    if (!r.ok || r.message.kind !== "engine-reload") throw new Error(`not parsed: ${JSON.stringify(r)}`);
    expect(r.message.line).toMatchObject({
      host: "SENSE2",
      appId: APP,
      user: "CORP\\bob",
      proxySessionId: "4f1c2a9e",
      logger: "AuditActivity.Engine",
      kind: "failure",
      text: "Error: Reload failed",
      timeMs: Date.parse("2026-11-24T18:50:18.028Z"),
    });
  });

  test("the filter chain, run as log4net runs it: by logger where it can, by words only for the system log", () => {
    const sends = (logger: string, level: string, message: string) => decide(xml, logger, level, message);
    // Every audit activity line, whatever its words (its Command is read by Steward).
    expect(sends("AuditActivity.Engine", "INFO", "Command=Open app;Result=0;ResultText=Success")).toBe(true);
    expect(sends("AuditActivity.Engine", "WARN", "Command=DoReloadEx;Result=1;ResultText=Error")).toBe(true);
    // The system log: only its lines that name a reload.
    expect(sends("System.Engine", "INFO", "Reload of app started")).toBe(true);
    expect(sends("System.Engine", "ERROR", "Out of memory")).toBe(false);
    expect(sends("System.Engine", "INFO", "Session opened")).toBe(false);
    // The service log: a warning or an error whatever its words (a script's error need not say "reload"), else a reload line.
    expect(sends("Service.Engine", "ERROR", "Cannot open file: 'lib://Data/orders.qvd'")).toBe(true);
    expect(sends("Service.Engine", "WARN", "Field 'x' not found")).toBe(true);
    expect(sends("Service.Engine", "INFO", "Reload finished")).toBe(true);
    expect(sends("Service.Engine", "INFO", "Cache trimmed")).toBe(false);
    expect(ENGINE_MATCHES).toEqual(["Reload", "reload", "RELOAD"]);
  });

  test("two targets: two appenders, each logger refers to both", () => {
    const two = elements(
      renderEngineAppenderXml(
        [
          { host: "a.corp.example", port: 9998 },
          { host: "::1", port: 9000 },
        ],
        "t",
      ),
    );
    expect(two.filter((e) => e.name === "appender").map((a) => a.attrs.name)).toEqual(["StewardEngineReload1", "StewardEngineReload2"]);
    expect(two.filter((e) => e.name === "appender-ref")).toHaveLength(2 * ENGINE_LOGGERS.length);
  });

  test("steward appender-xml --engine writes it", async () => {
    const dir = createTempDir("steward-engine-xml-");
    try {
      const lines: string[] = [];
      const out = `${dir.path}/LocalLogConfig.xml`;
      expect(await appenderXmlCommand(["--engine", "--target", "10.0.0.5:9998", "--out", out], (s) => lines.push(s))).toBe(0);
      expect(lines.join("\n")).toContain("%ProgramData%\\Qlik\\Sense\\Engine\\LocalLogConfig.xml");
      expect(await Bun.file(out).text()).toContain('<param name="remoteAddress" value="10.0.0.5" />');
    } finally {
      dir.remove();
    }
  });
});

describe("the simulator's Engine runs the same file", () => {
  const c = { hostName: "sense2.corp.example", nodeName: "Reload01", appId: APP, sessionId: "s-1", user: "CORP\\bob", proxySessionId: "0" };
  test("its reload lines pass the filter and parse to start, then failure", () => {
    const lines = [...reloadStarted(c, 1_000, { mode: 0, partial: false }), ...reloadEnded(c, 9_000, "failed", "Cannot open file")];
    expect(lines.every(engineAppenderMatches)).toBe(true);
    const kinds = lines.map((l) => {
      const r = parseDatagram(formatEngineDatagram(l));
      if (!r.ok || r.message.kind !== "engine-reload") throw new Error("not parsed");
      expect(r.message.line).toMatchObject({ appId: APP, user: "CORP\\bob", sessionId: "s-1", host: "sense2.corp.example", timeMs: l.timeMs });
      return r.message.line.kind;
    });
    // The service log's error names no reload (the script's words): a detail that joins the reload.
    expect(kinds).toEqual(["start", "detail", "failure"]);
  });
});
