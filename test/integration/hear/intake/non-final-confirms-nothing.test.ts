// Issue 103: a datagram naming the ExecutionId of a run QRS still shows as Started is not confirmed by it. Before,
// QRS's execution row was taken as confirmation whatever its state, so a forged success of a running task's run
// closed its incident while the run was still going, and a forged failure opened a confirmed, unmarked page.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";
import { IDS, startHarness, type Harness } from "./harness";

const NODE = { address: "127.0.0.1", port: 40_000 };
let h: Harness;
let tmp: TempDir;

beforeAll(async () => {
  tmp = createTempDir("non-final-");
  h = await startHarness({
    dir: tmp.path,
    intake: { enrichment: { finalStatusAttempts: 2, finalStatusDelayMs: 50 }, reconcile: { intervalSeconds: 3600, settleSeconds: 0 } },
  });
  await h.startPassEnded();
  // The real run's own datagrams are not sent: only the forged ones reach Steward.
  h.sim.settings.udp.targets = [];
});
afterAll(async () => {
  await h?.close();
  tmp?.remove();
});

function datagram(kind: "success/" | "failed", exec: string): Buffer {
  const message = kind === "failed" ? "Task finished with state FinishedFail. Max retries reached." : "Execution State Change to FinishedSuccess";
  return Buffer.from(
    `/scheduler-task-${kind}/;sense1.test.example;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${IDS.reload};${IDS.app};` +
      `2026-11-28 06:00:41,512;INFO;${exec};${message}`,
  );
}

for (const kind of ["success/", "failed"] as const) {
  test(`a forged ${kind === "failed" ? "failure" : "success"} naming a run still Started is not confirmed`, { timeout: 60_000 }, async () => {
    const exec = await h.runWhenIdle(IDS.reload, "succeed", { durationMs: 600_000 });
    try {
      h.t.app.intake.handleDatagram(datagram(kind, exec), NODE);
      const event = await h.eventFor(exec, 30_000);
      expect(event.outcome).toBe(kind === "failed" ? "failed" : "succeeded");
      // Marked, so it opens or closes no incident, and judged again once QRS has the run's final state.
      expect(event.unconfirmed).toEqual({ qrs: "unavailable", reason: expect.stringContaining("not final yet") });
    } finally {
      h.sim.tasks.abort(IDS.reload);
    }
  });
}
