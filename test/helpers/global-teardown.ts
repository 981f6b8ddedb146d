// Preloaded into every `bun test` run (bunfig.toml): marks the processes the run starts and, after the tests,
// removes what they left in the system's temp folder that is too large to leave there (the Wine prefix, about
// 700 MB), fails the run when a process they started is still running (it is killed first), and then removes the
// temp dirs (test/helpers/temp-dir.ts) they did not. "After the tests": its afterAll runs after the last file's own
// afterAll hooks, and under `--isolate` (which `--parallel` implies) after each file's, the preload being loaded
// again for each file. A `process` "exit" hook would not do: bun test does not emit that event. On a signal (Ctrl-C,
// a CI cancel) child-process.ts ends the processes and removes the temp dirs instead.
import { afterAll } from "bun:test";
import { appendFileSync, readFileSync } from "node:fs";
import { endGroupsOnTermination } from "./child-process";
import { endLeftovers, markThisRun } from "./leftover-processes";
import { removeLeftoverTempDirs } from "./temp-dir";
import { removeThisRunsWinePrefix } from "./wine";

const mark = markThisRun();
// Not STEWARD_-prefixed: Steward reads those as config settings, and the tests' child processes inherit this one.
const cpuLog = process.env.SUITE_CPU_LOG;
const startedCpu = cpuLog ? cpuSeconds() : 0;
const startedWall = performance.now();
endGroupsOnTermination(mark);
/** A process that was told to stop at the end of the last file gets this long to go (wineserver lingers 3 s). */
const GRACE_MS = 10_000;

afterAll(async () => {
  if (cpuLog)
    appendFileSync(
      cpuLog,
      `${JSON.stringify({ file: Bun.main, cpuS: round(cpuSeconds() - startedCpu), wallS: round((performance.now() - startedWall) / 1000) })}\n`,
    );
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

/**
 * This worker's CPU time with the children it has reaped (Stewards, PostgreSQL, builds), from /proc/self/stat: where
 * the suite's time goes when SUITE_CPU_LOG names a file (`npm test -- --cpu-report` sets it).
 */
function cpuSeconds(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  // utime, stime, cutime, cstime are fields 14-17 of stat, 12-15 after the name.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / 100;
}

function round(s: number): number {
  return Math.round(s * 10) / 10;
}
