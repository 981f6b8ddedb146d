// Filter builders: quotes doubled, GUIDs validated, paths checked; strict percent-encoding round-trips.
import { describe, expect, test } from "bun:test";
import { and, compare, encodeQueryValue, eq, eqString, or, qrsFilter } from "../../../../src/platform/qlik";
import { AppError } from "../../../../src/platform/core/errors";

const G = "7552d9fc-d1bb-4975-9a38-18357de531ea";

describe("qrsFilter", () => {
  test("eq takes an unquoted GUID and refuses anything else", () => {
    expect(eq("id", G).expression).toBe(`id eq ${G}`);
    expect(() => eq("id", "x' or 1 eq 1")).toThrow(AppError);
  });
  test("strings are quoted with embedded quotes doubled", () => {
    expect(eqString("tags.name", "O'Brien's").expression).toBe("tags.name eq 'O''Brien''s'");
    expect(compare("stopTime", "gt", "2025-01-01T00:00:00.000Z").expression).toBe("stopTime gt '2025-01-01T00:00:00.000Z'");
    expect(compare("status", "eq", 7).expression).toBe("status eq 7");
  });
  test("and/or parenthesise their parts; a single part stays as is", () => {
    const f = and(eqString("customProperties.definition.name", "N"), or(eqString("customProperties.value", "a"), eqString("customProperties.value", "b")));
    expect(f.expression).toBe("(customProperties.definition.name eq 'N') and ((customProperties.value eq 'a') or (customProperties.value eq 'b'))");
    expect(qrsFilter.and(eq("id", G)).expression).toBe(`id eq ${G}`);
  });
  test("property paths are validated so user text cannot become filter syntax", () => {
    expect(() => eqString("name eq 'x' or id", "y")).toThrow(AppError);
  });
  test("encodeQueryValue leaves only unreserved characters raw and round-trips", () => {
    const raw = "tags.name eq 'A&B #1 (50%) + ä !*'";
    const enc = encodeQueryValue(raw);
    expect(enc).toMatch(/^[A-Za-z0-9\-._~%]+$/);
    expect(decodeURIComponent(enc)).toBe(raw);
  });
});
