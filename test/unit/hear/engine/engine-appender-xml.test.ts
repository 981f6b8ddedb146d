// The Engine's LocalLogConfig.xml (`steward appender-xml --engine`): well-formed, one appender per target bound to the
// Engine's loggers, filters that pass reload lines only, and a conversion pattern whose output Steward's parser reads
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

  test("the filter passes a line that mentions a reload and nothing else", () => {
    const passes = (m: string) => ENGINE_MATCHES.some((s) => m.includes(s));
    expect(["Reload started", "Command=Reload;Result=0;ResultText=Success", "DoReloadEx", "RELOAD"].every(passes)).toBe(true);
    expect(["Command=Open app;Result=0;ResultText=Success", "Error: Field not found"].some(passes)).toBe(false);
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
    expect(kinds).toEqual(["start", "failure", "failure"]);
  });
});
