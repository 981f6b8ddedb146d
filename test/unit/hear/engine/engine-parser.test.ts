// The Engine's reload lines as the intake receives them: the layout the appender file writes, Qlik's audit wording,
// tolerance of what Qlik does not publish, and refusals with a reason for what is not a reload line of one app.
import { describe, expect, test } from "bun:test";
import { classifyMessage, parseLineTime } from "../../../../src/hear/engine/engine-line";
import { lineFromButler, parseEngineReload } from "../../../../src/hear/engine/engine-parser";
import { parseDatagram } from "../../../../src/hear/intake/datagram-parser";

const APP = "0b2e1ab4-0f3c-4b1e-9d0a-6f2d7d3a9c11";
const SESSION = "8a1f3c2e-77d0-4b9a-a2c4-5e6f7a8b9c0d";
const line = (message: string, over: Partial<Record<"host" | "app" | "dir" | "user" | "time" | "proxy" | "logger", string>> = {}) =>
  [
    "/engine-reload/",
    over.host ?? "SENSE2",
    over.app ?? APP,
    SESSION,
    over.dir ?? "CORP",
    over.user ?? "bob",
    over.time ?? "20261124T195018.028+0100",
    "INFO",
    over.proxy ?? "0",
    over.logger ?? "AuditActivity.Engine",
    message,
  ].join(";");

describe("the appender's layout", () => {
  test("every field where the appender file puts it; the audit line's `;` stay in the message", () => {
    const r = parseEngineReload(line("Command=Reload;Result=0;ResultText=Success"), 16_384);
    expect(r).toEqual({
      ok: true,
      line: {
        prefix: "engine-reload",
        host: "SENSE2",
        appId: APP,
        sessionId: SESSION,
        user: "CORP\\bob",
        timestamp: "20261124T195018.028+0100",
        timeMs: Date.parse("2026-11-24T18:50:18.028Z"),
        level: "INFO",
        proxySessionId: "0",
        logger: "AuditActivity.Engine",
        message: "Command=Reload;Result=0;ResultText=Success",
        kind: "success",
        text: "Success",
        truncated: false,
      },
    });
  });

  test("through the intake's parser: its own kind, and refusals counted under their reasons", () => {
    const ok = parseDatagram(new TextEncoder().encode(line("Reload of app started")));
    expect(ok.ok && ok.message.kind).toBe("engine-reload");
    expect(parseDatagram(line("Reload failed", { app: "not-a-guid" }))).toMatchObject({ ok: false, reason: "bad_engine_app_id" });
    expect(parseDatagram(line("Reload failed", { app: "(null)" }))).toMatchObject({ ok: false, reason: "engine_no_app" });
    expect(parseDatagram(line("x", { time: "yesterday" }))).toMatchObject({ ok: false, reason: "bad_engine_time" });
    // The audit logger's every line comes (the file filters it by logger): another command's, with no app, is heard and ignored.
    const other = parseEngineReload(line("Command=Open app;Result=0;ResultText=Success", { app: "(null)" }), 1_000);
    expect(other).toMatchObject({ ok: true, line: { kind: "unrelated", appId: "" } });
    expect(parseDatagram("/engine-reload/;SENSE2;x;y")).toMatchObject({ ok: false, reason: "too_few_fields" });
    // The prefix in any case, with Butler's doubled slash.
    expect(parseDatagram(line("Reload started").replace("/engine-reload/", "/Engine-Reload//")).ok).toBe(true);
  });

  test("a message over lines keeps its lines; other control characters go; a long one is cut and flagged", () => {
    const r = parseEngineReload(line("Reload failed:\r\nError: Field 'x' not found\u0007\u001b[31m"), 16_384);
    expect(r.ok && r.line.message).toBe("Reload failed:\nError: Field 'x' not found[31m");
    const long = parseEngineReload(line(`Reload failed: ${"x".repeat(5_000)}`), 600);
    expect(long.ok && long.line.message.length).toBe(600);
    expect(long.ok && long.line.truncated).toBe(true);
  });

  test("a user log4net leaves unset is no user; a line with only an id keeps the id", () => {
    expect(parseEngineReload(line("Reload started", { dir: "(null)", user: "(null)" }), 100)).toMatchObject({ ok: true, line: { user: "" } });
    expect(parseEngineReload(line("Reload started", { dir: "", user: "sa_api" }), 100)).toMatchObject({ ok: true, line: { user: "sa_api" } });
  });

  test("64 KB of separators or of one field is read in one pass, with the fixed fields where they belong", () => {
    const semis = parseEngineReload(line(";".repeat(65_000)), 70_000);
    expect(semis.ok && semis.line.message.length).toBe(65_000);
    const hostile = parseEngineReload(`/engine-reload/;${"h".repeat(65_000)};${APP};s;d;u;20261124T195018.028Z;INFO;0;l;Reload started`, 16_384);
    expect(hostile.ok && hostile.line.host.length).toBe(16_384);
    expect(hostile.ok && hostile.line.truncated).toBe(true);
  });

  test("Butler's /engine-reload-failed/ is a failure line of the same shape", () => {
    const r = lineFromButler({
      host: "SENSE1",
      appId: APP.toUpperCase(),
      sessionId: "0",
      userDirectory: "CORP",
      userId: "anna",
      timestamp: "2025-11-03 09:30:00,100",
      level: "ERROR",
      message: "Reload failed",
      truncated: false,
    });
    expect(r).toMatchObject({ ok: true, line: { prefix: "engine-reload-failed", appId: APP, user: "CORP\\anna", kind: "failure", timeMs: undefined } });
  });
});

