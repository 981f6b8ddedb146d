// copyJson: the copy the enrichment's batch reader hands each caller (and a config block's defaults), in place of
// structuredClone for values parsed from JSON.
import { describe, expect, test } from "bun:test";
import { copyJson } from "../../../../src/platform/core/json-copy";

describe("copyJson", () => {
  test("a QRS-like row: equal to the original and to structuredClone's copy, sharing no object or array with it", () => {
    const row = JSON.parse(
      '{"id":"a","name":"Reload Sales","enabled":true,"maxRetries":2,"app":{"id":"b","stream":null,"tags":[{"id":"t","name":"nightly"}]},' +
        '"operational":{"lastExecutionResult":{"status":8,"details":[{"message":"x"},{"message":"y"}]}},"customProperties":[],"n":0}',
    );
    const copy = copyJson(row);
    expect(copy).toEqual(row);
    expect(copy).toEqual(structuredClone(row));
    expect(Object.keys(copy)).toEqual(Object.keys(row));
    copy.app.tags[0].name = "changed";
    copy.operational.lastExecutionResult.details.push({ message: "z" });
    copy.customProperties.push(1);
    expect(row.app.tags[0].name).toBe("nightly");
    expect(row.operational.lastExecutionResult.details).toHaveLength(2);
    expect(row.customProperties).toEqual([]);
  });

  test("primitives, null, arrays at the top and keys whose value is undefined", () => {
    expect(copyJson(null)).toBeNull();
    expect(copyJson(3)).toBe(3);
    expect(copyJson("x")).toBe("x");
    const list = [1, [2, { a: 3 }]];
    const copied = copyJson(list);
    expect(copied).toEqual(list);
    expect(copied[1]).not.toBe(list[1]);
    const withUndefined = copyJson({ a: undefined, b: 1 });
    expect(Object.keys(withUndefined)).toEqual(["a", "b"]);
  });

  test("a key named __proto__ stays an own key of the copy and does not set its prototype", () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true},"a":1}');
    const copy = copyJson(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__", "a"]);
    expect((copy as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(copy, "__proto__")?.value).toEqual({ polluted: true });
  });
});
