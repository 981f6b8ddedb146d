// Temporary directories for tests: created under the OS temp dir, removed (recursively) by `remove()`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TempDir {
  path: string;
  remove(): void;
}

/** Creates a fresh empty directory; `remove()` is idempotent and never throws for a missing dir. */
export function createTempDir(prefix = "steward-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return {
    path,
    remove: () => rmSync(path, { recursive: true, force: true, maxRetries: 3 }),
  };
}
