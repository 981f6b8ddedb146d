// npm test's last sweep: a process a killed test worker started, in its own session (as every child a test starts
// leads its own group), is found by the suite's mark and ended once `bun test` is gone.
import { readFileSync } from "node:fs";
import { expect, test } from "bun:test";
import { endStuckWorker, endSuiteLeftovers, newSuiteMark, SUITE_MARK } from "../../../scripts/test-suite-mark";
import { processesMarked } from "../../helpers/leftover-processes";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test("a grandchild in its own session outlives a SIGKILLed parent, and the suite's mark finds and ends it", async () => {
  const mark = newSuiteMark();
  const parent = Bun.spawn(["sh", "-c", "setsid sleep 300 & echo $!; exec sleep 300"], {
    env: { ...process.env, [SUITE_MARK]: mark },
    stdout: "pipe",
  });
  const reader = parent.stdout.getReader();
  const { value } = await reader.read();
  const grandchild = Number(new TextDecoder().decode(value).trim());
  expect(grandchild).toBeGreaterThan(0);
  try {
    // `$!` is known as soon as the shell forked; the child then execs setsid, which execs sleep. While a process is
    // between its image and the next, the kernel shows no environment for it (an empty /proc/<pid>/environ), so the
    // mark cannot be read until sleep runs: wait for that (on a loaded machine it took long enough to fail here once).
    for (let i = 0; i < 250 && !commandOf(grandchild).startsWith("sleep"); i++) await Bun.sleep(20);
    expect(commandOf(grandchild)).toBe("sleep 300");
    parent.kill("SIGKILL");
    await parent.exited;
    expect(alive(grandchild)).toBe(true);
    expect(processesMarked(mark, SUITE_MARK).map((p) => p.pid)).toContain(grandchild);
    const left = await endSuiteLeftovers(mark, 0);
    expect(left.map((p) => p.pid)).toContain(grandchild);
    for (let i = 0; i < 100 && processesMarked(mark, SUITE_MARK).length > 0; i++) await Bun.sleep(20);
    expect(processesMarked(mark, SUITE_MARK)).toEqual([]);
  } finally {
    // A failure above must not leave the sleep for the suite's own sweep to report as a second failure.
    if (alive(grandchild) && commandOf(grandchild) === "sleep 300") process.kill(grandchild, "SIGKILL");
    parent.kill("SIGKILL");
  }
});

const commandOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ").trim();
  } catch {
    return "";
  }
};

test("a stuck worker gets SIGTERM first and is not SIGKILLed when it ends within the grace", async () => {
  // The worker stands in for `bun test`: on SIGTERM it runs its handler (here: prints) and exits.
  const worker = Bun.spawn(["sh", "-c", "trap 'echo handled; exit 143' TERM; echo ready; while :; do sleep 0.05; done"], { stdout: "pipe" });
  const reader = worker.stdout.getReader();
  const decoder = new TextDecoder();
  let out = "";
  while (!out.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += decoder.decode(value, { stream: true });
  }
  await endStuckWorker(worker.pid, () => [], 30_000, worker.exited);
  expect(await worker.exited).toBe(143);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    out += decoder.decode(value, { stream: true });
  }
  expect(out).toContain("handled");
});