describe("what a line says about the reload", () => {
  test("Qlik's audit form: Result decides, unless the text says it failed or started", () => {
    expect(classifyMessage("Command=Reload;Result=0;ResultText=Success").kind).toBe("success");
    expect(classifyMessage("Command=Reload app;Result=1009;ResultText=Error: App already open").kind).toBe("failure");
    expect(classifyMessage("Command=Doc::DoReloadEx;Result=0;ResultText=Reload failed").kind).toBe("failure");
    expect(classifyMessage("Command=Reload;Result=0;ResultText=Reload started").kind).toBe("start");
    expect(classifyMessage("Command=Open app;Result=0;ResultText=Success")).toEqual({ kind: "unrelated", text: "Success" });
  });

  test("plain text must name a reload; then failure over start over success", () => {
    expect(classifyMessage("Reload of app 0b2e started (mode 0)").kind).toBe("start");
    expect(classifyMessage("Failed to start reload").kind).toBe("failure");
    expect(classifyMessage("Reload finished with errors").kind).toBe("failure");
    expect(classifyMessage("Reload finished successfully").kind).toBe("success");
    expect(classifyMessage("Reload progress: 40%").kind).toBe("other");
    // No reload named: a service log error is a detail of its session's reload, anything else is about no reload.
    expect(classifyMessage("Error: Field 'x' not found", "ERROR").kind).toBe("detail");
    expect(classifyMessage("Error: Field 'x' not found", "INFO").kind).toBe("unrelated");
    // "reloaded" is not "load": word boundaries hold ("errorless" is no error, "restarted" no start).
    expect(classifyMessage("App reloaded restarted errorless").kind).toBe("other");
  });

  test("times: Qlik's basic ISO with offset, extended ISO, Z; a zone-less log4net date is no instant", () => {
    expect(parseLineTime("20261124T195018.028+0100")).toBe(Date.parse("2026-11-24T18:50:18.028Z"));
    expect(parseLineTime("2026-11-24T19:50:18.1234567-05:30")).toBe(Date.parse("2026-11-25T01:20:18.123Z"));
    expect(parseLineTime("2026-11-24 19:50:18Z")).toBe(Date.parse("2026-11-24T19:50:18Z"));
    expect(parseLineTime("2026-11-24 19:50:18,028")).toBeUndefined();
    expect(parseLineTime("20261324T195018.028+0100")).toBeUndefined();
  });
});
