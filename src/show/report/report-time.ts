// Times in a report, in its zone: "Tue 24 Nov 07:00", with the year when it is not the report's year, and the day a
// report is for ("Tue, 24 Nov 2026"), which also names its event (one report per day and kind).
const parts = (ms: number, timeZone: string) => {
  const out: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(ms)))
    out[p.type] = p.value;
  return out;
};

export function reportTime(ms: number, timeZone: string, reportMs: number): string {
  const p = parts(ms, timeZone);
  const year = p.year === parts(reportMs, timeZone).year ? "" : ` ${p.year}`;
  return `${p.weekday} ${p.day} ${p.month}${year} ${p.hour}:${p.minute}`;
}

export function reportDay(ms: number, timeZone: string): string {
  const p = parts(ms, timeZone);
  return `${p.weekday}, ${p.day} ${p.month} ${p.year}`;
}
