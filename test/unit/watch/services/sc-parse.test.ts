// sc.exe outputs in English, German, French and Swedish (and Wine's): states and start types come from the
// numbers, errors from sc's Win32 error number, never from the words.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseScQc, parseScQuery } from "../../../../src/watch/services/sc-parse";

const fixture = (name: string) => new TextDecoder("utf-8", { fatal: false }).decode(readFileSync(join(import.meta.dir, "fixtures/sc", name)));

describe("sc query", () => {
  test.each([
    ["query-running.en.txt", 0, "QlikSenseEngineService", "RUNNING", 4],
    ["query-stopped.en.txt", 0, "QlikSensePrintingService", "STOPPED", 1],
    ["query-start-pending.en.txt", 0, "QlikSenseRepositoryService", "START_PENDING", 2],
    ["query-stop-pending.en.txt", 0, "QlikSenseProxyService", "STOP_PENDING", 3],
    ["query-running.de.txt", 0, "QlikSenseEngineService", "RUNNING", 4],
    ["query-stopped.fr.txt", 0, "QlikSenseProxyService", "STOPPED", 1],
    ["query-stop-pending.sv.txt", 0, "QlikSenseSchedulerService", "STOP_PENDING", 3],
    ["query-running.wine.txt", 0, "RpcSs", "RUNNING", 4],
    ["query-stopped.wine.txt", 0, "Spooler", "STOPPED", 1],
  ])("%s", (file, code, name, state, stateCode) => {
    expect(parseScQuery(fixture(file), code)).toEqual({ ok: true, name, state: state as never, stateCode });
  });

  test.each([
    ["query-not-found.en.txt", 1060, "not_found", 1060],
    ["query-not-found.de.txt", 1060, "not_found", 1060],
    ["query-access-denied.en.txt", 5, "access_denied", 5],
    ["query-access-denied.fr.txt", 5, "access_denied", 5],
    ["query-unreachable.en.txt", 1722, "unreachable", 1722],
  ])("%s  is an error", (file, exit, kind, code) => {
    const r = parseScQuery(fixture(file), exit);
    expect(r).toMatchObject({ ok: false, kind, code });
    if (!r.ok) expect(r.message.length).toBeGreaterThan(5);
  });

  test("the error number is read from the text even when the exit code is lost, and from the exit code when the text is", () => {
    expect(parseScQuery(fixture("query-not-found.de.txt"), 0)).toMatchObject({ ok: false, kind: "not_found" });
    // Wine's sc.exe prints nothing for an unknown service and exits with 1.
    expect(parseScQuery("", 1)).toMatchObject({ ok: false, kind: "failed", code: 1 });
  });

  test("garbage is an error, not a guess", () => {
    expect(parseScQuery("hello\r\nworld: 12\r\n", 0)).toMatchObject({ ok: false, kind: "failed" });
    expect(parseScQuery("SERVICE_NAME: x\r\n  TYPE : 10  X\r\n  STATE : 9  WEIRD\r\n", 0)).toMatchObject({ ok: false, kind: "failed" });
  });
});

describe("sc qc", () => {
  test("automatic (delayed) start, binary path, display name, account; extra dependency lines skipped", () => {
    expect(parseScQc(fixture("qc-auto-delayed.en.txt"), 0)).toEqual({
      ok: true,
      startCode: 2,
      startType: "DELAYED",
      exePath: '"C:\\Program Files\\Qlik\\Sense\\Engine\\Engine.exe" -S',
      displayName: "Qlik Sense Engine Service",
      account: "CORP\\svc_qliksense",
    });
  });

  test.each([
    ["qc-disabled.en.txt", "DISABLED", "Qlik Sense Printing Service"],
    ["qc-manual.en.txt", "MANUAL", "Qlik Sense Repository Database"],
    ["qc-disabled.sv.txt", "DISABLED", "Qlik Sense Printing Service"],
  ])("%s → %s", (file, startType, displayName) => {
    expect(parseScQc(fixture(file), 0)).toMatchObject({ ok: true, startType, displayName });
  });

  test("German labels in the OEM code page: the numbers and positions still work", () => {
    const r = parseScQc(fixture("qc-auto.de.cp850.txt"), 0);
    expect(r).toMatchObject({
      ok: true,
      startCode: 2,
      startType: "AUTOMATIC",
      exePath: '"C:\\Program Files\\Qlik\\Sense\\Proxy\\Proxy.exe"',
      account: "CORP\\svc_qliksense",
    });
    // Umlauts in the display name are garbled by the code page, which the monitor accepts.
    expect(r.ok && r.displayName?.startsWith("Qlik Sense Proxy-Dienst f")).toBe(true);
  });

  test("qc errors", () => {
    expect(parseScQc(fixture("query-access-denied.en.txt"), 5)).toMatchObject({ ok: false, kind: "access_denied" });
    expect(parseScQc("", 1)).toMatchObject({ ok: false });
  });
});
