// A process a test starts is stopped with the processes it started (faketime runs Steward as its child), and the
// run's end finds any process it started that is still running, even one re-parented after its parent died.
import { expect, test } from "bun:test";
import { startProcess } from "../../helpers/child-process";
import { endLeftovers, processesMarked as marked } from "../../helpers/leftover-processes";
import { waitFor } from "../../helpers/wait-for";

const markOf = (name: string) => `${name}-${process.pid}-${Math.random().toString(36).slice(2)}`;
/** A parent that runs its program as a child and waits for it, as faketime does. */
const wrapper = (mark: string) => startProcess("sh", ["-c", "sleep 300 & wait"], { env: { ...process.env, [PROBE]: mark } });
/** This file's own mark, beside the run's (which the suite's end checks): a test here cannot leave a process unseen. */
const PROBE = "STEWARD_PROBE";
const processesMarked = (mark: string) => marked(mark, PROBE);

test("stop() ends the process and the child it runs the program as", async () => {
  const mark = markOf("stop");
  const proc = wrapper(mark);
  await waitFor(() => processesMarked(mark).some((p) => p.command.startsWith("sleep")) || undefined, { what: "the grandchild to start" });
  await proc.stop("SIGTERM", 2_000);
  await waitFor(() => processesMarked(mark).length === 0 || undefined, { what: "every process of the group to end", timeoutMs: 5_000 });
  expect(processesMarked(mark)).toEqual([]);
});

test("signal() reaches the child too: SIGKILL to a wrapper leaves nothing behind", async () => {
  const mark = markOf("signal");
  const proc = wrapper(mark);
  await waitFor(() => processesMarked(mark).some((p) => p.command.startsWith("sleep")) || undefined, { what: "the grandchild to start" });
  proc.signal("SIGKILL");
  await proc.exited;
  await waitFor(() => processesMarked(mark).length === 0 || undefined, { what: "the grandchild to end", timeoutMs: 5_000 });
});

test("a child left running after its parent was killed alone is found by its mark and killed", async () => {
  const mark = markOf("leftover");
  const proc = wrapper(mark);
  await waitFor(() => processesMarked(mark).some((p) => p.command.startsWith("sleep")) || undefined, { what: "the grandchild to start" });
  process.kill(proc.pid, "SIGKILL"); // the parent alone, as ending faketime by its PID did
  await proc.exited;
  const left = processesMarked(mark);
  expect(left.map((p) => p.command)).toEqual(["sleep 300"]);
  expect((await endLeftovers(mark, 0, PROBE)).map((p) => p.pid)).toEqual(left.map((p) => p.pid));
  await waitFor(() => processesMarked(mark).length === 0 || undefined, { what: "the leftover to be killed", timeoutMs: 5_000 });
});

// A test process ended by a signal (Ctrl-C, a CI job's cancel, npm test's time limit) ends the groups it started:
// they are not in its process group, so the signal alone would not reach them.
const HOLDER = `
import { startProcess } from ${JSON.stringify(`${import.meta.dir}/../../helpers/child-process.ts`)};
startProcess("sh", ["-c", "sleep 300 & wait"]);
console.log("started");
setInterval(() => {}, 1000);
`;

for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  test(`${sig} to a process that started a group ends the group too`, async () => {
    const mark = markOf(sig);
    const holder = startProcess(process.execPath, ["-e", HOLDER], { env: { ...process.env, [PROBE]: mark } });
    await waitFor(() => processesMarked(mark).some((p) => p.command.startsWith("sleep")) || undefined, { what: "the grandchild to start" });
    process.kill(holder.pid, sig); // the holder alone, as a signal to the test process reaches it
    expect(await holder.exited).toBeGreaterThan(128);
    await waitFor(() => processesMarked(mark).length === 0 || undefined, { what: "the holder's group to end", timeoutMs: 5_000 });
    expect(processesMarked(mark)).toEqual([]);
  });
}
