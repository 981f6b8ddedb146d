// docs/data-checks.md stays true to the config: every YAML example in it is a valid config (as
// `steward config check` reads it), so the page cannot drift from the schema.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfigText } from "../../../../src/composition/config";
import { checkNotifyConfig } from "../../../../src/tell/notify/check";

const page = readFileSync(join(import.meta.dir, "../../../../docs/data-checks.md"), "utf8");

test("every yaml example of docs/data-checks.md is a valid config", () => {
  const blocks = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks.length).toBeGreaterThan(0);
  for (const yaml of blocks) {
    const { config } = parseConfigText(yaml, "data-checks.md", "/tmp");
    expect(config.dataChecks?.checks.length).toBeGreaterThan(0);
    expect(checkNotifyConfig(config, "/tmp")).toEqual([]);
  }
});
