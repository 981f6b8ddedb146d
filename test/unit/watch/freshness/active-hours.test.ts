// The hours of a "never older than" promise in a zone with daylight saving: inside or not, and the next start.
import { expect, test } from "bun:test";
import { compileActiveHours } from "../../../../src/watch/freshness/active-hours";

const at = (s: string) => Date.parse(s);

test("07:00-18:00 on weekdays in Stockholm, across the change to summer time", () => {
  const h = compileActiveHours({ during: "07:00-18:00", days: ["mon", "tue", "wed", "thu", "fri"], timeZone: "Europe/Stockholm" });
  // Monday 2026-11-23 (UTC+1).
  expect(h.contains(at("2026-11-23T05:59:59Z"))).toBe(false);
  expect(h.contains(at("2026-11-23T06:00:00Z"))).toBe(true);
  expect(h.contains(at("2026-11-23T16:59:59Z"))).toBe(true);
  expect(h.contains(at("2026-11-23T17:00:00Z"))).toBe(false);
  expect(h.firstActiveAtOrAfter(at("2026-11-23T17:00:00Z"))).toBe(at("2026-11-24T06:00:00Z"));
  expect(h.firstActiveAtOrAfter(at("2026-11-23T10:00:00Z"))).toBe(at("2026-11-23T10:00:00Z"));
  // Friday evening: the next start is Monday.
  expect(h.firstActiveAtOrAfter(at("2026-11-27T18:00:00Z"))).toBe(at("2026-11-30T06:00:00Z"));
  expect(h.contains(at("2026-11-28T10:00:00Z"))).toBe(false);
  // Summer time from Sunday 2026-03-29: Monday's 07:00 is 05:00Z.
  expect(h.firstActiveAtOrAfter(at("2026-03-27T20:00:00Z"))).toBe(at("2026-03-30T05:00:00Z"));
  expect(h.text).toBe("07:00–18:00 Mon, Tue, Wed, Thu, Fri (Europe/Stockholm)");
});

test("the whole day by default, to 24:00", () => {
  const h = compileActiveHours({ days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], timeZone: "UTC" });
  expect(h.contains(at("2026-11-23T23:59:59Z"))).toBe(true);
  expect(h.contains(at("2026-11-23T00:00:00Z"))).toBe(true);
  expect(h.text).toBe("00:00–24:00 every day (UTC)");
});
