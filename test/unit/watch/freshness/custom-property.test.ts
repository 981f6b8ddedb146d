// StewardFreshBy values as an app owner writes them in the QMC, and the ones Steward refuses with the reason.
import { expect, test } from "bun:test";
import { parseFreshBy } from "../../../../src/watch/freshness/custom-property";

test("a time, a warning, days and a zone, in any order after the time", () => {
  expect(parseFreshBy("07:00")).toEqual({ ok: true, promise: { freshBy: "07:00", days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], timeZone: "UTC" } });
  expect(parseFreshBy(" 07:00 warn 06:30 Mon-Fri Europe/Stockholm ")).toEqual({
    ok: true,
    promise: { freshBy: "07:00", warnAt: "06:30", days: ["mon", "tue", "wed", "thu", "fri"], timeZone: "Europe/Stockholm" },
  });
  expect(parseFreshBy("08:15 Europe/Oslo sat-mon")).toEqual({ ok: true, promise: { freshBy: "08:15", days: ["sat", "sun", "mon"], timeZone: "Europe/Oslo" } });
  expect(parseFreshBy("09:00 mon,wed,fri")).toMatchObject({ ok: true, promise: { days: ["mon", "wed", "fri"] } });
});

test("what cannot be read is refused, naming the part", () => {
  expect(parseFreshBy("7am")).toEqual({ ok: false, error: "'7am' is not a time of day HH:MM (24 h), nor 'max <age>'" });
  expect(parseFreshBy("07:00 warn 07:30")).toEqual({ ok: false, error: "warn 07:30 is not before 07:00" });
  expect(parseFreshBy("07:00 Europe/Atlantis")).toEqual({ ok: false, error: "unknown time zone 'Europe/Atlantis'" });
  expect(parseFreshBy("07:00 weekdays")).toEqual({ ok: false, error: "'weekdays' is not days (Mon-Fri, Mon,Wed,Fri or daily), 'warn HH:MM' or a time zone" });
});

test("never older than an age, during hours, days and a zone", () => {
  expect(parseFreshBy("max 2h 07:00-18:00 Mon-Fri Europe/Stockholm warn 90m")).toEqual({
    ok: true,
    promise: { maxAge: 7_200_000, warnAfter: 5_400_000, during: "07:00-18:00", days: ["mon", "tue", "wed", "thu", "fri"], timeZone: "Europe/Stockholm" },
  });
  expect(parseFreshBy("MAX 30m")).toEqual({
    ok: true,
    promise: { maxAge: 1_800_000, days: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], timeZone: "UTC" },
  });
  expect(parseFreshBy("max soon")).toEqual({ ok: false, error: "'max' needs an age like 2h or 90m" });
  expect(parseFreshBy("max 2h warn 3h")).toEqual({ ok: false, error: "warn 3h is not less than the age" });
  expect(parseFreshBy("max 2h 18:00-07:00")).toEqual({ ok: false, error: "'18:00-07:00' ends before it begins" });
  expect(parseFreshBy("max 2h office-hours")).toMatchObject({ ok: false, error: expect.stringContaining("'office-hours' is not hours (07:00-18:00)") });
});
