// Business hours on routes: weekdays (and ranges that wrap) and times of day in a zone, across daylight saving; a
// route with activeTimes takes only events inside them, one with mutedTimes only those outside, with the reason.
import { describe, expect, test } from "bun:test";
import { parseConfigText } from "../../../../src/composition/config";
import { syntheticTaskEvent } from "../../../../src/tell/notify/samples";
import { matchRoute } from "../../../../src/tell/notify/routing";
import { insideIntervals, TimeIntervalsSchema } from "../../../../src/platform/core/time-intervals";

const hours = TimeIntervalsSchema.parse({ timeZone: "Europe/Stockholm", intervals: [{ weekdays: ["mon-fri"], times: [{ from: "08:00", to: "17:00" }] }] });
const at = (iso: string) => Date.parse(iso);

describe("time intervals", () => {
  test("weekdays and times in the zone, winter and summer", () => {
    // Monday 2026-11-23: Stockholm is UTC+1.
    expect(insideIntervals(hours, at("2026-11-23T07:00:00Z"))).toBe(true); // 08:00 local
    expect(insideIntervals(hours, at("2026-11-23T06:59:00Z"))).toBe(false);
    expect(insideIntervals(hours, at("2026-11-23T15:59:00Z"))).toBe(true); // 16:59
    expect(insideIntervals(hours, at("2026-11-23T16:00:00Z"))).toBe(false); // 17:00, exclusive
    expect(insideIntervals(hours, at("2026-11-22T12:00:00Z"))).toBe(false); // Sunday
    // Monday 2026-06-08: UTC+2.
    expect(insideIntervals(hours, at("2026-06-08T06:00:00Z"))).toBe(true);
    expect(insideIntervals(hours, at("2026-06-08T05:59:00Z"))).toBe(false);
  });

  test("a range of days wraps over the week's end; no times means the whole day; 24:00 ends a day", () => {
    const weekend = TimeIntervalsSchema.parse({ intervals: [{ weekdays: ["fri-sun"] }] });
    expect(insideIntervals(weekend, at("2026-11-27T00:00:00Z"))).toBe(true); // Friday
    expect(insideIntervals(weekend, at("2026-11-29T23:59:00Z"))).toBe(true); // Sunday
    expect(insideIntervals(weekend, at("2026-11-30T00:00:00Z"))).toBe(false); // Monday
    const late = TimeIntervalsSchema.parse({ intervals: [{ times: [{ from: "22:00", to: "24:00" }] }] });
    expect(insideIntervals(late, at("2026-11-23T23:59:00Z"))).toBe(true);
    expect(insideIntervals(late, at("2026-11-23T21:59:00Z"))).toBe(false);
  });

  test("config errors name the key", () => {
    const err = (route: string) => {
      try {
        parseConfigText(`channels:\n  h: { type: webhook, url: "http://x" }\nroutes:\n  - { on: [task.failed], to: [h], ${route} }\n`, "t.yaml", "/tmp");
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(err('activeTimes: { timeZone: Mars/Base, intervals: [{ weekdays: ["mon"] }] }')).toContain("routes[0].activeTimes.timeZone");
    expect(err('activeTimes: { intervals: [{ weekdays: ["someday"] }] }')).toContain("routes[0].activeTimes.intervals[0].weekdays[0]");
    expect(err('mutedTimes: { intervals: [{ times: [{ from: "22:00", to: "06:00" }] }] }')).toContain("routes[0].mutedTimes.intervals[0].times[0].to");
  });
});

describe("routes by the clock", () => {
  const cfg = parseConfigText(
    `channels:\n  h: { type: webhook, url: "http://x" }\nroutes:
  - { name: team, on: [task.failed], to: [h], activeTimes: { timeZone: Europe/Stockholm, intervals: [{ weekdays: [mon-fri], times: [{ from: "08:00", to: "17:00" }] }] } }
  - { name: on-call, on: [task.failed], to: [h], mutedTimes: { timeZone: Europe/Stockholm, intervals: [{ weekdays: [mon-fri], times: [{ from: "08:00", to: "17:00" }] }] } }
`,
    "t.yaml",
    "/tmp",
  ).config;
  const [team, onCall] = cfg.routes as [(typeof cfg.routes)[number], (typeof cfg.routes)[number]];

  test("by day the team's route takes the failure, at night the on-call route, with the reason why not", () => {
    const day = syntheticTaskEvent({ outcome: "failed", nowMs: at("2026-11-23T10:00:00Z") });
    const night = syntheticTaskEvent({ outcome: "failed", nowMs: at("2026-11-23T23:00:00Z") });
    expect(matchRoute(team, day).matched).toBe(true);
    expect(matchRoute(onCall, day)).toEqual({
      matched: false,
      reason: "mutedTimes: 2026-11-23T10:00:00.000Z is inside the route's muted times (Europe/Stockholm)",
    });
    expect(matchRoute(team, night)).toEqual({
      matched: false,
      reason: "activeTimes: 2026-11-23T23:00:00.000Z is outside the route's active times (Europe/Stockholm)",
    });
    expect(matchRoute(onCall, night).matched).toBe(true);
  });
});
