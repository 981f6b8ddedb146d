// `steward appender-xml --engine --check FILE` (issue 77): an Engine LocalLogConfig.xml a monitoring tool installed (a
// fixture written for these tests, shaped as such files are: its own UDP appender with a threshold, bound to
// System.Engine) is read; what Steward's lines need is named, the tool's appender is kept, and the merge it prints,
// applied, makes a file the check passes. Steward's own file passes; an older Steward file that picks lines by words
// is told to take the chain by logger; a threshold or a logger level that drops INFO lines is named.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkEngineAppenderXml } from "../../../../src/hear/engine/appender-check";
import { renderEngineAppenderXml } from "../../../../src/hear/engine/engine-appender-xml";
import { appenderXmlCommand } from "../../../../src/show/cli/appender";
import { createTempDir } from "../../../helpers/temp-dir";

const OPS = readFileSync(join(import.meta.dir, "../../../fixtures/appender/engine-ops-monitor.xml"), "utf8");
const TARGET = { host: "10.0.0.5", port: 9998 };
const miss = (c: ReturnType<typeof checkEngineAppenderXml>) => c.findings.filter((f) => !f.ok).map((f) => f.text);

/** Applies the merge as an admin would: the new elements inside <configuration>, each reference inside its logger. */
function applyMerge(xml: string, merge: string): string {
  let out = xml;
  for (const part of merge.split("\n\n")) {
    const inLogger = /^<!-- add inside the existing <logger name="([^"]+)"> -->\n([\s\S]*)$/.exec(part);
    if (inLogger) {
      out = out.replace(`<logger name="${inLogger[1]}">`, `<logger name="${inLogger[1]}">\n${inLogger[2]}`);
      continue;
    }
    expect(part).toMatch(/^<!-- add inside <configuration>/);
    out = out.replace("</configuration>", `${part.slice(part.indexOf("-->") + 3)}\n</configuration>`);
  }
  return out;
}

describe("an Engine file another tool installed", () => {
  const c = checkEngineAppenderXml(OPS, [TARGET]);

  test("says what is missing and keeps the tool's appender", () => {
    expect(c.complete).toBe(false);
    expect(c.findings.filter((f) => f.ok).map((f) => f.text)).toEqual([
      "kept: appender OpsWarnings (log4net.Appender.UdpAppender → ops-monitor.corp.example:9996), bound to System.Engine",
    ]);
    expect(miss(c)).toEqual([
      "no appender sends the Engine's lines to Steward (a UdpAppender whose pattern starts with /engine-reload/)",
      'no <logger name="AuditActivity.Engine">: its lines are not sent to Steward',
      '<logger name="System.Engine"> does not refer to StewardEngineReload (it sends to OpsWarnings: keep those)',
      'no <logger name="Service.Engine">: its lines are not sent to Steward',
    ]);
  });

  test("its merge, applied, gives a file the check passes, the tool's appender still bound", () => {
    expect(c.merge).toContain('<param name="remoteAddress" value="10.0.0.5" />');
    expect(c.merge).toContain('<param name="loggerToMatch" value="AuditActivity.Engine" />');
    const merged = applyMerge(OPS, c.merge);
    const again = checkEngineAppenderXml(merged);
    expect(miss(again)).toEqual([]);
    expect(again.complete).toBe(true);
    expect(again.findings.map((f) => f.text)).toContain('<logger name="System.Engine"> refers to StewardEngineReload (and keeps OpsWarnings)');
  });

  test("without --target the merge says where Steward's address goes", () => {
    const m = checkEngineAppenderXml(OPS).merge;
    expect(m).toContain("give --target HOST[:PORT]");
    expect(m).toContain('value="STEWARD-HOST"');
  });
});

describe("Steward's own files", () => {
  test("the file Steward writes today: nothing to merge", () => {
    const c = checkEngineAppenderXml(renderEngineAppenderXml([TARGET], "test"));
    expect(miss(c)).toEqual([]);
    expect(c).toMatchObject({ complete: true, merge: "" });
  });

  test("an older file that picks lines by their words is told to take the chain by logger", () => {
    const today = renderEngineAppenderXml([TARGET], "test");
    const words = ["Reload", "reload", "RELOAD"]
      .map((w) => `    <filter type="log4net.Filter.StringMatchFilter">\n      <param name="stringToMatch" value="${w}" />\n    </filter>`)
      .join("\n");
    const older = today.replace(
      / {4}<filter type="log4net\.Filter\.LoggerMatchFilter">[\s\S]*?(?= {4}<filter type="log4net\.Filter\.DenyAllFilter")/,
      `${words}\n`,
    );
    expect(older).not.toContain("LoggerMatchFilter");
    const c = checkEngineAppenderXml(older);
    expect(c.complete).toBe(false);
    expect(miss(c)).toEqual([
      'StewardEngineReload: its filters pick lines by the words in them: the audit activity lines of reloads and a service log error that does not say "reload" are not sent; replace its <filter> elements with Steward\'s chain (below)',
    ]);
    expect(c.merge).toContain("LevelRangeFilter");
  });

  test("a threshold on Steward's appender or a logger level above INFO drops the INFO lines", () => {
    const today = renderEngineAppenderXml([TARGET], "test");
    const withThreshold = today.replace('<param name="encoding" value="utf-8" />', '<param name="encoding" value="utf-8" />\n    <threshold value="WARN" />');
    expect(miss(checkEngineAppenderXml(withThreshold))).toEqual([
      "StewardEngineReload: threshold WARN drops the INFO lines a reload's start and success are; remove the threshold",
    ]);
    const withLevel = today.replace('<logger name="AuditActivity.Engine">', '<logger name="AuditActivity.Engine">\n    <level value="ERROR" />');
    expect(miss(checkEngineAppenderXml(withLevel))[0]).toContain('<logger name="AuditActivity.Engine"> has level ERROR');
  });
});

test("steward appender-xml --engine --check FILE: the report, exit 1 with something to merge, 0 without", async () => {
  const dir = createTempDir("steward-engine-check-");
  try {
    const ops = join(dir.path, "ops.xml");
    await Bun.write(ops, OPS);
    const lines: string[] = [];
    expect(await appenderXmlCommand(["--engine", "--check", ops, "--target", "10.0.0.5:9998"], (s) => lines.push(s))).toBe(1);
    const text = lines.join("\n");
    expect(text).toContain("ok    kept: appender OpsWarnings");
    expect(text).toContain("MISS  no appender sends the Engine's lines to Steward");
    expect(text).toContain("To merge into the file (keep everything else in it)");
    expect(text).toContain('Keep the QMC\'s Engine "Audit activity log level" above Off');
    const mine = join(dir.path, "steward.xml");
    await Bun.write(mine, renderEngineAppenderXml([TARGET], "test"));
    const out: string[] = [];
    expect(await appenderXmlCommand(["--engine", "--check", mine], (s) => out.push(s))).toBe(0);
    expect(out.join("\n")).toContain("Nothing to merge");
    await expect(appenderXmlCommand(["--check", mine], () => {})).rejects.toThrow("--engine --check FILE");
  } finally {
    dir.remove();
  }
});
