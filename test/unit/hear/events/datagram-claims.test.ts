// Which parts of a datagram stand once QRS confirms the run: a host naming the executing node (in either spelling)
// and a message the Scheduler writes for that outcome; anything else is QRS's.
import { describe, expect, test } from "bun:test";
import { isSchedulerMessage, qrsMessage, sameNode, settleDatagramClaims } from "../../../../src/hear/events/datagram-claims";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import type { QrsExecutionResult } from "../../../../src/platform/qlik/qrs-schemas";

describe("datagram claims", () => {
  test("a node is the same under its short name and its DNS name, in any case; different names or domains are not", () => {
    expect(sameNode("SENSE1", "sense1.corp.example")).toBe(true);
    expect(sameNode("sense1.corp.example", "Sense1.Corp.Example")).toBe(true);
    expect(sameNode("sense1", "sense12.corp.example")).toBe(false);
    expect(sameNode("sense1.a.example", "sense1.b.example")).toBe(false);
    expect(sameNode("evil-host.example", "sense1.corp.example")).toBe(false);
    expect(sameNode("", "sense1")).toBe(false);
  });

  test("the Scheduler's messages pass for their outcome only; anything added to them does not", () => {
    const task = "1a2b3c4d-0004-4a00-8000-000000000004";
    expect(isSchedulerMessage("Task finished with state FinishedFail. Max retries reached.", "failed", task, false)).toBe(true);
    expect(isSchedulerMessage(`Could not reserve an executor for task ${task}`, "failed", task, false)).toBe(true);
    expect(isSchedulerMessage("Could not reserve an executor for task 00000000-0000-4000-8000-000000000000", "failed", task, false)).toBe(false);
    expect(isSchedulerMessage("Execution State Change to Aborting", "aborted", task, false)).toBe(true);
    expect(isSchedulerMessage("Execution State Change to Aborting", "failed", task, false)).toBe(false);
    expect(isSchedulerMessage("Exiting execute of Distribute task request.", "succeeded", task, true)).toBe(true);
    expect(isSchedulerMessage("Max retries reached. Call +1 555 0100 now", "failed", task, false)).toBe(false);
  });

  test("settled: a foreign host and a foreign message become QRS's; a genuine pair stays as sent", () => {
    const execution = {
      id: "e",
      status: 8,
      executingNodeName: "sense1.corp.example",
      details: [
        { message: "Changing task state from Started to FinishedFail", detailsType: 0, detailCreatedDate: "2026-01-01T00:00:02.000Z" },
        { message: "Changing task state to Triggered", detailsType: 2, detailCreatedDate: "2026-01-01T00:00:00.000Z" },
      ],
    } as unknown as QrsExecutionResult;
    expect(qrsMessage(execution)).toBe("Changing task state from Started to FinishedFail");
    const forged = syntheticTaskEvent({ outcome: "failed", host: "evil-host.example" });
    forged.logMessage = "Max retries reached. Click https://evil.example";
    expect(settleDatagramClaims(forged, execution, false)).toEqual(["host", "message"]);
    expect(forged).toMatchObject({ host: "sense1.corp.example", logMessage: "Changing task state from Started to FinishedFail" });
    const genuine = syntheticTaskEvent({ outcome: "failed", host: "SENSE1" });
    genuine.logMessage = "Max retries reached";
    expect(settleDatagramClaims(genuine, execution, false)).toEqual([]);
    expect(genuine).toMatchObject({ host: "SENSE1", logMessage: "Max retries reached" });
  });
});
