// The committed editor schema (config/steward.schema.json) must match the zod schema, and the example
// configs must be valid.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configJsonSchema } from "../../../src/config/json-schema";
import { loadConfigFile } from "../../../src/config/load";

const configDir = join(import.meta.dir, "../../../config");

describe("editor JSON Schema", () => {
  test("config/steward.schema.json is current (regenerate: bun src/main.ts config schema --out config/steward.schema.json)", () => {
    const committed = JSON.parse(readFileSync(join(configDir, "steward.schema.json"), "utf8"));
    expect(committed).toEqual(configJsonSchema());
  });

  test("it is strict and carries defaults and descriptions", () => {
    const s = configJsonSchema() as { additionalProperties: boolean; properties: Record<string, { properties?: Record<string, { default?: unknown }> }> };
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.http?.properties?.port?.default).toBe(8080);
  });
});

describe("example configs", () => {
  for (const name of ["minimal.yaml", "demo.yaml"]) {
    test(`${name} is valid`, () => {
      expect(() => loadConfigFile(join(configDir, name))).not.toThrow();
    });
  }
});
