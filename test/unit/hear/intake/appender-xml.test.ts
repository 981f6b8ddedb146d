// The generated LocalLogConfig.xml: well-formed, one set of appenders per target, filters that match the
// Scheduler's messages, and a conversion pattern whose output Steward's own parser reads back correctly.
import { describe, expect, test } from "bun:test";
import { APPENDERS, parseAppenderTarget, renderAppenderXml } from "../../../../src/hear/intake/appender-xml";
import { parseDatagram } from "../../../../src/hear/intake/datagram-parser";
import { main } from "../../../../src/main";

/** Checks tag balance and returns the elements in document order (enough for a structure check). */
function elements(xml: string): Array<{ name: string; attrs: Record<string, string> }> {
  const stack: string[] = [];
  const out: Array<{ name: string; attrs: Record<string, string> }> = [];
  const body = xml.replace(/<\?xml[^>]*\?>/, "").replace(/<!--[\s\S]*?-->/g, "");
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w.-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, rawAttrs, selfClosing] = m;
    if (closing) {
      expect(stack.pop()).toBe(name!);
      continue;
    }
    const attrs = Object.fromEntries(
      [...rawAttrs!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [
        a[1]!,
        a[2]!
          .replace(/&quot;/g, '"')
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/&amp;/g, "&"),
      ]),
    );
    out.push({ name: name!, attrs });
    if (!selfClosing) stack.push(name!);
  }
  expect(stack).toEqual([]);
  return out;
}

/** What log4net's PatternLayout makes of the pattern for one logging event. */
function render(pattern: string, e: Record<string, string>): string {
  return pattern
    .replace("%hostname", e.host!)
    .replace(/%property\{(\w+)\}/g, (_m, k: string) => e[k] ?? "(null)")
    .replace("%date", e.date!)
    .replace("%level", e.level!)
    .replace("%message", e.message!);
}

const EVENT = {
  host: "SENSE2",
  TaskName: "Reload; Försäljning – EMEA",
  AppName: "Försäljning",
  User: "INTERNAL\\sa_scheduler",
  TaskId: "7552d9fc-d1bb-4975-9a38-18357de531ea",
  AppId: "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11",
  ExecutionId: "e4f1c2a9-3b7d-4c55-8e21-9a0b6c3d2f10",
  date: "2026-11-21 06:00:41,512",
  level: "WARN",
};

const MESSAGES: Record<string, { message: string; outcome: string }> = {
  TaskFailed: { message: "Task finished with state FinishedFail. Max retries reached.", outcome: "failed" },
  TaskAborted: { message: "Execution State Change to Aborting", outcome: "aborted" },
  TaskSucceeded: { message: "Execution State Change to FinishedSuccess", outcome: "succeeded" },
  DistributeFinished: { message: "Exiting execute of Distribute task request.", outcome: "distribute" },
};

