// Temporary directories for tests: created under the OS temp dir, removed (recursively) by `remove()`. What a test
// file made and did not remove (a test failed or timed out before its cleanup, a helper forgot) is removed by the
// preload (global-teardown.ts) once the file's own teardown has run, or on a signal that ends the test process.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDir {
  path: string;
  remove(): void;
}

/**
 * The directories made and not yet removed. Module state is per test file under `--isolate` (each `--parallel`
 * worker loads every file afresh, with the preload), and per process otherwise: either way the preload's afterAll
 * sees the same set as the tests.
 */
const made = new Set<string>();

const removeDir = (path: string) => rmSync(path, { recursive: true, force: true, maxRetries: 3 });

/** Creates a fresh empty directory; `remove()` is idempotent and never throws for a missing dir. */
export function createTempDir(prefix = "steward-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  made.add(path);
  return {
    path,
    remove: () => {
      removeDir(path);
      made.delete(path);
    },
  };
}

/**
 * Removes every directory createTempDir made that is still there, and returns them. Only for the preload's afterAll
 * and the handler of a terminating signal (child-process.ts): both call it once the file's own teardown is over or
 * will not come, and the processes the tests started have ended, so nothing still uses them.
 */
export function removeLeftoverTempDirs(): string[] {
  const left = [...made];
  for (const path of left) {
    removeDir(path);
    made.delete(path);
  }
  return left;
}
