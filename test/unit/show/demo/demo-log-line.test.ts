// Issue 68, item 5: in the demo, Steward's own findings at start (two triggers of a task falling due together) are
// told in the story's one-line form, not as pino-pretty's block of three lines. Real pino lines through the demo's
// logger and terminal.
import { expect, test } from "bun:test";
import { loggerFor } from "../../../../src/show/cli/logging";
import { createDemoTerminal } from "../../../../src/show/demo/terminal";
import { createSecretRegistry } from "../../../../src/platform/core/redaction";

test("a watchdog finding is one line with its level and what it says, told once", async () => {
  const lines: string[] = [];
  const terminal = createDemoTerminal({ write: (l) => lines.push(l), colour: false, now: () => new Date(2026, 10, 25, 15, 29, 20) });
  const log = (await loggerFor({ logging: { level: "warn", format: "json" } as never }, {}, createSecretRegistry(), (l) => terminal.log(l))).child({
    module: "watchdog",
  });
  const p = 'task "Reload Sales": triggers "Nightly" and "Hourly" fall due at the same time; the Scheduler skips the second while the first runs';
  log.warn({ problem: p }, `watchdog: ${p}`);
  log.info("not shown at warn");
  log.error({ err: new Error("QRS refused the certificate"), taskId: "t1" }, "watchdog look failed");
  expect(lines).toEqual([`15:29:20  ! WARN       watchdog: ${p}`, "15:29:20  ! ERROR      watchdog look failed (QRS refused the certificate; taskId t1)"]);
});
