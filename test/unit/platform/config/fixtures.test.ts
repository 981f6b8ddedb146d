// Every config fixture: valid ones load; each invalid one fails with exactly the file:line:col, path and
// message written in its first-line "# expect:" comment.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfigFile } from "../../../../src/composition/config";
import { AppError } from "../../../../src/platform/core/errors";

const root = join(import.meta.dir, "../../../fixtures/config");

describe("valid config fixtures", () => {
  for (const name of readdirSync(join(root, "valid"))) {
    test(name, () => {
      const loaded = loadConfigFile(join(root, "valid", name));
      expect(loaded.config.http.port).toBeGreaterThanOrEqual(0);
    });
  }
});

describe("invalid config fixtures", () => {
  for (const name of readdirSync(join(root, "invalid"))) {
    test(name, () => {
      const file = join(root, "invalid", name);
      const expected = readFileSync(file, "utf8")
        .split("\n")[0]!
        .replace(/^# expect: /, "");
      let error: unknown;
      try {
        loadConfigFile(file, { displayName: name });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe("CONFIG_INVALID");
      expect((error as AppError).message.split("\n")[0]).toBe(`${name}:${expected}`);
    });
  }
});
