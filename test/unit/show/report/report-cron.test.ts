// A report's schedule in UTC counts with croner's offset of 0 instead of asking Intl for the zone (issue 69: no ICU
// zone data at start). It must fire at the same instants as the zone's own arithmetic, forwards and backwards.
import { expect, test } from "bun:test";
import { Cron } from "croner";
import { reportCron } from "../../../../src/show/report/service";

const DAY = 86_400_000;

test("in UTC the report's next and previous times are those of croner asked about the zone UTC, all year", () => {
  for (const [at, days] of [
    ["07:00", ["mon", "tue", "wed", "thu", "fri"]],
    ["23:59", ["sun"]],
    ["00:00", ["sat", "sun"]],
  ] as const) {
    const dows = days.map((d) => ["sun", "mon", "tue", "wed", "thu", "fri", "sat"].indexOf(d)).join(",");
    const viaZone = new Cron(`${Number(at.slice(3, 5))} ${Number(at.slice(0, 2))} * * ${dows}`, { paused: true, timezone: "UTC" });
    for (const zone of ["UTC", "Etc/UTC"]) {
      const cron = reportCron(at, days, zone);
      for (let from = Date.UTC(2026, 0, 1, 5, 17); from < Date.UTC(2027, 0, 1); from += 3 * DAY + 3_600_000) {
        expect(cron.nextRun(new Date(from))?.getTime()).toBe(viaZone.nextRun(new Date(from))?.getTime());
        expect(cron.previousRuns(1, new Date(from))[0]?.getTime()).toBe(viaZone.previousRuns(1, new Date(from))[0]?.getTime());
      }
    }
  }
});

test("another zone keeps the zone's own times (daylight saving followed)", () => {
  const cron = reportCron("07:00", ["mon"], "Europe/Stockholm");
  // Monday 30 March 2026, after the change to summer time: 07:00 in Stockholm is 05:00 UTC.
  expect(cron.nextRun(new Date(Date.UTC(2026, 2, 29, 12)))?.toISOString()).toBe("2026-03-30T05:00:00.000Z");
  // Monday 23 March 2026, still winter time: 06:00 UTC.
  expect(cron.nextRun(new Date(Date.UTC(2026, 2, 22, 12)))?.toISOString()).toBe("2026-03-23T06:00:00.000Z");
});
