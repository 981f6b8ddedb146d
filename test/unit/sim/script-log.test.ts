// Script logs: CRLF lines with engine timestamps, numbered statements, the error line on failure.
import { describe, expect, test } from "bun:test";
import { buildScriptLog, scriptStatements } from "../../../src/sim/tasks/script-log";

const script = "///$tab Main\nSET DateFormat='YYYY-MM-DD';\n\n[orders]:\nLOAD OrderID, Sales\nFROM [lib://Data/orders.qvd] (qvd);\n\n[x]:\nLOAD a FROM [lib://Data/x.qvd] (qvd);\n";
const base = { script, productVersion: "14.212.7", user: "INTERNAL\\sa_scheduler", startMs: Date.UTC(2025, 10, 3, 5, 59, 58, 120), stopMs: Date.UTC(2025, 10, 3, 6, 0, 41, 400) };

describe("sim script log", () => {
  test("statements keep their line numbers and fields", () => {
    const s = scriptStatements(script);
    expect(s.map((x) => x.lines[0]!.no)).toEqual([2, 4, 8]);
    expect(s[1]!.fields).toEqual(["OrderID", "Sales"]);
    expect(s[1]!.isLoad).toBe(true);
  });
  test("success log: CRLF only, stamps, statements, fetched lines, finished", () => {
    const log = buildScriptLog({ ...base, outcome: "success" });
    expect(log.endsWith("\r\n")).toBe(true);
    expect(log.replace(/\r\n/g, "")).not.toContain("\n");
    const lines = log.split("\r\n").slice(0, -1);
    expect(lines.every((l) => /^\d{8}T\d{6}\.\d{3}[+-]\d{4} /.test(l))).toBe(true);
    const text = lines.map((l) => l.slice(25));
    expect(text[0]).toBe("Execution started.");
    expect(text).toContain("Reload Executed By            INTERNAL\\sa_scheduler");
    expect(text).toContain("0005  LOAD OrderID, Sales");
    expect(text).toContain("      2 fields found: OrderID, Sales,");
    expect(text.at(-1)).toBe("Execution finished.");
    expect(text).not.toContain("Execution Failed");
  });
  test("failing log stops at the statement named in the error", () => {
    const log = buildScriptLog({ ...base, outcome: "fail", error: "Cannot open file: 'lib://Data/orders.qvd'" });
    const text = log.split("\r\n").slice(0, -1).map((l) => l.slice(25));
    const i = text.indexOf("      Error: Cannot open file: 'lib://Data/orders.qvd'");
    expect(text[i - 1]).toBe("0006  FROM [lib://Data/orders.qvd] (qvd);");
    expect(text.slice(i + 1)).toEqual(["Execution Failed", "Execution finished."]);
    expect(text.some((l) => l.includes("lib://Data/x.qvd"))).toBe(false);
  });
  test("aborted log", () => {
    const text = buildScriptLog({ ...base, outcome: "abort" }).split("\r\n");
    expect(text.at(-2)).toMatch(/ Execution finished\.$/);
    expect(text.at(-3)).toMatch(/ Execution aborted by user request$/);
  });
  test("shaped log: exact length, the error at the chosen line, the end lines of a failed run last", () => {
    const lines = (n: number, errorLine?: number) =>
      buildScriptLog({ ...base, outcome: "fail", error: "Connector reply error: SQL##f", shape: { lines: n, errorLine } }).split("\r\n").slice(0, -1).map((l) => l.slice(25));
    for (const n of [1, 2, 15, 21, 5_000]) expect(lines(n).length).toBe(n);
    expect(lines(1)).toEqual(["      Error: Connector reply error: SQL##f"]);
    const issue = lines(21, 19);
    expect(issue.slice(18)).toEqual(["      Error: Connector reply error: SQL##f", "Execution Failed", "Execution finished."]);
    expect(issue[0]).toBe("Execution started.");
    const middle = lines(5_000, 2_500);
    expect(middle.findIndex((l) => l.includes("Error:"))).toBe(2_499);
    expect(middle.filter((l) => l.includes("Error:")).length).toBe(1);
    expect(middle.slice(-2)).toEqual(["Execution Failed", "Execution finished."]);
    expect(middle[2_500]).toMatch(/^\d{4} {2}|fields found|Lines fetched/);
    const success = buildScriptLog({ ...base, outcome: "success", shape: { lines: 40 } }).split("\r\n").slice(0, -1);
    expect(success.length).toBe(40);
    expect(success.at(-1)).toMatch(/ Execution finished\.$/);
    expect(success.join("\n")).not.toContain("Error:");
  });
});
