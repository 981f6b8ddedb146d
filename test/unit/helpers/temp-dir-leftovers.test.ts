// A test file leaves nothing in the temp folder, not even the dirs its tests forgot or failed before removing: the
// suite used to leave about 30 there per run (a process "exit" hook that never runs in bun test, tests that did not
// clean up). The fixture runs in its own `bun test` with TMPDIR at an empty folder, once as a lone file and once
// as the suite runs files (`--parallel`, each file isolated).
import { expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { startProcess } from "../../helpers/child-process";
import { createTempDir } from "../../helpers/temp-dir";
import { waitFor } from "../../helpers/wait-for";

const REPO_ROOT = resolve(import.meta.dir, "../../..");
const FIXTURE = resolve(REPO_ROOT, "test/fixtures/temp-dirs/forgets.fixture.ts");

for (const mode of [[], ["--parallel=2"]]) {
  test(`bun test ${[...mode, "forgets.fixture.ts"].join(" ")} leaves its temp folder empty`, async () => {
    const tmp = createTempDir("steward-tmpdir-");
    // cwd: the repository, so bunfig.toml's preload runs as in the suite.
    const run = startProcess(process.execPath, ["test", ...mode, FIXTURE], { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: tmp.path } });
    try {
      await waitFor(() => run.hasExited(), { timeoutMs: 50_000, what: "the fixture's bun test to end" });
      expect(run.output()).toContain("temp dirs still there in afterAll: 3 of 3");
      expect(run.output()).toMatch(/^\s*1 pass\s*$/m);
      expect(run.output()).toMatch(/^\s*1 fail\s*$/m);
      expect(readdirSync(tmp.path)).toEqual([]);
    } finally {
      await run.stop();
      tmp.remove();
    }
  }, 60_000);
}
