// Lists answered within a byte budget (issue 75): a list whose rows carry text from Qlik or from a datagram (failing
// lines, messages, script log excerpts) stops adding rows once its answer reaches about 1 MiB and says so
// (`truncated`, with the route's cursor to the next page), and every string in a listed row is cut to a length a
// screen can show. A reader paging through a flood then costs a bounded answer each, not tens of megabytes that hold
// the event loop (and /health behind it) while they are built.

/** About this many bytes of JSON per list answer. */
export const ANSWER_BUDGET_BYTES = 1024 * 1024;
/** Each string of a listed row is cut here; the one-item routes (GET …/{id}) keep the whole text. */
export const LIST_TEXT_CHARS = 2_000;
export const TEXT_CUT_MARKER = " …[cut]";
/** What an OpenAPI description of such a list says. */
export const LIST_ANSWER_NOTE =
  "An answer holds about 1 MiB at most: past it `truncated` is true and the page's cursor names where the next begins; each text of a listed row is cut at 2,000 characters (the one-item route keeps it whole).";

/** Deep copy with every string longer than `max` cut (a marker says so); other values as they are. */
export function cutTexts<T>(value: T, max = LIST_TEXT_CHARS, depth = 0): T {
  if (typeof value === "string") return (value.length > max ? `${value.slice(0, Math.max(0, max - TEXT_CUT_MARKER.length))}${TEXT_CUT_MARKER}` : value) as T;
  // Rows are shallow; a row nested deeper than this is returned as it is (the budget still counts it).
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => cutTexts(v, max, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = cutTexts(v, max, depth + 1);
  return out as T;
}

export interface FittedList<V> {
  items: V[];
  /** Rows were left out to keep the answer within the budget: ask again from the cursor. */
  truncated: boolean;
}

/** Takes rows (texts cut) while they fit in the budget; the first always does, so paging always moves on. */
function createFitter(o: { budget?: number; maxChars?: number }) {
  const budget = o.budget ?? ANSWER_BUDGET_BYTES;
  const max = o.maxChars ?? LIST_TEXT_CHARS;
  let used = 0;
  /** The row with its texts cut, or undefined once it would pass the budget. */
  return <V>(row: V): V | undefined => {
    const cut = cutTexts(row, max);
    const bytes = Buffer.byteLength(JSON.stringify(cut) ?? "") + 1;
    if (used > 0 && used + bytes > budget) return undefined;
    used += bytes;
    return cut;
  };
}

/** The rows, texts cut, as many as fit in `budget` bytes of JSON. The caller makes its cursor from the last row kept. */
export function fitAnswer<V>(rows: readonly V[], o: { budget?: number; maxChars?: number } = {}): FittedList<V> {
  const fit = createFitter(o);
  const items: V[] = [];
  for (const row of rows) {
    const cut = fit(row);
    if (cut === undefined) return { items, truncated: true };
    items.push(cut);
  }
  return { items, truncated: false };
}

export interface FittedGroups<H, V> {
  groups: Array<{ head: H; rows: V[] }>;
  truncated: boolean;
  /** Rows left out (of the groups cut short and of those left out whole). */
  omitted: number;
}

/**
 * Groups of rows under a heading (the open incidents by cause), texts cut, as many rows as fit in `budget` bytes: a
 * heading is kept only with its first row (or alone when it has none), so no group is shown emptier than it is
 * without `truncated` saying so.
 */
export function fitGroups<H, V>(groups: ReadonlyArray<{ head: H; rows: readonly V[] }>, o: { budget?: number; maxChars?: number } = {}): FittedGroups<H, V> {
  const fit = createFitter(o);
  const out: FittedGroups<H, V>["groups"] = [];
  let omitted = 0;
  let full = false;
  for (const g of groups) {
    const lead = full ? undefined : fit({ head: g.head, rows: g.rows.slice(0, 1) });
    if (lead === undefined) {
      full = true;
      omitted += g.rows.length;
      continue;
    }
    const rows = lead.rows;
    for (const row of g.rows.slice(1)) {
      const cut = full ? undefined : fit(row);
      if (cut === undefined) {
        full = true;
        omitted++;
      } else rows.push(cut);
    }
    out.push({ head: lead.head, rows });
  }
  return { groups: out, truncated: full, omitted };
}

export interface CollectedPage<T, V> extends FittedList<V> {
  /** The last row kept: the next page's cursor is made from it. */
  last?: T;
  /** More rows may follow (the budget or `limit` ended the page). */
  more: boolean;
}

/**
 * Reads a list in chunks of `chunk` rows (each read after the last row kept) until `limit` rows or the byte budget:
 * the store is asked for little more than what is answered, even when `limit` is large and the rows are heavy.
 */
export async function collectWithinBudget<T, V>(o: {
  limit: number;
  chunk?: number;
  read: (n: number, after: T | undefined) => Promise<T[]>;
  view: (row: T) => V;
  budget?: number;
  maxChars?: number;
}): Promise<CollectedPage<T, V>> {
  const fit = createFitter(o);
  const items: V[] = [];
  let last: T | undefined;
  const page = (truncated: boolean, more: boolean) => ({ items, truncated, more, ...(last !== undefined ? { last } : {}) });
  while (items.length < o.limit) {
    const want = Math.min(o.chunk ?? 100, o.limit - items.length);
    const rows = await o.read(want, last);
    for (const row of rows) {
      const cut = fit(o.view(row));
      if (cut === undefined) return page(true, true);
      items.push(cut);
      last = row;
    }
    if (rows.length < want) return page(false, false);
    // The store answers synchronously (SQLite): without a turn of the event loop between chunks, four readers paging
    // at once held /health and every other request behind whole pages (p99 251 ms in scripts/bench-readers.ts).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return page(false, true);
}
