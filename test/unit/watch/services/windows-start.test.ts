// The verdict on a failed `sc.exe start` during `service install --start`: a service that ran and stopped again (or
// came up after all) is an install that stands; rights, logon, a missing or disabled service fail it.
import { describe, expect, test } from "bun:test";
import { judgeFailedStart } from "../../../../src/watch/services/install/windows-start";

const sc = (code: number, stdout = "", timedOut = false) => ({ code, stdout, stderr: "", timedOut });
const failed = (n: number, text: string) => sc(n, `[SC] StartService FAILED ${n}:\r\n\r\n${text}\r\n\r\n`);

describe("judgeFailedStart", () => {
  test("Wine's sc.exe (exit 1, nothing printed): the settled state decides", () => {
    expect(judgeFailedStart(sc(1), "STOPPED")).toEqual({ stands: true, note: "it stopped again during its start (sc.exe: exit 1, no output)" });
    expect(judgeFailedStart(sc(1), "RUNNING")).toEqual({ stands: true, note: "sc.exe reported a failed start (exit 1, no output), yet it is running" });
    expect(judgeFailedStart(sc(1), "not installed")).toEqual({ stands: false });
    expect(judgeFailedStart(sc(1), "START_PENDING")).toEqual({ stands: false });
    expect(judgeFailedStart(sc(1), "access_denied: Access is denied.")).toEqual({ stands: false });
  });

  test("1053, 1066, 1067 (its process ran, the SCM did not see it running) stand when it settled", () => {
    for (const [n, text] of [
      [1053, "The service did not respond to the start or control request in a timely fashion."],
      [1066, "The service has returned a service-specific error code."],
      [1067, "The process terminated unexpectedly."],
    ] as const) {
      expect(judgeFailedStart(failed(n, text), "STOPPED")).toEqual({
        stands: true,
        note: `it stopped again during its start (sc.exe: [SC] StartService FAILED ${n}: ${text})`,
      });
      expect(judgeFailedStart(failed(n, text), "START_PENDING")).toEqual({ stands: false });
      expect(judgeFailedStart(failed(n, text), "not installed")).toEqual({ stands: false });
    }
  });

  test("access denied, no such service, disabled, logon failure fail the install whatever the state", () => {
    const denied = sc(5, "[SC] StartService: OpenService FAILED 5:\r\n\r\nAccess is denied.\r\n\r\n");
    const missing = sc(1060, "[SC] StartService: OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n");
    const disabled = failed(1058, "The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.");
    const logon = failed(1069, "The service did not start due to a logon failure.");
    for (const r of [denied, missing, disabled, logon]) {
      expect(judgeFailedStart(r, "STOPPED")).toEqual({ stands: false });
      expect(judgeFailedStart(r, "RUNNING")).toEqual({ stands: false });
    }
    // A localised message with an exit code but no "[SC] … n:" line: the exit code is the error.
    expect(judgeFailedStart(sc(5, "Zugriff verweigert."), "STOPPED")).toEqual({ stands: false });
  });

  test("a start sc.exe did not finish in time (Steward's deadline) is a failure", () => {
    expect(judgeFailedStart(sc(-1, "", true), "STOPPED")).toEqual({ stands: false });
  });
});
