// A moment as a person on the rota reads it in the schedule's zone ("Thu 19 Nov 16:00"): the notices of the rota
// (hand-off, overrides) say it alike.

export function wallClock(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(ms));
  const v = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${v("weekday")} ${v("day")} ${v("month")} ${v("hour")}:${v("minute")}`;
}
