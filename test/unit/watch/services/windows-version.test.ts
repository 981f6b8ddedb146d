// The oldest Windows Steward runs on: Windows Server 2019 / Windows 10 1809 (build 17763), what Bun's Windows
// build targets. `steward service install` refuses older ones before anything is installed, and says what to do.
import { expect, test } from "bun:test";
import { serviceCommand } from "../../../../src/show/cli/service";
import { windowsVersionProblem } from "../../../../src/watch/services/install/windows-version";

test("builds from 17763 on pass; Server 2016 and older are named with the way out", () => {
  for (const ok of ["10.0.17763", "10.0.20348", "10.0.26100", "11.0.1"]) expect(windowsVersionProblem(ok)).toBeUndefined();
  expect(windowsVersionProblem("10.0.14393")).toContain(
    "Windows Server 2016 (build 14393) is older than Steward needs: Windows Server 2019 / Windows 10 1809 (build 17763)",
  );
  expect(windowsVersionProblem("10.0.14393")).toContain("on Linux beside the Qlik Sense nodes");
  expect(windowsVersionProblem("6.3.9600")).toContain("build 9600");
  expect(windowsVersionProblem("unknown")).toBeUndefined();
});

test("service install on Windows Server 2016 stops before any step, exit 1", async () => {
  const out: string[] = [];
  const ran: string[][] = [];
  const code = await serviceCommand(["install", "--config", "C:\\ProgramData\\Steward\\steward.yaml", "--platform", "windows"], {
    out: (s) => out.push(s),
    run: async (cmd, args) => {
      ran.push([cmd, ...args]);
      return { code: 0, stdout: "", stderr: "", timedOut: false };
    },
    self: ["C:\\Program Files\\Steward\\steward.exe"],
    osRelease: () => "10.0.14393",
  });
  expect(code).toBe(1);
  expect(ran).toEqual([]);
  expect(out.join("\n")).toContain("Windows Server 2016 (build 14393) is older than Steward needs");
});
