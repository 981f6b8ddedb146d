// The scalar forms Butler's clients send (its load-script subs build every body as text) and how they are read.
import { describe, expect, test } from "bun:test";
import { butlerBoolean, butlerInteger, butlerText, butlerTtl, storedTtl } from "../../../../src/platform/core/butler-values";
import { queryBoolean } from "../../../../src/platform/http/route";

describe("Butler's scalar forms", () => {
  test("booleans: true/false, their text in any case, 1/0", () => {
    for (const v of [true, "true", "TRUE", " True ", 1, "1"]) expect(butlerBoolean.parse(v)).toBe(true);
    for (const v of [false, "false", "False", 0, "0"]) expect(butlerBoolean.parse(v)).toBe(false);
    for (const v of ["yes please", "", 2, null]) expect(butlerBoolean.safeParse(v).success).toBe(false);
  });

  test('whole numbers and their text; TTLs with "" and null as 0, negative kept for the echo and stored as 0', () => {
    expect(butlerInteger.parse("2")).toBe(2);
    expect(butlerInteger.safeParse("2.5").success).toBe(false);
    expect(butlerInteger.safeParse("").success).toBe(false);
    expect(butlerTtl.parse("60000")).toBe(60000);
    expect(butlerTtl.parse("")).toBe(0);
    expect(butlerTtl.parse(null)).toBe(0);
    expect(butlerTtl.parse(-5)).toBe(-5);
    expect(storedTtl(-5)).toBe(0);
    expect(storedTtl(undefined)).toBe(0);
    expect(butlerTtl.safeParse("soon").success).toBe(false);
  });

  test("text: a number or boolean becomes its text", () => {
    expect(butlerText.parse(42)).toBe("42");
    expect(butlerText.parse(false)).toBe("false");
    expect(butlerText.safeParse({ a: 1 }).success).toBe(false);
  });

  test("query booleans in any case", () => {
    expect(queryBoolean.parse("True")).toBe(true);
    expect(queryBoolean.parse("FALSE")).toBe(false);
    expect(queryBoolean.safeParse("maybe").success).toBe(false);
  });
});
