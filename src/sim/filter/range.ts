// The range of values a filter allows on some properties: a watchdog asks for "what changed since the last look" or
// "what is running", and answering by testing every run the repository keeps (up to 5,000) on each look makes a
// long simulation slower every day. A resource uses the range to pick its candidates; the filter still decides.
import type { FilterNode, FilterValue } from "./parser";

export interface Range {
  lo: number;
  hi: number;
}

const ALL: Range = { lo: -Infinity, hi: Infinity };

/**
 * The values an entity matching `node` can carry in one of `fields` (single-segment paths, lower-case): a superset,
 * undefined when the filter does not bound them (some branch matches whatever they are). `numberOf` reads a filter
 * literal as a number (undefined when it cannot).
 */
export function filterRange(node: FilterNode, fields: readonly string[], numberOf: (v: FilterValue) => number | undefined): Range | undefined {
  switch (node.kind) {
    case "predicate": {
      const { path, op } = node;
      if (path.length !== 1 || !fields.includes(path[0]!.toLowerCase())) return undefined;
      const v = numberOf(node.value);
      if (v === undefined || !Number.isFinite(v)) return undefined;
      if (op === "eq") return { lo: v, hi: v };
      if (op === "gt" || op === "ge") return { lo: v, hi: Infinity };
      if (op === "lt" || op === "le") return { lo: -Infinity, hi: v };
      return undefined;
    }
    case "and": {
      const ranges = node.items.map((n) => filterRange(n, fields, numberOf)).filter((r) => r !== undefined);
      if (ranges.length === 0) return undefined;
      return ranges.reduce((a, b) => ({ lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) }), ALL);
    }
    case "or": {
      const ranges = node.items.map((n) => filterRange(n, fields, numberOf));
      if (!ranges.every((r) => r !== undefined)) return undefined;
      return (ranges as Range[]).reduce((a, b) => ({ lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) }), { lo: Infinity, hi: -Infinity });
    }
  }
}

/**
 * The one value an entity matching `node` must have in `field` (a single-segment path, lower-case): `id eq <guid>`
 * or `taskID eq <guid>`, alone or among and-ed conditions; undefined when there is none. A lookup by id (a task's or
 * an app's, for every run a client enriches) then renders one entity, not all of them.
 */
export function filterId(node: FilterNode, field = "id"): string | undefined {
  if (node.kind === "predicate") {
    const { path, op, value } = node;
    const isId = path.length === 1 && path[0]!.toLowerCase() === field && op === "eq";
    return isId && (value.type === "guid" || value.type === "string") ? value.value.toLowerCase() : undefined;
  }
  if (node.kind === "and") {
    for (const n of node.items) {
      const id = filterId(n, field);
      if (id !== undefined) return id;
    }
  }
  return undefined;
}

/**
 * The values an entity matching `node` must have in `field`, as `filterId` reads them, also for an `or` of such
 * lookups (`id eq a or id eq b`: a client reading the tasks of many runs at once); undefined when unbounded.
 */
export function filterIds(node: FilterNode, field = "id"): string[] | undefined {
  if (node.kind === "or") {
    const ids: string[] = [];
    for (const n of node.items) {
      const some = filterIds(n, field);
      if (some === undefined) return undefined;
      ids.push(...some);
    }
    return [...new Set(ids)];
  }
  const id = filterId(node, field);
  return id === undefined ? undefined : [id];
}
