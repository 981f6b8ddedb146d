// The JSON Schema given to editors (config/steward.schema.json, `steward config schema`) accepts the shipped
// configs as they are written, ${env:…} placeholders included: a validator that checks formats, as the YAML
// language server does, reports nothing on them.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { configJsonSchema } from "../../../../src/composition/config";

const CONFIG_DIR = join(import.meta.dir, "../../../../config");
const SHIPPED = ["full.yaml", "minimal.yaml", "starter.yaml", "demo.yaml"];

test("no URL field insists on format: uri (a ${env:…} placeholder stands for many of them)", () => {
  expect(JSON.stringify(configJsonSchema())).not.toContain('"format":"uri"');
});

for (const file of SHIPPED) {
  test(`${file} as written validates against the editor schema`, () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(configJsonSchema());
    const doc = parse(readFileSync(join(CONFIG_DIR, file), "utf8")) ?? {};
    const ok = validate(doc);
    expect(ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`)).toEqual([]);
  });
}

test("the committed config/steward.schema.json is the generated one", () => {
  const committed = JSON.parse(readFileSync(join(CONFIG_DIR, "steward.schema.json"), "utf8"));
  expect(committed).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
});