describe("LocalLogConfig.xml", () => {
  const xml = renderAppenderXml([{ host: "10.1.2.3", port: 9998 }], "test");
  const els = elements(xml);

  test("four UDP appenders bound to the Scheduler's two loggers, UTF-8, pointing at the target", () => {
    const appenders = els.filter((e) => e.name === "appender");
    expect(appenders.map((a) => a.attrs.name)).toEqual(["StewardTaskFailed", "StewardTaskAborted", "StewardTaskSucceeded", "StewardDistributeFinished"]);
    expect(appenders.every((a) => a.attrs.type === "log4net.Appender.UdpAppender")).toBe(true);
    const params = els.filter((e) => e.name === "param");
    expect(params.filter((p) => p.attrs.name === "remoteAddress").map((p) => p.attrs.value)).toEqual(Array(4).fill("10.1.2.3"));
    expect(params.filter((p) => p.attrs.name === "remotePort").map((p) => p.attrs.value)).toEqual(Array(4).fill("9998"));
    expect(params.filter((p) => p.attrs.name === "encoding").map((p) => p.attrs.value)).toEqual(Array(4).fill("utf-8"));
    expect(els.filter((e) => e.name === "logger").map((l) => l.attrs.name)).toEqual([
      "System.Scheduler.Scheduler.Master.Task.TaskSession",
      "System.Scheduler.Scheduler.Slave.Tasks.ReloadTask",
    ]);
    expect(els.filter((e) => e.name === "appender-ref").map((r) => r.attrs.ref)).toEqual([
      "StewardTaskFailed",
      "StewardTaskAborted",
      "StewardTaskSucceeded",
      "StewardDistributeFinished",
    ]);
  });

  test("each appender's filters accept its Scheduler message and end with DenyAll; its output parses to the right outcome", () => {
    for (const spec of APPENDERS) {
      const { message, outcome } = MESSAGES[spec.name]!;
      expect(spec.matches.some((m) => message.includes(m))).toBe(true);
      const pattern = els.find((e) => e.name === "param" && e.attrs.name === "conversionpattern" && e.attrs.value!.startsWith(spec.prefix))!.attrs.value!;
      const datagram = render(pattern, { ...EVENT, message });
      const parsed = parseDatagram(new TextEncoder().encode(datagram));
      expect(parsed.ok).toBe(true);
      if (!parsed.ok || parsed.message.kind !== "scheduler") throw new Error("expected a scheduler datagram");
      expect(parsed.message.outcome).toBe(outcome as never);
      expect(parsed.message.taskName).toBe(EVENT.TaskName);
      expect(parsed.message.appName).toBe(EVENT.AppName);
      expect(parsed.message.executionId).toBe(EVENT.ExecutionId);
      expect(parsed.message.user).toBe(EVENT.User);
    }
    const filters = xml
      .split("<appender ")
      .slice(1)
      .map((a) => [...a.matchAll(/<filter type="([^"]+)"/g)].map((m) => m[1]));
    for (const f of filters) expect(f.at(-1)).toBe("log4net.Filter.DenyAllFilter");
  });

  test("an app-less task renders log4net's (null) and still parses", () => {
    const pattern = els.find((e) => e.attrs.name === "conversionpattern")!.attrs.value!;
    const { AppName: _a, AppId: _b, ...noApp } = EVENT;
    const parsed = parseDatagram(render(pattern, { ...noApp, message: "Max retries reached" }));
    expect(parsed.ok && parsed.message.kind === "scheduler" && parsed.message.appName).toBe("");
  });

  test("two targets get two complete appender sets", () => {
    const two = elements(
      renderAppenderXml(
        [
          { host: "steward-a.corp.example", port: 9998 },
          { host: "::1", port: 9000 },
        ],
        "t",
      ),
    );
    expect(two.filter((e) => e.name === "appender")).toHaveLength(8);
    expect(two.filter((e) => e.name === "param" && e.attrs.name === "remoteAddress").map((p) => p.attrs.value)).toContain("::1");
    expect(two.filter((e) => e.name === "appender-ref")).toHaveLength(8);
  });
});

describe("targets", () => {
  test("host, host:port, [v6]:port and bare IPv6", () => {
    expect(parseAppenderTarget("10.0.0.5")).toEqual({ host: "10.0.0.5", port: 9998 });
    expect(parseAppenderTarget("steward.corp.example:9000")).toEqual({ host: "steward.corp.example", port: 9000 });
    expect(parseAppenderTarget("[fd00::5]:9001")).toEqual({ host: "fd00::5", port: 9001 });
    expect(parseAppenderTarget("fd00::5")).toEqual({ host: "fd00::5", port: 9998 });
  });

  test("bad hosts and ports are refused", () => {
    expect(() => parseAppenderTarget('evil"host')).toThrow(/not a host name/);
    expect(() => parseAppenderTarget("host:70000")).toThrow(/port must be/);
    expect(() => parseAppenderTarget("host:x")).toThrow(/port must be/);
  });

  test("CLI: missing or bad target is a usage error (exit 2 via UsageError)", async () => {
    await expect(main(["appender-xml"])).rejects.toThrow(/at least one --target/);
    await expect(main(["appender-xml", "--target", "a b"])).rejects.toThrow(/not a host name/);
  });
});
