// persistWineServer returns once the server is up in the background: the server keeps any pipe it is given open,
// and a spawnSync reading its output waited for the server until its timeout (which it now reports as a failure).
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findExecutable } from "../../helpers/executables";
import { createTempDir } from "../../helpers/temp-dir";
import { persistWineServer, shutdownWine } from "../../helpers/wine";

const tmp = createTempDir("steward-wine-server-test-");
const prefix = join(tmp.path, "prefix");
afterAll(async () => {
  await shutdownWine(prefix).catch(() => undefined);
  tmp.remove();
});

test.skipIf(!findExecutable(["wineserver", "wineserver64"]))("a persistent wineserver is started without waiting on it", async () => {
  mkdirSync(prefix, { recursive: true });
  expect(() => persistWineServer(prefix)).not.toThrow();
  // Its server is running: a wineserver process of this prefix.
  const ofPrefix = readdirSync("/proc").filter((pid) => {
    try {
      return (
        readFileSync(`/proc/${pid}/comm`, "utf8").startsWith("wineserver") &&
        readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").includes(`WINEPREFIX=${prefix}`)
      );
    } catch {
      return false;
    }
  });
  expect(ofPrefix.length).toBe(1);
});
