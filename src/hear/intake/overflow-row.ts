// What the intake's overflow keeps of a run (overflow.ts): the fields the run processor reads, each text cut to a
// length no real Scheduler line comes near, so a row weighs at most MAX_ROW_BYTES whatever the datagram carried (a
// forged one may carry 16 KB in a field). QRS supplies the names and the message of a confirmed run anyway.
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

/** Key, source and a row's own share counted on top of the report. */
const ROW_OVERHEAD = 64;
const KEY_AND_SOURCE = 2 * 130;
/** The heaviest row one run can make (every field at its cap, with its JSON name and quotes). */
export const MAX_ROW_BYTES = ROW_OVERHEAD + KEY_AND_SOURCE + 400 + Object.values(CAPS).reduce((n, c) => n + c, 0);

const cut = (s: string | undefined, max: number) => (s === undefined ? undefined : s.length > max ? s.slice(0, max) : s);

/** The run as stored: only what the processor reads, each text cut. */
export function compactReport(r: RunReport): string {
  const kept: Partial<RunReport> = { source: r.source, outcome: r.outcome };
  for (const [field, max] of Object.entries(CAPS) as Array<[keyof typeof CAPS, number]>) {
    const v = cut(r[field], max);
    if (v !== undefined) kept[field] = v;
  }
  if (r.distribute) kept.distribute = true;
  return JSON.stringify(kept);
}

/** A row's weight in bytes as the overflow's bounds count it (the same sum the store's SQL makes at start). */
export const rowBytes = (key: string, source: string, report: string) => ROW_OVERHEAD + key.length + source.length + report.length;
export const ROW_BYTES_SQL = `(${ROW_OVERHEAD} + LENGTH(key) + LENGTH(source) + LENGTH(report))`;
