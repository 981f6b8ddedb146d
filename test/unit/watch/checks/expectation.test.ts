// The expect: language of data checks: what parses (and what each form means), what does not (with the
// position of the mistake), the Engine terms an expectation needs, and the verdict on a value.
import { describe, expect, test } from "bun:test";
import { engineTerms, judge, parseExpectation, usesPrevious, type Expectation } from "../../../../src/watch/checks/expectation";
import type { CheckValue } from "../../../../src/platform/events/types";

const ok = (text: string): Expectation => {
  const r = parseExpectation(text);
  if (!r.ok) throw new Error(`${text}: ${r.error}`);
  return r.expectation;
};
const err = (text: string): string => {
  const r = parseExpectation(text);
  if (r.ok) throw new Error(`${text} parsed`);
  return r.error;
};
const num = (n: number): CheckValue => ({ text: String(n), number: n });
const none = new Map<string, CheckValue>();

describe("parsing", () => {
  test("the forms of the issue and the documentation", () => {
    expect(ok("> 0")).toEqual({ kind: "compare", op: ">", operand: { kind: "number", value: 0 } });
    expect(ok(">= Today() - 1")).toEqual({
      kind: "compare",
      op: ">=",
      operand: { kind: "bin", op: "-", left: { kind: "engine", text: "Today()" }, right: { kind: "number", value: 1 } },
    });
    expect(ok("between 1e5 and 1e8")).toEqual({ kind: "between", low: { kind: "number", value: 100000 }, high: { kind: "number", value: 1e8 } });
    expect(ok(">= 0.8 * previous")).toEqual({
      kind: "compare",
      op: ">=",
      operand: { kind: "bin", op: "*", left: { kind: "number", value: 0.8 }, right: { kind: "previous" } },
    });
    expect(ok("= 'EUR'")).toEqual({ kind: "text", op: "=", text: "EUR" });
    expect(ok("<> 'it''s'")).toEqual({ kind: "text", op: "!=", text: "it's" });
    expect(ok("== 3")).toMatchObject({ op: "=" });
    expect(ok("BETWEEN previous * 0.9 AND (previous + 100) * 1.1").kind).toBe("between");
    expect(ok("> -5")).toEqual({ kind: "compare", op: ">", operand: { kind: "neg", arg: { kind: "number", value: 5 } } });
  });

  test("a Qlik call keeps its text, quotes, brackets and nested parentheses whole", () => {
    const e = ok(">= Max({<Year={'2025'}>} [Order Date]) - Floor(Rand() * (2))");
    expect(engineTerms(e)).toEqual(["Max({<Year={'2025'}>} [Order Date])", "Floor(Rand() * (2))"]);
    expect(engineTerms(ok("between Min(X) and Min(X) * 2"))).toEqual(["Min(X)"]);
    expect(engineTerms(ok("> Len(')')"))).toEqual(["Len(')')"]);
  });

  test("mistakes say what was expected and where", () => {
    expect(err("")).toStartWith("empty");
    expect(err("0")).toBe('expected a comparison (>, >=, <, <=, =, !=) or "between" at position 1 (found 0)');
    expect(err(">")).toBe("expected a number, previous or a Qlik function call at position 2 (found the end)");
    expect(err("> 0 0")).toBe("expected the end of the expectation at position 5 (found 0)");
    expect(err("between 1 5")).toBe('expected "and" at position 11 (found 5)');
    expect(err("between 10 and 5")).toBe("between 10 and 5: the lower bound is larger than the upper one");
    expect(err(">= Today(")).toBe("missing ) for the ( at position 9");
    expect(err("> Max([Order Date)")).toBe("unclosed [ at position 7");
    expect(err("> yesterday")).toStartWith('unknown name "yesterday" at position 3');
    expect(err("> 'EUR'")).toBe("a text ('EUR') can only be compared with = or !=, not >");
    expect(err("> 3 ; drop")).toBe('unexpected ";" at position 5');
    expect(err(">= (1 + 2")).toBe("expected ) at position 10 (found the end)");
    expect(err(`> ${"1+".repeat(1500)}1`)).toBe("longer than 2000 characters");
  });

  test("previous is known to be used", () => {
    expect(usesPrevious(ok(">= 0.8 * previous"))).toBe(true);
    expect(usesPrevious(ok("> 0"))).toBe(false);
  });
});

describe("verdicts", () => {
  test("comparisons and ranges on numbers", () => {
    expect(judge(ok("> 0"), num(0), { previous: null, engine: none })).toEqual({ status: "failed", resolved: "> 0" });
    expect(judge(ok("> 0"), num(12), { previous: null, engine: none }).status).toBe("passed");
    expect(judge(ok("between 1e5 and 1e8"), num(1e5), { previous: null, engine: none })).toEqual({
      status: "passed",
      resolved: "between 100000 and 100000000",
    });
    expect(judge(ok("between 1e5 and 1e8"), num(99_999), { previous: null, engine: none }).status).toBe("failed");
    expect(judge(ok("!= 0"), num(0), { previous: null, engine: none }).status).toBe("failed");
  });

  test("previous: the baseline on the first evaluation, then a relative bound", () => {
    const e = ok(">= 0.8 * previous");
    expect(judge(e, num(5), { previous: null, engine: none })).toMatchObject({ status: "passed", note: expect.stringContaining("baseline") });
    expect(judge(e, num(79), { previous: 100, engine: none })).toEqual({ status: "failed", resolved: ">= 80" });
    expect(judge(e, num(80), { previous: 100, engine: none }).status).toBe("passed");
    expect(judge(ok("> 0.1 * previous + 0.2"), num(0.31), { previous: 1, engine: none }).resolved).toBe("> 0.3");
  });

  test("Engine terms: their number is used; a term without one is an error, not a failure", () => {
    const e = ok(">= Today() - 1");
    expect(judge(e, { text: "2026-11-21", number: 46347 }, { previous: null, engine: new Map([["Today()", { text: "2026-11-22", number: 46348 }]]) })).toEqual({
      status: "passed",
      resolved: ">= 46347",
    });
    expect(judge(e, num(46340), { previous: null, engine: new Map([["Today()", { text: "2026-11-22", number: 46348 }]]) }).status).toBe("failed");
    expect(judge(e, num(1), { previous: null, engine: new Map([["Today()", { text: "-", number: null }]]) })).toMatchObject({
      status: "error",
      message: 'the expectation\'s Today() gave no number (the Engine answered "-")',
    });
  });

  test("a value that is no number fails a numeric expectation; texts compare exactly", () => {
    expect(judge(ok("> 0"), { text: "-", number: null }, { previous: null, engine: none })).toMatchObject({
      status: "failed",
      note: 'the value is not a number ("-")',
    });
    expect(judge(ok("= 'EUR'"), { text: "EUR", number: null }, { previous: null, engine: none }).status).toBe("passed");
    expect(judge(ok("= 'EUR'"), { text: "eur", number: null }, { previous: null, engine: none }).status).toBe("failed");
  });

  test("a bound that is no number (division by zero of 0) is an error", () => {
    expect(judge(ok("> previous / previous"), num(1), { previous: 0, engine: none }).status).toBe("error");
  });
});
