// The Wine shim DLL is compiled once per machine and copied to each Wine test: the copies are the compiled DLL
// (a PE file exporting ProcessPrng), and a second copy compiles nothing.
import { afterAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SHIM_DLL_NAME } from "../../../scripts/wine/build-shim";
import { findExecutable } from "../../helpers/executables";
import { createTempDir } from "../../helpers/temp-dir";
import { copyWineShim } from "../../helpers/wine-shim";

const tmp = createTempDir("steward-wine-shim-test-");
afterAll(() => tmp.remove());

test.skipIf(!findExecutable(["x86_64-w64-mingw32-gcc"]))("two copies of the shim: the same compiled DLL, compiled at most once", async () => {
  const first = await copyWineShim(join(tmp.path, "a"));
  const cached = readdirSync(tmpdir())
    .filter((n) => n.startsWith("steward-wine-shim-") && !n.includes("."))
    .map((n) => join(tmpdir(), n, SHIM_DLL_NAME))
    .filter((p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    });
  expect(cached.length).toBeGreaterThan(0);
  const stamps = cached.map((p) => statSync(p).mtimeMs);
  const second = await copyWineShim(join(tmp.path, "b"));
  expect(cached.map((p) => statSync(p).mtimeMs)).toEqual(stamps);
  expect(first).toBe(join(tmp.path, "a", SHIM_DLL_NAME));
  const bytes = readFileSync(second);
  expect(bytes.equals(readFileSync(first))).toBe(true);
  expect(bytes.subarray(0, 2).toString("latin1")).toBe("MZ");
  expect(bytes.includes(Buffer.from("ProcessPrng"))).toBe(true);
});
