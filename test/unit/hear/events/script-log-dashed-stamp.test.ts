// A script log whose lines are stamped `2019-10-23 10:09:05` (a dashed stamp, as logs of other releases and settings
// write) gives its failing lines exactly as the same log with Qlik's compact stamp `20191023T100905.000+0200` does
// (issue 77: it gave 0 of its 2, and the alert lost its "what went wrong"). The compact stamp is Qlik's log date form,
// "YYYYMMDDThhmmss.fffK":
// https://help.qlik.com/en-US/sense-admin/August2023/Subsystems/DeployAdministerQSE/Content/Sense_DeployAdminister/QSEoW/Deploy_QSEoW/Server-Logging-New-Log-File-Format-Fields-Service-Log.htm
// The dashed one is log4net's ISO8601 form, "yyyy-MM-dd HH:mm:ss,fff" (here without the fraction):
// https://logging.apache.org/log4net/log4net-1.2.14/release/sdk/html/T_log4net_DateFormatter_Iso8601DateFormatter.htm
import { expect, test } from "bun:test";
import { scriptLogExcerpt } from "../../../../src/hear/events/enrich-mappers";
import { isFailureLine, logMessage } from "../../../../src/hear/events/script-log-excerpt";
import type { TaskEvent } from "../../../../src/platform/events/types";
import { createClassifier, failureLines } from "../../../../src/tell/incidents/classify";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { buildVars } from "../../../../src/tell/notify/template-vars";

/** The log's lines after their stamp: echoes of the script (line number, two spaces), then the engine's own lines. */
const BODY = [
  "      Execution started.",
  "      Qlik Sense Server Version 13.42.1",
  "0002  SET ErrorMode=1",
  "0004  Orders:",
  "0005  LOAD OrderID, Amount FROM [lib://Data/orders.qvd] (qvd)",
  "      Error: Cannot open file: 'lib://Data/orders.qvd' (Connector error: File not found)",
  "      Execution Failed",
  "      Execution finished.",
];

const compact = (i: number) => `20191023T1009${String(i).padStart(2, "0")}.000+0200`;
const dashed = (i: number) => `2019-10-23 10:09:${String(i).padStart(2, "0")}`;
const log = (stamp: (i: number) => string) => BODY.map((b, i) => `${stamp(i)} ${b}`).join("\r\n");

function failedRun(text: string): TaskEvent {
  const e = syntheticTaskEvent({ outcome: "failed" });
  return {
    ...e,
    logMessage: "Task finished with state FinishedFail.",
    execution: { statusCode: 8, status: "FinishedFail", details: [] },
    scriptLog: { ...scriptLogExcerpt(text, 20, 40, 1024 * 1024), sizeBytes: text.length },
  };
}

test("the dashed stamp gives the failing lines the compact stamp gives: the same lines, the same words", () => {
  const withCompact = failedRun(log(compact));
  const withDashed = failedRun(log(dashed));
  expect(withCompact.scriptLog!.failureLines).toEqual([6, 7]);
  expect(withDashed.scriptLog!.failureLines).toEqual([6, 7]);
  expect(logMessage(`${dashed(5)} ${BODY[5]}`)).toBe("Error: Cannot open file: 'lib://Data/orders.qvd' (Connector error: File not found)");
  // An echo of the script is never a failure, whatever its stamp.
  expect(isFailureLine(`${dashed(4)} 0005  LOAD Error: x`)).toBe(false);
  expect(failureLines(withDashed)).toEqual(failureLines(withCompact));
  expect(failureLines(withDashed)[0]).toBe("Cannot open file: 'lib://Data/orders.qvd' (Connector error: File not found)");
  const classifier = createClassifier();
  expect(classifier.classify(withDashed)).toEqual(classifier.classify(withCompact));
});

test("the alert shows the dashed log's failing lines, as it does the compact log's", () => {
  const vars = (e: TaskEvent) => buildVars({ ...e, ...createClassifier().classify(e) }, { headLines: 15, tailLines: 25, links: [] });
  const c = vars(failedRun(log(compact)));
  const d = vars(failedRun(log(dashed)));
  expect(d.scriptLogErrorCount).toBe(2);
  expect(d.scriptLogErrors).toBe(c.scriptLogErrors);
  expect(d.scriptLogErrors).toBe("Error: Cannot open file: 'lib://Data/orders.qvd' (Connector error: File not found)\nExecution Failed");
});
