// Each QRS row of the plan validated and read once: the plan keeps its rows between reads and a refresh replaces only
// the rows QRS changed (plan-update.ts mergeById), so a row that is the same object as at the last build was read
// then. On the ×50 site (5,800 tasks and apps, 5,800 triggers) validating and reading every row again was about
// two thirds of a plan's rebuild (200-250 ms, at every hourly refresh and whenever one task changed); a new or
// changed row is a new object and is validated at the edge as before.
import type { z } from "zod";

/** Per row object, per reading (a schema, or a reader): its result. Rows are dropped with the plan's rows (weakly held). */
export type RowParses = WeakMap<object, Map<object, unknown>>;

export const createRowParses = (): RowParses => new WeakMap();

/**
 * `read(row)`, or its result for the same row object and `key` before. The results are shared: callers never change
 * them (what the plan changes later, such as a trigger's QRS times, is copied out first).
 */
export function readRowOnce<T>(parses: RowParses | undefined, key: object, row: unknown, read: (row: unknown) => T): T {
  if (!parses || typeof row !== "object" || row === null) return read(row);
  let byRow = parses.get(row);
  if (byRow?.has(key)) return byRow.get(key) as T;
  const r = read(row);
  if (!byRow) parses.set(row, (byRow = new Map()));
  byRow.set(key, r);
  return r;
}

/** `schema.safeParse(row)`, once per row object. */
export const parseRow = <S extends z.ZodType>(parses: RowParses | undefined, schema: S, row: unknown): z.ZodSafeParseResult<z.output<S>> =>
  readRowOnce(parses, schema, row, (x) => schema.safeParse(x));
