// What a union accepts, read off the schema: each kind of member the config's unions use, said as it is written
// in YAML. The config's own union keys are checked end to end in config-check-unions.test.ts and the fixtures.
import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { acceptedForms, listForms } from "../../../../src/platform/config/accepted-forms";
import { DurationSchema } from "../../../../src/platform/core/duration";
import { parseYamlSource } from "../../../../src/platform/config/yaml-source";
import { formatConfigIssues } from "../../../../src/platform/config/format-issues";

describe("acceptedForms", () => {
  test.each([
    [
      "literals and mappings",
      z.union([z.literal("once"), z.strictObject({ nth: z.number().int() }), z.strictObject({ digest: DurationSchema.describe("d") })]),
      ["once", "{ nth: N }", "{ digest: 1h }"],
    ],
    ["numbers as literals", z.union([z.literal(1), z.literal(2)]).default(1), ["1", "2"]],
    ["text or a list of text (an RRULE or several)", z.union([z.string().min(1), z.array(z.string()).max(20)]).optional(), ["text", "a list of text"]],
    [
      "a name or a mapping with a required and an optional key",
      z.union([z.string(), z.strictObject({ name: z.string(), host: z.string().optional() })]),
      ["text", "{ name: text }"],
    ],
    ["digits or a positive whole number", z.union([z.string().regex(/^\d+$/), z.number().int().positive()]), ["text", "a whole number from 1"]],
    ["a number above 0 and at most 5", z.number().positive().max(5), ["a number above 0 and up to 5"]],
    [
      "a ranged number, a duration, an enum, null",
      z.union([z.number().min(1).max(10), DurationSchema, z.enum(["a", "b c"]), z.null()]),
      ["a number 1–10", "a duration like 1h", "a", '"b c"', "null"],
    ],
    [
      "a nested union is flattened",
      z.union([z.boolean(), z.union([z.literal("auto"), z.record(z.string(), z.string())])]),
      ["true", "false", "auto", "a mapping"],
    ],
  ])("%s", (_, schema, forms) => {
    expect(acceptedForms(schema as z.ZodType)).toEqual(forms);
  });

  test("a member that cannot be said leaves the whole union unsaid", () => {
    expect(acceptedForms(z.union([z.literal("x"), z.custom<string>(() => false)]))).toBeUndefined();
  });

  test("listForms joins with commas and a last 'or'", () => {
    expect([listForms(["a"]), listForms(["a", "b"]), listForms(["a", "b", "c"])]).toEqual(["a", "a or b", "a, b or c"]);
  });
});

test("formatConfigIssues: a union nobody could say keeps zod's message with what was found", () => {
  const schema = z.strictObject({ x: z.union([z.literal("x"), z.custom<string>(() => false)]), mode: z.union([z.literal("on"), z.literal("off")]) });
  const text = "x: y\nmode: maybe\n";
  const src = parseYamlSource(text, "t.yaml");
  const data = src.data;
  const issues = schema.safeParse(data).error!.issues;
  expect(formatConfigIssues(issues, schema, src, data)).toEqual(['t.yaml:1:4 x: Invalid input, got "y"', 't.yaml:2:7 mode: expected on or off, got "maybe"']);
});
