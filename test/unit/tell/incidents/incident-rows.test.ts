// The store's values as numbers: a number comes back as it is (a time column past 2^31 included, issue 89: the JIT's
// Number() of it threw away the optimized code), anything else is converted as Number() would, and null stays null.
import { expect, test } from "bun:test";
import { num, numOrNull, toIncidentState } from "../../../../src/tell/incidents/incident-rows";

test("numbers as they are, the rest as Number() makes them, null and undefined as null", () => {
  expect(num(1_795_821_149_051)).toBe(1_795_821_149_051);
  expect(num(7)).toBe(7);
  expect(num(2n ** 53n)).toBe(2 ** 53);
  expect(num("42")).toBe(42);
  expect(num(null)).toBe(0);
  expect(numOrNull(1_795_821_149_051)).toBe(1_795_821_149_051);
  expect(numOrNull("3")).toBe(3);
  expect(numOrNull(null)).toBeNull();
  expect(numOrNull(undefined)).toBeNull();
});

test("an incident's state read from its row, times past 2^31 included, many times over", () => {
  const row = {
    id: 3,
    status: "open",
    failures: 12,
    events: 12,
    opened_at: 1_795_821_149_051,
    closed_at: null,
    acknowledged_at: null,
    acknowledged_by: null,
    paged_at: 1_795_821_149_999,
  };
  for (let i = 0; i < 20_000; i++) {
    const s = toIncidentState({ ...row, failures: 12 + i });
    if (s.openedAt !== 1_795_821_149_051 || s.failures !== 12 + i || s.pagedAt !== 1_795_821_149_999 || s.closedAt !== null)
      throw new Error(`read wrong at ${i}`);
  }
  expect(toIncidentState(row)).toEqual({
    id: 3,
    status: "open",
    failures: 12,
    events: 12,
    openedAt: 1_795_821_149_051,
    closedAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    pagedAt: 1_795_821_149_999,
  });
});
