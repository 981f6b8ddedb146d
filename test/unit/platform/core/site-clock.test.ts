// The site's clock reads the machine's zone and formats an instant once, not per message: a `config check` previews
// every template with the same sample times, and a notification writes one time in every template and channel.
import { afterEach, describe, expect, test } from "bun:test";
import { siteTimeZone, zonedParts } from "../../../../src/platform/core/site-clock";

const savedTz = process.env.TZ;
const RealDateTimeFormat = Intl.DateTimeFormat;

afterEach(() => {
  Intl.DateTimeFormat = RealDateTimeFormat;
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

/** Counts the formatters made from here on. */
function countFormatters(): { made: number } {
  const count = { made: 0 };
  Intl.DateTimeFormat = new Proxy(RealDateTimeFormat, {
    apply(target, self, args) {
      count.made++;
      return Reflect.apply(target, self, args);
    },
    construct(target, args) {
      count.made++;
      return Reflect.construct(target, args);
    },
  });
  return count;
}

describe("siteTimeZone", () => {
  test("the configured zone wins", () => {
    expect(siteTimeZone("Asia/Tokyo")).toBe("Asia/Tokyo");
  });

  test("the machine's zone is read once, and again when TZ changes", () => {
    process.env.TZ = "Europe/Stockholm";
    expect(siteTimeZone()).toBe("Europe/Stockholm");
    const count = countFormatters();
    for (let i = 0; i < 100; i++) expect(siteTimeZone()).toBe("Europe/Stockholm");
    expect(count.made).toBe(0);
    process.env.TZ = "America/New_York";
    expect(siteTimeZone()).toBe("America/New_York");
    expect(count.made).toBe(1);
  });
});

describe("zonedParts", () => {
  const ms = Date.parse("2026-11-25T13:29:24Z");

  test("the wall-clock fields in the zone, with its short name at that instant", () => {
    expect(zonedParts(ms, "Europe/Stockholm")).toEqual({
      date: "2026-11-25",
      hms: "14:29:24",
      hm: "14:29",
      weekday: "Wed",
      day: "25",
      month: "Nov",
      year: "2026",
      abbr: "CET",
    });
    expect(zonedParts(Date.parse("2026-07-01T22:00:00Z"), "Europe/Stockholm")).toMatchObject({ date: "2026-07-02", hm: "00:00", abbr: "CEST" });
    expect(zonedParts(ms, "Asia/Tokyo")).toMatchObject({ date: "2026-11-25", hm: "22:29", weekday: "Wed" });
  });

  test("an instant is formatted once per zone: the same frozen parts are handed out again", () => {
    const first = zonedParts(ms + 1_000, "Europe/London");
    const count = countFormatters();
    const again = zonedParts(ms + 1_000, "Europe/London");
    expect(again).toBe(first);
    expect(Object.isFrozen(again)).toBe(true);
    expect(count.made).toBe(0);
    expect(zonedParts(ms + 1_000, "Europe/Stockholm").hms).toBe("14:29:25");
  });

  test("past the kept instants, every instant is still formatted right", () => {
    for (let i = 0; i < 2_500; i++) {
      const at = ms + i * 60_000;
      const p = zonedParts(at, "UTC");
      expect(p.hm).toBe(new Date(at).toISOString().slice(11, 16));
    }
  });
});
