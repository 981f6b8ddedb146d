// Every place that parses YAML goes through the same bounds: an environment variable's value (STEWARD_…, also from
// steward.env) and a Butler config to convert are refused before parsing when nested or sized past them, with an
// error naming the variable or file, line and column; an alias to nothing is an error, not a crash.
import { expect, test } from "bun:test";
import { convertButlerConfig } from "../../../../src/platform/config/butler-import/convert";
import { parseConfigText } from "../../../../src/composition/config";
import { parseYamlSource } from "../../../../src/platform/config/yaml-source";

const deep = `--- ${"[".repeat(200_000)}${"]".repeat(200_000)}`;

test("an environment variable's value nested past the bound is refused, naming the variable", () => {
  // "refused before parsing": the bound is checked by a scan of the text, not by the parser (whose cost on 200,000
  // levels is what the bound exists for); its speed is the bench's to measure, not a timed test's.
  expect(() => parseConfigText("", "steward.yaml", "/srv/steward", { env: { STEWARD_SECURITY__API_KEYS: deep } })).toThrow(
    /environment variable STEWARD_SECURITY__API_KEYS:1:\d+ YAML refused before parsing: nesting deeper than 16 levels/,
  );
  // An ordinary value still reads as YAML.
  const c = parseConfigText("", "steward.yaml", "/srv/steward", { env: { STEWARD_HTTP__PORT: "8123" } }).config;
  expect(c.http.port).toBe(8123);
});

test("a Butler config to convert is refused before parsing when nested past the bound", () => {
  expect(() => convertButlerConfig(`Butler:\n  a: ${"[".repeat(300_000)}`, "production.yaml")).toThrow(
    /production.yaml: not valid YAML: production.yaml:2:\d+ YAML refused before parsing: nesting deeper than 64 levels/,
  );
});

test("an alias to an anchor that is not set is a config error, not an exception", () => {
  expect(() => parseYamlSource("a: *nowhere\n", "steward.yaml")).toThrow(/steward.yaml: YAML: Unresolved alias/);
});
