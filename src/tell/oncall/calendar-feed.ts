// The calendar one person subscribes to (issue 106, "my shifts"): their final shifts in every schedule, overrides
// included, from a week ago to eight weeks ahead, as an RFC 5545 document a calendar program polls.
import { createHash } from "node:crypto";
import { type OnCallConfig, scheduleNames, scheduleOf } from "./config";
import { icalDocument, icalText, icalUtc } from "./ical-text";
import { shiftsOf } from "./shifts";

const DAY = 86_400_000;
export const FEED_PAST_MS = 7 * DAY;
export const FEED_AHEAD_MS = 56 * DAY;

/** A UID that stays the same for the same shift across polls and Stewards, and says nothing of the person's address. */
const shiftUid = (schedule: string, person: string, start: number) =>
  `${createHash("sha256").update(`${schedule}\n${person.toLowerCase()}\n${start}`).digest("hex").slice(0, 32)}@oncall.steward`;

export function personCalendar(oncall: OnCallConfig | undefined, person: string, nowMs: number): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Steward//On-call shifts//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${icalText(`On call: ${person}`)}`,
    // Calendar programs that honour it poll hourly, so an override shows within the hour.
    "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
    "X-PUBLISHED-TTL:PT1H",
  ];
  const stamp = icalUtc(nowMs);
  for (const name of scheduleNames(oncall)) {
    const s = scheduleOf(oncall, name)!;
    for (const shift of shiftsOf(s, person, nowMs - FEED_PAST_MS, nowMs + FEED_AHEAD_MS)) {
      const override = shift.why.startsWith("override");
      lines.push(
        "BEGIN:VEVENT",
        `UID:${shiftUid(name, person, shift.start)}`,
        `DTSTAMP:${stamp}`,
        `DTSTART:${icalUtc(shift.start)}`,
        `DTEND:${icalUtc(shift.end)}`,
        `SUMMARY:${icalText(`On call: ${name}${override ? " (override)" : ""}`)}`,
        `DESCRIPTION:${icalText(`On duty in the Steward schedule ${name} (${s.timeZone}): ${shift.why}.`)}`,
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
      );
    }
  }
  lines.push("END:VCALENDAR");
  return icalDocument(lines);
}
