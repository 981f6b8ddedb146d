// The Deno single binary is built from Deno's runtime image (DENORT_BIN) or skipped with a clear reason; never
// replaced by anything else.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { buildDenoBinary, DENO_BINARY_NAME } from "../../../scripts/build-deno";
import { createTempDir } from "../../helpers/temp-dir";

describe("Deno single binary", () => {
  test("without DENORT_BIN it is skipped, saying why and what to set; nothing is written", () => {
    const out = createTempDir("steward-build-deno-");
    try {
      const r = buildDenoBinary({ outDir: join(out.path, "dist"), denort: undefined });
      expect(r.built).toBe(false);
      if (r.built) return;
      expect(r.reason).toContain(`${DENO_BINARY_NAME} skipped`);
      expect(r.reason).toContain("DENORT_BIN");
      expect(existsSync(join(out.path, "dist"))).toBe(false);
    } finally {
      out.remove();
    }
  });

  test("a DENORT_BIN that is not a file is an error naming it, before deno compile runs", () => {
    const out = createTempDir("steward-build-deno-");
    try {
      const missing = join(out.path, "no-denort");
      expect(() => buildDenoBinary({ outDir: out.path, denort: missing })).toThrow(`DENORT_BIN=${missing}: no such file`);
      expect(readdirSync(out.path)).toEqual([]);
    } finally {
      out.remove();
    }
  });
});
