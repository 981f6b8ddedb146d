// Durations in the config and retry backoff (doubling, capped, 50–100 % jitter).
import { describe, expect, test } from "bun:test";
import { backoffDelay } from "../../../../src/tell/notify/backoff";
import { formatDuration, parseDuration } from "../../../../src/platform/core/duration";
import { durationText, localTimes, splitDuration } from "../../../../src/tell/notify/time-format";

describe("durations", () => {
  test.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["7d", 604_800_000],
  ])("%s = %d ms", (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(["", "5", "5 m", "m5", "5x", "-5m"])("%p is not a duration", (text) => expect(parseDuration(text)).toBeUndefined());

  test("format", () => {
    expect(formatDuration(250)).toBe("250ms");
    expect(formatDuration(5_400_000)).toBe("1h30m");
  });
});

describe("backoff", () => {
  test("doubles from the initial delay up to the cap, jitter between 50 and 100 %", () => {
    expect(backoffDelay(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(20, 1000, 60_000, () => 0)).toBe(30_000);
    expect(backoffDelay(1000, 1000, 60_000, () => 0.5)).toBe(45_000);
  });
});

describe("times in messages", () => {
  test("UTC, five local forms and the time with its zone's name, in a given zone", () => {
    const t = localTimes("2026-03-01T13:05:09.123Z", "Europe/Stockholm");
    expect(t).toEqual({
      utc: "2026-03-01 13:05:09 UTC",
      local1: "2026-03-01 14:05:09",
      local2: "2026-03-01 14:05",
      local3: "01/03/2026 14:05:09",
      local4: "03/01/2026 14:05:09",
      local5: "Sun, 1 Mar 2026 14:05:09 CET",
      zone: "CET",
      zoned: "2026-03-01 14:05 CET",
    });
    // Summer time names itself; a zone without an abbreviation gives its offset.
    expect(localTimes("2026-07-01T13:05:09Z", "Europe/Stockholm").zoned).toBe("2026-07-01 15:05 CEST");
    expect(localTimes("2026-07-01T13:05:09Z", "Asia/Kolkata").zoned).toBe("2026-07-01 18:35 GMT+5:30");
  });

  test("each zone's formatters are built once: a message's times, and config check's previews of every kind, reuse them", () => {
    const Real = Intl.DateTimeFormat;
    let built = 0;
    const Counting = function (this: unknown, ...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      built++;
      return new Real(...args);
    } as unknown as typeof Intl.DateTimeFormat;
    Intl.DateTimeFormat = Counting;
    try {
      // A zone no other test here uses, so its formatters are made now.
      const first = localTimes("2026-03-01T13:05:09.123Z", "Pacific/Chatham");
      const afterFirst = built;
      for (let i = 0; i < 50; i++) expect(localTimes(`2026-03-0${1 + (i % 9)}T13:05:09.123Z`, "Pacific/Chatham").utc).toEndWith(" UTC");
      expect(localTimes("2026-03-01T13:05:09.123Z", "Pacific/Chatham")).toEqual(first);
      expect(afterFirst).toBeLessThanOrEqual(2);
      expect(built).toBe(afterFirst);
      expect(first.local5).toBe("Mon, 2 Mar 2026 02:50:09 GMT+13:45");
      // Another zone gets its own, and the first keeps rendering in its zone.
      expect(localTimes("2026-03-01T13:05:09.123Z", "America/New_York").local1).toBe("2026-03-01 08:05:09");
      expect(localTimes("2026-03-01T13:05:09.123Z", "Pacific/Chatham").local1).toBe("2026-03-02 02:50:09");
    } finally {
      Intl.DateTimeFormat = Real;
    }
  });

  test("durations", () => {
    expect(splitDuration(3_725_000)).toEqual({ hours: 1, minutes: 2, seconds: 5 });
    expect(durationText(3_725_000)).toBe("1 h 02 min 05 s");
    expect(durationText(65_000)).toBe("1 min 05 s");
    expect(durationText(undefined)).toBe("");
  });
});
