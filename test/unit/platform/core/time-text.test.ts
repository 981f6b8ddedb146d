// The formats a person reads times in (src/platform/core/time-text.ts): one per medium, never raw ISO-8601.
import { describe, expect, test } from "bun:test";
import { cliTime, cliTimeAtOffset, hasIsoTime, messageTime, timesInText, typedOffset } from "../../../../src/platform/core/time-text";

const AT = Date.parse("2026-11-26T06:50:09.000Z");

describe("the message format", () => {
  test("the site's zone to the minute with the zone's name at that instant", () => {
    expect(messageTime(AT, "Europe/Stockholm")).toBe("2026-11-26 07:50 CET");
    expect(messageTime(Date.parse("2026-07-01T13:05:09Z"), "Europe/Stockholm")).toBe("2026-07-01 15:05 CEST");
    expect(messageTime(AT, "Asia/Kolkata")).toBe("2026-11-26 12:20 GMT+5:30");
    expect(messageTime(AT, "UTC")).toBe("2026-11-26 06:50 UTC");
  });

  test("a sentence's ISO instants, with or without seconds and milliseconds, in the format given; other numbers kept", () => {
    const fmt = (ms: number) => messageTime(ms, "Europe/Stockholm");
    expect(timesInText("held until 2026-11-26T06:50:09.000Z; next allowed at 2026-11-26T07:00Z", fmt)).toBe(
      "held until 2026-11-26 07:50 CET; next allowed at 2026-11-26 08:00 CET",
    );
    expect(timesInText("silence #3 on 2026-11-26, 12:30 runs", fmt)).toBe("silence #3 on 2026-11-26, 12:30 runs");
    expect(hasIsoTime("held until 2026-11-26T06:50:09.000Z")).toBe(true);
    expect(hasIsoTime("held until 2026-11-26 07:50 CET")).toBe(false);
  });
});

describe("the CLI format", () => {
  test("the offset a time was typed with", () => {
    expect(typedOffset("2026-11-26T22:00:00+01:00")).toBe(60);
    expect(typedOffset("2026-11-26T22:00+0530")).toBe(330);
    expect(typedOffset("2026-11-26T22:00:00.000-03:30")).toBe(-210);
    expect(typedOffset("2026-11-26T21:00:00Z")).toBe(0);
    expect(typedOffset("2026-11-26T22:00:00")).toBeUndefined();
    expect(typedOffset("2h")).toBeUndefined();
  });

  test("in the offset typed, else the site zone's offset at that instant", () => {
    const ms = Date.parse("2026-11-26T22:00:00+01:00");
    expect(cliTimeAtOffset(ms, 60)).toBe("2026-11-26 22:00 +01:00");
    expect(cliTimeAtOffset(ms, -210)).toBe("2026-11-26 17:30 -03:30");
    expect(cliTime(ms, "Asia/Kolkata", 60)).toBe("2026-11-26 22:00 +01:00");
    expect(cliTime(ms, "Asia/Kolkata")).toBe("2026-11-27 02:30 +05:30");
    expect(cliTime(Date.parse("2026-07-01T13:05:00Z"), "Europe/Stockholm")).toBe("2026-07-01 15:05 +02:00");
  });
});
