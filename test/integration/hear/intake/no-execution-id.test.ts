// A Scheduler datagram whose ExecutionId is log4net's "(null)" or empty (issue 59): Butler alerts on it, and so does
// Steward now (before, it was dropped as unparseable). The run is found in QRS by time (the task's last run, ended so a
// moment ago), announced once however often the datagram comes, and not again by reconciliation; a forged one for a
// task that did not just end that way is not announced.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTempDir } from "../../../helpers/temp-dir";
import { waitFor } from "../../../helpers/wait-for";
import { IDS, sendDatagram, startHarness, type Harness } from "./harness";

const tmp = createTempDir();
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ dir: tmp.path });
  // The Scheduler's own datagrams are not sent: the test sends the run's datagram itself, without an ExecutionId.
  h.sim.settings.udp.targets = [];
  await h.startPassEnded();
}, 60_000);
afterAll(async () => {
  await h?.close();
  tmp.remove();
});

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
/** A log4net %date of now, as the Scheduler writes it (server-local; UTC here). */
const logDate = (ms: number) => {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())},${pad(d.getUTCMilliseconds(), 3)}`;
};
const failedWithout = (executionId: string, at: number) =>
  `/scheduler-task-failed/;sense1.test.example;Reload Sales dashboard;Sales dashboard;INTERNAL\\sa_scheduler;${IDS.reload};${IDS.app};${logDate(at)};WARN;${executionId};Task finished with state FinishedFail. Max retries reached.`;

describe("a failed run's datagram with no ExecutionId", () => {
  test("(null): alerted once with QRS's run found by time, twice sent, and reconciliation does not announce it again", async () => {
    const real = h.run(IDS.reload, "fail");
    await waitFor(() => !h.sim.tasks.isRunning(IDS.reload), { what: "the simulated run to end" });
    const at = Date.now();
    await sendDatagram(failedWithout("(null)", at), h.udpPort());
    await sendDatagram(failedWithout("(null)", at), h.udpPort());
    const e = await waitFor(() => h.events.find((x) => x.kind === "task.failed" && x.task.id === IDS.reload), { what: "the task.failed event" });
    // QRS's run, found by time: its real ExecutionId, node and script log, confirmed.
    expect(e.executionId).toBe(real);
    expect(e.id).toBe(`${real}:failed`);
    expect(e.unconfirmed).toBeUndefined();
    expect(e.execution?.status).toBe("FinishedFail");
    await waitFor(async () => (await h.metric("steward_intake_deduplicated_total", { source: "udp" })) >= 1, {
      what: "the second datagram counted as a duplicate",
    });
    expect((await h.t.app.intake.reconciler!.runOnce())?.emitted).toBe(0);
    expect(h.events.filter((x) => x.kind === "task.failed" && x.task.id === IDS.reload)).toHaveLength(1);
  }, 30_000);

  test("an empty ExecutionId is read the same way", async () => {
    const before = h.events.length;
    const real = await h.runWhenIdle(IDS.reload, "fail");
    await waitFor(() => !h.sim.tasks.isRunning(IDS.reload), { what: "the simulated run to end" });
    await sendDatagram(failedWithout("", Date.now()), h.udpPort());
    const e = await waitFor(() => h.events.slice(before).find((x) => x.kind === "task.failed"), { what: "the task.failed event" });
    expect(e.executionId).toBe(real);
  }, 30_000);

  test("forged: a (null) failure of a task whose last run succeeded is not announced", async () => {
    await h.runWhenIdle(IDS.reload, "succeed");
    await waitFor(() => !h.sim.tasks.isRunning(IDS.reload), { what: "the simulated run to end" });
    const unconfirmedBefore = await h.metric("steward_intake_unconfirmed_total", { qrs: "denied" });
    const failuresBefore = h.events.filter((x) => x.kind === "task.failed").length;
    await sendDatagram(failedWithout("(null)", Date.now() + 1234), h.udpPort());
    await waitFor(async () => (await h.metric("steward_intake_unconfirmed_total", { qrs: "denied" })) > unconfirmedBefore, {
      what: "the forged datagram to be judged",
    });
    expect(h.events.filter((x) => x.kind === "task.failed")).toHaveLength(failuresBefore);
  }, 30_000);
});
