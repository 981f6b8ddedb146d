// The source a failed reload was reading: the last connect statement of its script log before the failure, else the
// quoted name in the line that states it; none when the log names none.
import { expect, test } from "bun:test";
import { causeSourceOf } from "../../../../src/tell/grouping/source";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";

const withLog = (lines: string[], errorLine?: string) => {
  const e = syntheticTaskEvent({ outcome: "failed" });
  e.scriptLog = { head: lines, tail: [], totalLines: lines.length, sizeBytes: 100 };
  if (errorLine) e.errorLine = errorLine;
  else delete e.errorLine;
  return e;
};

test("the last connect statement names the source; lib, ODBC and bracketed names alike", () => {
  expect(causeSourceOf(withLog(["LIB CONNECT TO 'Staging'", "LIB CONNECT TO 'DWH (corp_svc)'", "Error: refused"]))).toBe("DWH (corp_svc)");
  expect(causeSourceOf(withLog(["ODBC CONNECT64 TO [Sales ODBC];", "Error: refused"]))).toBe("Sales ODBC");
});

test("without one, the quoted name of the failure line; with neither, none", () => {
  expect(causeSourceOf(withLog(["Execution started."], "Cannot open file 'lib://Data/orders.qvd'"))).toBe("lib://Data/orders.qvd");
  expect(causeSourceOf(withLog(["Execution started."], "Connection refused"))).toBeUndefined();
});
