// What the intake's overflow keeps of a run (overflow.ts): the fields the run processor reads, each text cut to a
// length no real Scheduler line comes near, so a row weighs at most MAX_ROW_BYTES whatever the datagram carried (a
// forged one may carry 16 KB in a field). QRS supplies the names and the message of a confirmed run anyway.
//
// A row's report is a JSON array of the values in the order of FIELDS, without the field names (issue 89): a run of
// the bench's failure datagram weighs 421 bytes instead of 545.
// Rows an earlier version left (a JSON object) are still read.
import type { RunReport } from "../events/run-report";

/** The most characters of each text field kept; ids are GUIDs, names and the message are Qlik's. */
const CAPS = {
  executionId: 100,
  executionIdAsSent: 100,
  taskId: 100,
  appId: 100,
  host: 255,
  user: 255,
  taskName: 300,
  appName: 300,
  logTimestamp: 40,
  logLevel: 20,
  logMessage: 1_000,
} as const satisfies Partial<Record<keyof RunReport, number>>;

/** The stored fields in their order; the ones seldom set come last, so a row leaves them out (trailing nulls cut). */
const FIELDS = [
  "source",
  "outcome",
  "executionId",
  "taskId",
  "appId",
  "host",
  "user",
  "taskName",
  "appName",
  "logTimestamp",
  "logLevel",
  "logMessage",
  "executionIdAsSent",
  "distribute",
] as const satisfies ReadonlyArray<keyof RunReport>;

/** Key, source and a row's own share counted on top of the report. */
const ROW_OVERHEAD = 64;
const KEY_AND_SOURCE = 2 * 130;
/** The heaviest row one run can make (every field at its cap, with its quotes and the object form's names). */
export const MAX_ROW_BYTES = ROW_OVERHEAD + KEY_AND_SOURCE + 400 + Object.values(CAPS).reduce((n, c) => n + c, 0);

/**
 * A field longer than its cap: no Scheduler line is (a forged datagram padded to 16 KB is). Such a run waits only within
 * its source's own share of the overflow, never in the room a source alone may borrow (overflow.ts).
 */
export function exceedsCaps(r: RunReport): boolean {
  for (const field in CAPS) if ((r[field as keyof typeof CAPS]?.length ?? 0) > CAPS[field as keyof typeof CAPS]) return true;
  return false;
}

const cut = (s: string | undefined, max: number) => (s === undefined ? undefined : s.length > max ? s.slice(0, max) : s);

/** The run as stored: only what the processor reads, each text cut, as an array of values. */
export function compactReport(r: RunReport): string {
  const values: Array<string | boolean | null> = [];
  for (const field of FIELDS) {
    const v = field === "distribute" ? (r.distribute ? true : undefined) : field in CAPS ? cut(r[field], CAPS[field as keyof typeof CAPS]) : r[field];
    values.push(v ?? null);
  }
  while (values.length > 0 && values[values.length - 1] === null) values.pop();
  return JSON.stringify(values);
}

/** A stored row's run: the array form, or the object form of rows an earlier version left. */
export function readReport(stored: string): RunReport {
  const parsed = JSON.parse(stored) as unknown;
  if (!Array.isArray(parsed)) return parsed as RunReport;
  const r: Record<string, unknown> = {};
  FIELDS.forEach((field, i) => {
    const v = parsed[i] as unknown;
    if (v !== null && v !== undefined) r[field] = v;
  });
  return r as unknown as RunReport;
}

/** A row's weight in bytes as the overflow's bounds count it (the same sum the store's SQL makes at start). */
export const rowBytes = (key: string, source: string, report: string) => ROW_OVERHEAD + key.length + source.length + report.length;
export const ROW_BYTES_SQL = `(${ROW_OVERHEAD} + LENGTH(key) + LENGTH(source) + LENGTH(report))`;
