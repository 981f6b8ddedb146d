// Date formats of the Qlik wire protocols: QRS ISO dates, log4net %date, script-log stamps.
export const NEVER = "1753-01-01T00:00:00.000Z";

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** log4net's ISO8601 layout, server local time, no zone: `yyyy-MM-dd HH:mm:ss,fff`. */
export function log4netDate(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())},${pad(d.getMilliseconds(), 3)}`
  );
}

/** Local offset as `+0100`. */
function offset(d: Date): string {
  const m = -d.getTimezoneOffset();
  const sign = m >= 0 ? "+" : "-";
  const a = Math.abs(m);
  return `${sign}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

/** Engine script-log line stamp: `20251103T055958.120+0100` (local time with offset). */
export function scriptLogStamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}T` +
    `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}${offset(d)}`
  );
}

/** Qlik's file-time: days since 1899-12-30 (used in GetDocList qFileTime). */
export function qlikFileTime(ms: number): number {
  return Math.round(((ms - Date.UTC(1899, 11, 30)) / 86_400_000) * 1e6) / 1e6;
}
