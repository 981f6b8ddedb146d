import { expect, test } from "bun:test";
import { numberPlaceholders } from "../../../../src/platform/store/sql";

test("? placeholders are numbered in order for PostgreSQL", () => {
  expect(numberPlaceholders("SELECT a FROM t WHERE b = ? AND c > ? LIMIT ?")).toBe("SELECT a FROM t WHERE b = $1 AND c > $2 LIMIT $3");
});

test("a ? inside a string literal, a quoted name or a comment is left alone", () => {
  expect(numberPlaceholders("SELECT 'what?', 'it''s ?', \"odd?name\" FROM t WHERE x = ? -- why?\nAND y = ?")).toBe(
    "SELECT 'what?', 'it''s ?', \"odd?name\" FROM t WHERE x = $1 -- why?\nAND y = $2",
  );
});

test("an unterminated literal does not loop or number what follows it", () => {
  expect(numberPlaceholders("SELECT '?")).toBe("SELECT '?");
});
