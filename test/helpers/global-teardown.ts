// Preloaded into every `bun test` run (bunfig.toml): marks the processes the run starts, and after the last test
// file removes what the run left in the system's temp folder that is too large to leave there (the Wine prefix,
// about 700 MB), then fails the run when a process it started is still running (it is killed first), and removes the
// temp dirs (test/helpers/temp-dir.ts) the tests did not. Under `--isolate` (which `--parallel` implies) the
// preload is loaded again for each test file and its afterAll runs after each file's own afterAll hooks; the
// `process` "exit" event does not fire in bun test, so a hook on it would never run.
import { afterAll } from "bun:test";
import { endLeftovers, markThisRun } from "./leftover-processes";
import { removeLeftoverTempDirs } from "./temp-dir";
import { removeThisRunsWinePrefix } from "./wine";

const mark = markThisRun();
/** A process that was told to stop at the end of the last file gets this long to go (wineserver lingers 3 s). */
const GRACE_MS = 10_000;

afterAll(async () => {
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
