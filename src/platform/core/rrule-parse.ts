// Reads RFC 5545 RRULE lines as Qlik Cloud's Scheduling Tasks store them into a RecurrenceRule: a part Steward does
// not know or a value out of range is an error naming it; lists are deduplicated so a long rule costs no more to follow.
export type Freq = "MINUTELY" | "HOURLY" | "DAILY" | "WEEKLY" | "MONTHLY" | "YEARLY";

export interface RecurrenceRule {
  freq: Freq;
  interval: number;
  count?: number;
  /** UNTIL as an instant (a `Z` value) or as local wall time in the schedule's zone (read as if UTC). */
  until?: { utcMs: number } | { localMs: number };
  bySecond?: number[];
  byMinute?: number[];
  byHour?: number[];
  /** Weekday 0 = Sunday … 6 = Saturday; `n` the numeric prefix (MONTHLY, YEARLY): 1 first, -1 last. */
  byDay?: Array<{ weekday: number; n?: number }>;
  byMonthDay?: number[];
  byMonth?: number[];
  /** Week start for WEEKLY with INTERVAL (default Monday). */
  wkst: number;
}

export type RuleRead = { ok: true; rule: RecurrenceRule } | { ok: false; error: string };

const WEEKDAYS = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
const FREQS: Freq[] = ["MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
const UNSUPPORTED = new Set(["BYSETPOS", "BYYEARDAY", "BYWEEKNO"]);
/** Longest RRULE line read (Qlik's are well under 200 characters). */
const MAX_RULE_LENGTH = 2_000;

function intList(name: string, value: string, min: number, max: number, allowNegative = false): number[] | string {
  const out: number[] = [];
  for (const part of value.split(",")) {
    if (!/^[+-]?\d{1,4}$/.test(part)) return `${name}=${value}: '${part}' is not a number`;
    const n = Number(part);
    const ok = allowNegative ? n !== 0 && Math.abs(n) >= min && Math.abs(n) <= max : n >= min && n <= max;
    if (!ok) return `${name}=${value}: ${n} is out of range`;
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

/** Reads one `RRULE:…` line (the `RRULE:` prefix is optional). */
export function parseRule(line: string): RuleRead {
  if (line.length > MAX_RULE_LENGTH) return { ok: false, error: `a rule of ${line.length} characters (at most ${MAX_RULE_LENGTH} are read)` };
  const text = line.trim().replace(/^RRULE:/i, "");
  if (/^[A-Z-]+[:;]/i.test(text) && !/^(FREQ|INTERVAL|COUNT|UNTIL|BY[A-Z]+|WKST)=/i.test(text)) {
    return { ok: false, error: `'${line.trim().slice(0, 80)}': only RRULE lines are supported` };
  }
  const parts = new Map<string, string>();
  for (const kv of text.split(";")) {
    if (kv === "") continue;
    const eq = kv.indexOf("=");
    if (eq <= 0) return { ok: false, error: `'${kv.slice(0, 40)}' is not NAME=VALUE` };
    const name = kv.slice(0, eq).toUpperCase();
    if (parts.has(name)) return { ok: false, error: `${name} is given twice` };
    parts.set(name, kv.slice(eq + 1).toUpperCase());
  }
  const freq = parts.get("FREQ");
  if (!freq) return { ok: false, error: "FREQ is missing" };
  if (!FREQS.includes(freq as Freq)) return { ok: false, error: `FREQ=${freq} is not supported (${FREQS.join(", ")})` };
  const rule: RecurrenceRule = { freq: freq as Freq, interval: 1, wkst: 1 };
  for (const [name, value] of parts) {
    if (UNSUPPORTED.has(name)) return { ok: false, error: `${name} is not supported` };
    let list: number[] | string;
    switch (name) {
      case "FREQ":
        continue;
      case "INTERVAL":
      case "COUNT": {
        if (!/^\d{1,7}$/.test(value) || Number(value) < 1) return { ok: false, error: `${name}=${value} is not a positive whole number` };
        if (name === "INTERVAL") rule.interval = Number(value);
        else rule.count = Number(value);
        continue;
      }
      case "UNTIL": {
        const m = /^(\d{4})(\d\d)(\d\d)(?:T(\d\d)(\d\d)(\d\d)(Z?))?$/.exec(value);
        if (!m) return { ok: false, error: `UNTIL=${value} is not a date (20261231 or 20261231T235959Z)` };
        const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 23), +(m[5] ?? 59), +(m[6] ?? 59));
        if (!Number.isFinite(ms) || new Date(ms).getUTCDate() !== +m[3]!) return { ok: false, error: `UNTIL=${value} is not a date` };
        rule.until = m[7] === "Z" ? { utcMs: ms } : { localMs: ms };
        continue;
      }
      case "BYSECOND":
        list = intList(name, value, 0, 59);
        if (typeof list === "string") return { ok: false, error: list };
        rule.bySecond = list;
        continue;
      case "BYMINUTE":
        list = intList(name, value, 0, 59);
        if (typeof list === "string") return { ok: false, error: list };
        rule.byMinute = list;
        continue;
      case "BYHOUR":
        list = intList(name, value, 0, 23);
        if (typeof list === "string") return { ok: false, error: list };
        rule.byHour = list;
        continue;
      case "BYMONTHDAY":
        list = intList(name, value, 1, 31, true);
        if (typeof list === "string") return { ok: false, error: list };
        rule.byMonthDay = list;
        continue;
      case "BYMONTH":
        list = intList(name, value, 1, 12);
        if (typeof list === "string") return { ok: false, error: list };
        rule.byMonth = list;
        continue;
      case "WKST": {
        const d = WEEKDAYS.indexOf(value);
        if (d < 0) return { ok: false, error: `WKST=${value} is not a weekday (MO … SU)` };
        rule.wkst = d;
        continue;
      }
      case "BYDAY": {
        const days: Array<{ weekday: number; n?: number }> = [];
        for (const item of value.split(",")) {
          const m = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(item);
          if (!m) return { ok: false, error: `BYDAY=${value}: '${item}' is not a weekday such as MO or 1MO or -1FR` };
          const n = m[1] === undefined ? undefined : Number(m[1]);
          if (n !== undefined) {
            if (n === 0 || Math.abs(n) > 53) return { ok: false, error: `BYDAY=${value}: ${n} is out of range` };
            if (rule.freq !== "MONTHLY" && rule.freq !== "YEARLY")
              return { ok: false, error: `BYDAY=${value}: a numbered weekday needs FREQ=MONTHLY or YEARLY` };
          }
          const weekday = WEEKDAYS.indexOf(m[2]!);
          if (!days.some((x) => x.weekday === weekday && x.n === n)) days.push({ weekday, ...(n !== undefined ? { n } : {}) });
        }
        rule.byDay = days;
        continue;
      }
      default:
        return { ok: false, error: `${name} is not a recurrence rule part Steward knows` };
    }
  }
  if (rule.count !== undefined && rule.until !== undefined) return { ok: false, error: "COUNT and UNTIL together are not allowed" };
  return { ok: true, rule };
}
