// A test file leaves nothing in the temp folder, not even the dirs its tests forgot or failed before removing, nor
// those of a test process ended by a signal: the suite used to leave about 30 there per run (a process "exit" hook
// that never runs in bun test, tests that did not clean up). Each fixture runs in its own `bun test` with TMPDIR at
// an empty folder, as a lone file and as the suite runs files (`--parallel`, each file isolated).
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { type RunningProcess, startProcess } from "../../helpers/child-process";
import { SIM_CERTS_CACHE_PREFIX } from "../../helpers/sim-certs";
import { createTempDir, type TempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";

const REPO_ROOT = resolve(import.meta.dir, "../../..");
const fixture = (name: string) => resolve(REPO_ROOT, "test/fixtures/temp-dirs", name);

/** `bun test args` on a fixture with TMPDIR at a fresh empty folder; the run and the folder end with the test. */
async function withFixtureRun(args: string[], body: (run: RunningProcess, tmp: TempDir) => Promise<void>): Promise<void> {
  const tmp = createTempDir("steward-tmpdir-");
  // cwd: the repository, so bunfig.toml's preload runs as in the suite.
  const run = startProcess(process.execPath, ["test", ...args], { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp.path } });
  try {
    await body(run, tmp);
  } finally {
    await run.stop();
    tmp.remove();
  }
}

/** What is in the fixture's temp folder, but for the simulator certificate set the helpers share between runs on purpose. */
const leftovers = (tmp: TempDir) => readdirSync(tmp.path).filter((name) => !name.startsWith(SIM_CERTS_CACHE_PREFIX));

const ended = (run: RunningProcess) => waitFor(() => run.hasExited(), { timeoutMs: 50_000, what: "the fixture's bun test to end" });

for (const mode of [[], ["--parallel=2"]]) {
  const how = mode.length > 0 ? ` ${mode.join(" ")}` : "";

  test(`bun test${how}: the dirs a test forgot or failed before removing are gone`, async () => {
    await withFixtureRun([...mode, fixture("forgets.fixture.ts")], async (run, tmp) => {
      await ended(run);
      expect(run.output()).toContain("temp dirs still there in afterAll: 3 of 3");
      expect(run.output()).toMatch(/^\s*1 pass\s*$/m);
      expect(run.output()).toMatch(/^\s*1 fail\s*$/m);
      expect(leftovers(tmp)).toEqual([]);
    });
  }, 60_000);

  test(`bun test${how} ended by SIGTERM: its processes end, then its dirs are gone`, async () => {
    await withFixtureRun([...mode, fixture("ended.fixture.ts")], async (run, tmp) => {
      const started = await waitFor(() => run.output().match(/^started (\d+)$/m)?.[1], { timeoutMs: 50_000, what: "the fixture to start its process" });
      expect(leftovers(tmp)).toHaveLength(1);
      process.kill(run.pid, "SIGTERM"); // the test process alone, as `npm test`'s time limit or a CI cancel does
      await ended(run);
      expect(await run.exited).toBe(143);
      await waitFor(() => !isRunning(Number(started)), { what: `the fixture's process ${started} to end` });
      expect(leftovers(tmp)).toEqual([]);
    });
  }, 60_000);
}

/** Linux: a zombie has ended (a container's init may be slow to reap it). */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return false;
  }
}
