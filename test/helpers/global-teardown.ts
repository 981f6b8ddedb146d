// Preloaded into every `bun test` run (bunfig.toml): marks the processes the run starts and, after the tests,
// removes what they left in the system's temp folder that is too large to leave there (the Wine prefix, about
// 700 MB), fails the run when a process they started is still running (it is killed first), and then removes the
// temp dirs (test/helpers/temp-dir.ts) they did not. "After the tests": its afterAll runs after the last file's own
// afterAll hooks; under `--isolate` (which `--parallel` implies) after each file's, the preload being loaded again for
// each file, and under `--no-isolate` (npm test's computing lane: scripts/test-lanes.ts) once, after the worker's last
// file, so a process left running is found there and the run fails the same, naming the process but not its file
// (`npm test -- --isolate <files>` finds the file). A `process` "exit" hook would not do: bun test does not emit that
// event. On a signal (Ctrl-C, a CI cancel) child-process.ts ends the processes and removes the temp dirs instead.
import { afterAll } from "bun:test";
import { appendFileSync } from "node:fs";
import { endGroupsOnTermination } from "./child-process";
import { ownCpuSeconds, runDelaySeconds, startRunTally } from "./cpu-tally";
import { endLeftovers, markThisRun } from "./leftover-processes";
import { removeLeftoverTempDirs } from "./temp-dir";
import { removeThisRunsWinePrefix } from "./wine";

const mark = markThisRun();
// Not STEWARD_-prefixed: Steward reads those as config settings, and the tests' child processes inherit this one.
const cpuLog = process.env.SUITE_CPU_LOG;
const startedCpu = cpuLog ? ownCpuSeconds() : 0;
const startedDelay = cpuLog ? runDelaySeconds() : 0;
const tally = cpuLog ? startRunTally(mark) : undefined;
const startedWall = performance.now();
endGroupsOnTermination(mark);
/** A process that was told to stop at the end of the last file gets this long to go (wineserver lingers 3 s). */
const GRACE_MS = 10_000;

afterAll(async () => {
  if (cpuLog) {
    // cpuS: this worker, what it reaped and the run's daemons it did not (Wine's); waitS: the worker's wait for a
    // core, childWaitS: that of the processes it started (cpu-tally.ts).
    tally?.stop();
    const daemonS = tally?.daemonSeconds() ?? 0;
    const line = {
      file: Bun.main,
      cpuS: round(ownCpuSeconds() - startedCpu + daemonS),
      daemonS: round(daemonS),
      wallS: round((performance.now() - startedWall) / 1000),
      waitS: round(runDelaySeconds() - startedDelay),
      childWaitS: round(tally?.childWaitSeconds() ?? 0),
    };
    appendFileSync(cpuLog, `${JSON.stringify(line)}\n`);
  }
  removeThisRunsWinePrefix();
  const left = await endLeftovers(mark, GRACE_MS);
  // Only now that the processes are gone: a Steward binary, PostgreSQL or Wine may still be using its folder before.
  removeLeftoverTempDirs();
  if (left.length > 0) {
    throw new Error(
      `the tests left ${left.length} process(es) running (now killed); a test must stop what it starts, with its children:\n${left.map((p) => `  ${p.pid} ${p.command}`).join("\n")}`,
    );
  }
}, GRACE_MS + 5_000);

function round(s: number): number {
  return Math.round(s * 10) / 10;
}
