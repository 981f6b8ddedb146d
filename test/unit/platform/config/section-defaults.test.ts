// The defaults a config takes for the blocks it leaves out come from src/composition/config-defaults.json, not from
// building each block's schema (defaultedSection): the file must be what the schemas give, key for key.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { configSchema, parseConfigText, SECTION_DEFAULTS_FILE } from "../../../../src/composition/config";
import { DEFAULTED_SECTIONS, sectionDefaults } from "../../../../src/composition/config-schema";

const ROOT = resolve(import.meta.dir, "../../../..");

test("config-defaults.json holds what each block's schema gives for an absent block (else: bun scripts/gen-config-reference.ts)", () => {
  const kept = JSON.parse(readFileSync(resolve(ROOT, SECTION_DEFAULTS_FILE), "utf8"));
  expect(kept).toStrictEqual(sectionDefaults());
  expect(Object.keys(kept)).toEqual(Object.keys(DEFAULTED_SECTIONS));
});

test("the reader's config is the one of the schema with every block built in place, blocks left out or not", () => {
  for (const [yaml, data] of [
    ["", {}],
    ["intake: {}\nkv: { enabled: false }\n", { intake: {}, kv: { enabled: false } }],
  ] as const) {
    const read = parseConfigText(yaml, "steward.yaml", "/srv/steward", { envOverrides: false }).config;
    const eager = configSchema().parse(data);
    expect(read as unknown).toStrictEqual({ ...eager, dataDir: resolve("/srv/steward", eager.dataDir) });
  }
});
