// The watchdog's pure parts: durations as admins write them, the learned usual duration, custom-property
// overrides (bad values become problems naming the task) and the next expected start of QRS schema triggers.
import { describe, expect, test } from "bun:test";
import { parseDuration } from "../../../../src/watch/watchdog/duration";
import { DEFAULT_USUAL, learnUsualDuration } from "../../../../src/watch/watchdog/usual";
import { readOverrides } from "../../../../src/watch/watchdog/overrides";
import { nextExpectedStart, readSchemaEvent, type ScheduleTrigger } from "../../../../src/watch/watchdog/schedule";

describe("parseDuration", () => {
  test("30s, 45m, 26h, 2d", () => {
    expect(parseDuration("30s")).toEqual({ ok: true, ms: 30_000 });
    expect(parseDuration("45m")).toEqual({ ok: true, ms: 2_700_000 });
    expect(parseDuration(" 26H ")).toEqual({ ok: true, ms: 93_600_000 });
    expect(parseDuration("2d")).toEqual({ ok: true, ms: 172_800_000 });
  });
  test("unreadable values say how to write one", () => {
    for (const bad of ["", "45", "m45", "1.5h", "10 minutes", "0m", "-5m"]) {
      const r = parseDuration(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toContain(`'${bad}'`);
    }
  });
});

describe("learnUsualDuration", () => {
  test("too few runs: no limit yet (a task with no history is not judged)", () => {
    expect(learnUsualDuration([])).toBeUndefined();
    expect(learnUsualDuration([1000, 2000, 3000, 4000])).toBeUndefined();
  });
  test("median and MAD; one outlier moves the limit only so far", () => {
    const hour = [3_600_000, 3_700_000, 3_500_000, 3_650_000, 3_550_000, 3_600_000, 3_620_000, 3_580_000, 3_660_000, 3_540_000];
    const u = learnUsualDuration([...hour, 40_000_000])!;
    expect(u.medianMs).toBe(3_600_000);
    expect(u.madMs).toBe(50_000);
    // The 11-hour run is counted only up to 4 × the median: the limit is 4 × the median, not 1.25 × 11 hours.
    expect(u.p95Ms).toBe(40_000_000);
    expect(u.limitMs).toBe(4 * 3_600_000);
    expect(u.basis).toBe("1.25 × the 95th percentile (how far its runs reach)");
    expect(u.learning).toBe(false);
  });
  test("a task that often takes twice its median is not long at twice its median (issue 59)", () => {
    // Mostly 5-minute nights, one in five twice that: 1.25 × the 95th percentile (12.5 minutes) sets the limit, where
    // 2 × the median (10) would page at 11.
    const nights = Array.from({ length: 30 }, (_, i) => (i % 5 === 4 ? 10 : 5) * 60_000);
    const u = learnUsualDuration(nights)!;
    expect(u.limitMs).toBe(12.5 * 60_000);
    expect(u.basis).toBe("1.25 × the 95th percentile (how far its runs reach)");
    // A genuine hang, 40 minutes, is long.
    expect(40 * 60_000).toBeGreaterThan(u.limitMs);
  });
  test("after only a handful of 5-minute runs, an 11-minute night is not judged long: still learning, a notice at 18, a page at 22.5", () => {
    const u = learnUsualDuration([5, 5.2, 4.9, 5.1, 5].map((m) => m * 60_000))!;
    expect(u.learning).toBe(true);
    expect(u.noticeMs).toBe(18 * 60_000);
    expect(u.limitMs).toBe(22.5 * 60_000);
    expect(u.basis).toContain("still learning: 5 of 10 runs seen");
  });
  test("a 20-second task is not judged long at 40 seconds: the floor", () => {
    expect(learnUsualDuration([20_000, 21_000, 19_000, 20_500, 20_000])!.limitMs).toBe(DEFAULT_USUAL.floorMs);
  });
  test("a wide spread widens the limit", () => {
    const u = learnUsualDuration([600_000, 1_800_000, 900_000, 2_400_000, 1_200_000, 3_000_000].map((d) => d * 2))!;
    expect(u.limitMs).toBeGreaterThan(5 * u.medianMs);
    expect(u.basis).toContain("room for how much its runs vary");
  });
  test("only the last `window` runs count", () => {
    const old = Array(40).fill(100_000_000);
    expect(learnUsualDuration([...old, ...Array(30).fill(1_000_000)])!.medianMs).toBe(1_000_000);
  });
});

describe("readOverrides", () => {
  const cp = (name: string, value: string) => ({ value, definition: { name } });
  test("the four custom properties, names in any case", () => {
    const r = readOverrides({
      id: "t1",
      name: "Reload Sales",
      customProperties: [
        cp("StewardMaxDuration", "45m"),
        cp("stewardexpectsuccesswithin", "26h"),
        cp("StewardGrace", "10m"),
        cp("StewardWatch", "off"),
        cp("Other", "x"),
      ],
    });
    expect(r.problems).toEqual([]);
    expect(r.overrides).toEqual({ maxDurationMs: 2_700_000, expectSuccessWithinMs: 93_600_000, graceMs: 600_000, watch: false });
  });
  test("an unreadable value is a problem naming the task and the property, and is ignored", () => {
    const r = readOverrides({
      id: "t1",
      name: "Reload Sales",
      customProperties: [cp("StewardMaxDuration", "forever"), cp("StewardWatch", "maybe"), cp("StewardGrace", "5m")],
    });
    expect(r.overrides).toEqual({ graceMs: 300_000 });
    expect(r.problems.map((p) => [p.taskName, p.property, p.value])).toEqual([
      ["Reload Sales", "StewardMaxDuration", "forever"],
      ["Reload Sales", "StewardWatch", "maybe"],
    ]);
  });
  test("garbage in customProperties is skipped, no throw", () => {
    expect(readOverrides({ id: "t", name: "n", customProperties: [null, 5, { definition: null }, { value: "1m" }] }).overrides).toEqual({});
    expect(readOverrides({ id: "t", name: "n", customProperties: "nope" }).overrides).toEqual({});
  });
});

const event = (over: Record<string, unknown>) => ({
  id: "e1",
  name: "T",
  enabled: true,
  incrementOption: 2,
  incrementDescription: "0 0 1 0",
  startDate: "2026-01-01T06:00:00.000",
  expirationDate: "9999-12-31T00:00:00.000",
  timeZone: "UTC",
  daylightSavingTime: 0,
  ...over,
});
const read = (over: Record<string, unknown>): ScheduleTrigger => {
  const r = readSchemaEvent(event(over));
  if (!r.ok) throw new Error(r.error);
  return r.trigger;
};
const at = (iso: string) => Date.parse(iso);

describe("readSchemaEvent: bad input is an error value", () => {
  test("missing fields and unknown options", () => {
    const { startDate: _s, ...noStart } = event({});
    // A row without its start is still a trigger, judged by QRS's time (issue 66): the missing field is the reason.
    expect(readSchemaEvent(noStart)).toMatchObject({ ok: true, trigger: { unreadable: "the row has no startDate" } });
    expect(readSchemaEvent({ ...noStart, id: 7 })).toMatchObject({ ok: false, error: expect.stringContaining("id") });
    // A trigger whose calendar Steward cannot read is still a trigger: judged by QRS's time, or listed as not watched.
    expect(readSchemaEvent(event({ incrementOption: 9 }))).toMatchObject({
      ok: true,
      trigger: { unreadable: expect.stringContaining("unknown incrementOption 9") },
    });
    expect(readSchemaEvent(event({ incrementDescription: "daily" }))).toMatchObject({
      ok: true,
      trigger: { unreadable: expect.stringContaining("minutes hours days weeks") },
    });
    expect(readSchemaEvent(event({ timeZone: "Mars/Olympus" }))).toMatchObject({ ok: true, trigger: { unreadable: expect.stringContaining("Mars/Olympus") } });
    expect(readSchemaEvent(null)).toMatchObject({ ok: false });
  });
});

describe("nextExpectedStart for every increment option", () => {
  test("0 once: only before it happened", () => {
    const t = read({ incrementOption: 0, incrementDescription: "0 0 0 0" });
    expect(nextExpectedStart(t, at("2025-12-31T00:00:00Z"))).toBe(at("2026-01-01T06:00:00Z"));
    expect(nextExpectedStart(t, at("2026-01-01T06:00:00Z"))).toBeUndefined();
  });
  test("1 hourly every 30 minutes", () => {
    const t = read({ incrementOption: 1, incrementDescription: "30 0 0 0" });
    expect(nextExpectedStart(t, at("2026-03-05T10:10:00Z"))).toBe(at("2026-03-05T10:30:00Z"));
    expect(nextExpectedStart(t, at("2026-03-05T10:30:00Z"))).toBe(at("2026-03-05T11:00:00Z"));
  });
  test("2 daily keeps local wall time across daylight saving (Europe/Stockholm)", () => {
    const t = read({ timeZone: "Europe/Stockholm" });
    expect(nextExpectedStart(t, at("2026-03-01T12:00:00Z"))).toBe(at("2026-03-02T05:00:00Z")); // CET, UTC+1
    expect(nextExpectedStart(t, at("2026-04-01T12:00:00Z"))).toBe(at("2026-04-02T04:00:00Z")); // CEST, UTC+2
  });
  test("3 weekly", () => {
    const t = read({ incrementOption: 3, incrementDescription: "0 0 0 1", startDate: "2026-01-05T04:00:00.000" }); // a Monday
    expect(nextExpectedStart(t, at("2026-01-07T00:00:00Z"))).toBe(at("2026-01-12T04:00:00Z"));
  });
  test("4 monthly (day steps, no days in the filter) fires on the start's day of every month", () => {
    const t = read({ incrementOption: 4, incrementDescription: "0 0 1 0", startDate: "2026-01-15T05:00:00.000" });
    expect(nextExpectedStart(t, at("2026-02-16T00:00:00Z"))).toBe(at("2026-03-15T05:00:00Z"));
  });
  test("no increment at all is a once, whatever the option (docs/watchdog.md)", () => {
    const t = read({ incrementOption: 4, incrementDescription: "0 0 0 0", startDate: "2026-01-15T05:00:00.000" });
    expect(nextExpectedStart(t, at("2026-01-01T00:00:00Z"))).toBe(at("2026-01-15T05:00:00Z"));
    expect(nextExpectedStart(t, at("2026-01-16T00:00:00Z"))).toBeUndefined();
  });
  test("5 custom every 2 days", () => {
    const t = read({ incrementOption: 5, incrementDescription: "0 0 2 0" });
    expect(nextExpectedStart(t, at("2026-01-02T00:00:00Z"))).toBe(at("2026-01-03T06:00:00Z"));
  });
  test("disabled and expired triggers expect nothing", () => {
    expect(nextExpectedStart(read({ enabled: false }), at("2026-02-01T00:00:00Z"))).toBeUndefined();
    expect(nextExpectedStart(read({ expirationDate: "2026-01-10T00:00:00.000" }), at("2026-01-20T00:00:00Z"))).toBeUndefined();
  });
});
