// What Steward makes of the Engine's EvaluateEx answers: numbers, duals, texts and nulls as values; an error
// text (a bad expression) as the Engine's error; a huge text cut to a size that fits an alert.
import { expect, test } from "bun:test";
import { answerOf, MAX_VALUE_TEXT } from "../../../../src/watch/checks/evaluator";

test("values, nulls, duals and texts", () => {
  expect(answerOf({ qText: "118204", qIsNumeric: true, qNumber: 118204 })).toEqual({ ok: true, value: { text: "118204", number: 118204 } });
  expect(answerOf({ qText: "2026-11-21", qIsNumeric: true, qNumber: 46347 })).toEqual({ ok: true, value: { text: "2026-11-21", number: 46347 } });
  expect(answerOf({ qText: "-", qIsNumeric: false })).toEqual({ ok: true, value: { text: "-", number: null } });
  expect(answerOf({ qText: "EUR", qIsNumeric: false, qNumber: "NaN" })).toEqual({ ok: true, value: { text: "EUR", number: null } });
  expect(answerOf(undefined)).toEqual({ ok: true, value: { text: "", number: null } });
});

test("an error text is the Engine's error, not a value; a number that reads like one is still a number", () => {
  expect(answerOf({ qText: "Error in expression: ')' expected", qIsNumeric: false })).toEqual({ ok: false, error: "Error in expression: ')' expected" });
  expect(answerOf({ qText: "Error: Garbage after expression: 'x'", qIsNumeric: false })).toEqual({ ok: false, error: "Error: Garbage after expression: 'x'" });
  expect(answerOf({ qText: "Errors in batch 7", qIsNumeric: false }).ok).toBe(true);
  expect(answerOf({ qText: "Error: 5", qIsNumeric: true, qNumber: 5 })).toEqual({ ok: true, value: { text: "Error: 5", number: 5 } });
});

test("a huge text is cut, saying how long it was", () => {
  const a = answerOf({ qText: "x".repeat(5_000_000), qIsNumeric: false });
  expect(a.ok && a.value.text.length).toBeLessThan(MAX_VALUE_TEXT + 40);
  expect(a.ok && a.value.text).toEndWith("… (5000000 characters)");
});
