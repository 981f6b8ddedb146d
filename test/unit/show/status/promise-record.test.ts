// A promise's record in the business reader's words (issue 106): a weekday promise counts its deadlines, not the
// calendar's days; a late day not fresh since says so; the bar's days are the site's calendar days across a
// daylight-saving change; lateness reads in hours and minutes.
import { expect, test } from "bun:test";
import { lateDaySentence, lateText, promiseRecord, recordSentence } from "../../../../src/show/status/promise-record";
import type { DayJudgement } from "../../../../src/watch/freshness/record-store";

const at = (s: string) => Date.parse(s);
const day = (iso: string, late = false, freshMs?: number, cause?: string): DayJudgement => ({
  promise: "sales",
  appId: "a",
  deadlineMs: at(iso),
  late,
  ...(freshMs !== undefined ? { freshMs } : {}),
  ...(cause ? { cause } : {}),
});

test("a weekday promise: N of its deadlines in the last 30 days; the full month: N of the last 30 days", () => {
  expect(recordSentence({ fresh: 19, judged: 22 }, 30)).toBe("Fresh by its deadline on 19 of 22 deadlines in the last 30 days");
  expect(recordSentence({ fresh: 29, judged: 30 }, 30)).toBe("Fresh by its deadline on 29 of the last 30 days");
  expect(recordSentence({ fresh: 0, judged: 0 }, 90)).toBe("No deadline judged in the last 90 days yet");
});

test("a late day not fresh since says so; lateness in hours and minutes", () => {
  const r = promiseRecord("sales", [day("2026-11-26T06:00:00Z", true, undefined, "its last load failed")], at("2026-11-26T12:00:00Z"), "Europe/Stockholm");
  expect(r.late.map(lateDaySentence)).toEqual(["Thu 26 Nov: not fresh by its deadline, nor since (its last load failed)"]);
  expect([lateText(45), lateText(130), lateText(60), lateText(1500)]).toEqual(["45 min", "2 h 10 min", "1 h", "1 day 1 h"]);
});

test("the bar: 30 calendar days of the site's zone, across the end of summer time, today last", () => {
  const days = [day("2026-10-24T05:00:00Z"), day("2026-10-25T06:00:00Z", true, at("2026-10-25T07:00:00Z")), day("2026-10-26T06:00:00Z")];
  const r = promiseRecord("sales", days, at("2026-11-20T10:00:00Z"), "Europe/Stockholm");
  expect(r.bar).toHaveLength(30);
  expect(r.bar.at(-1)!.date).toBe("2026-11-20");
  expect(r.bar.slice(0, 4).map((d) => `${d.day} ${d.state}`)).toEqual(["Thu 22 Oct none", "Fri 23 Oct none", "Sat 24 Oct fresh", "Sun 25 Oct late"]);
  expect(r.last30).toEqual({ fresh: 2, judged: 3 });
});
