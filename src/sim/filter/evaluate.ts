// Evaluates a parsed QRS filter on JSON entities: case-insensitive paths and strings, any-element on collections.
import { FilterSyntaxError } from "./lexer";
import type { FilterNode, FilterValue, Operator } from "./parser";

/** Enum names accepted as bare values, keyed by the last path segment (lower-case). */
export const ENUMS: Record<string, Record<string, number>> = {
  tasktype: { reload: 0, externalprogram: 1, usersync: 2, distribute: 3, preload: 4 },
  status: {
    neverstarted: 0,
    triggered: 1,
    started: 2,
    queued: 3,
    abortinitiated: 4,
    aborting: 5,
    aborted: 6,
    finishedsuccess: 7,
    finishedfail: 8,
    skipped: 9,
    retry: 10,
    error: 11,
    reset: 12,
    distributionqueue: 13,
    distributionrunning: 14,
  },
  detailstype: { error: 0, warning: 1, information: 2 },
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function getKey(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** Every value reached by the path; arrays on the way (and at the end) are walked element by element. */
export function valuesAt(entity: unknown, path: string[]): unknown[] {
  let current: unknown[] = [entity];
  for (const seg of path) {
    const next: unknown[] = [];
    for (const v of current.flatMap((c) => (Array.isArray(c) ? c : [c]))) {
      if (v !== null && typeof v === "object") next.push(getKey(v as Record<string, unknown>, seg));
    }
    current = next;
  }
  return current.flatMap((c) => (Array.isArray(c) ? c : [c]));
}

// Dates compared by a filter are mostly the same few thousand strings (each run's times, asked about every look):
// parsed once each. Bounded, so a long simulation cannot grow it without end.
const parsedDates = new Map<string, number>();
export function isoDateMs(s: string): number {
  let ms = parsedDates.get(s);
  if (ms === undefined) {
    ms = ISO_DATE.test(s) ? Date.parse(s) : Number.NaN;
    if (parsedDates.size >= 100_000) parsedDates.clear();
    parsedDates.set(s, ms);
  }
  return ms;
}

function compareOrder(a: unknown, v: FilterValue, enumTable: Record<string, number> | undefined): number | undefined {
  if (v.type === "null" || v.type === "bool") return undefined;
  if (typeof a === "number") {
    if (v.type === "number") return a - v.value;
    const s = v.value.toLowerCase();
    if (enumTable && s in enumTable) return a - enumTable[s]!;
    const n = Number(v.value);
    return v.value.trim() !== "" && Number.isFinite(n) ? a - n : undefined;
  }
  if (typeof a === "string") {
    const b = v.type === "number" ? String(v.value) : v.value;
    const da = isoDateMs(a);
    const db = Number.isFinite(da) ? isoDateMs(b) : Number.NaN;
    if (Number.isFinite(da) && Number.isFinite(db)) return da - db;
    if (v.type === "number" && a.trim() !== "" && Number.isFinite(Number(a))) return Number(a) - v.value;
    const la = a.toLowerCase();
    const lb = b.toLowerCase();
    return la < lb ? -1 : la > lb ? 1 : 0;
  }
  return undefined;
}

function matchOne(a: unknown, op: Operator, v: FilterValue, enumTable: Record<string, number> | undefined): boolean {
  if (v.type === "null") {
    const isNull = a === null || a === undefined;
    return op === "eq" ? isNull : op === "ne" ? !isNull : false;
  }
  if (a === null || a === undefined) return op === "ne";
  if (v.type === "bool") {
    const eq = typeof a === "boolean" ? a === v.value : String(a).toLowerCase() === String(v.value);
    return op === "eq" ? eq : op === "ne" ? !eq : false;
  }
  if (op === "sw" || op === "ew" || op === "so") {
    if (typeof a !== "string" || v.type === "number") return false;
    const s = a.toLowerCase();
    const b = v.value.toLowerCase();
    return op === "sw" ? s.startsWith(b) : op === "ew" ? s.endsWith(b) : s.includes(b);
  }
  if (typeof a === "boolean") {
    const eq = String(a) === String(v.value).toLowerCase();
    return op === "eq" ? eq : op === "ne" ? !eq : false;
  }
  const c = compareOrder(a, v, enumTable);
  if (c === undefined) return op === "ne";
  switch (op) {
    case "eq":
      return c === 0;
    case "ne":
      return c !== 0;
    case "gt":
      return c > 0;
    case "ge":
      return c >= 0;
    case "lt":
      return c < 0;
    case "le":
      return c <= 0;
  }
}

/**
 * The filter as a test of one entity, built once per query: a query runs it over thousands of entities (every run
 * the repository keeps), so what does not depend on the entity (the enum table, the path's case) is settled here.
 */
export function compileFilter(node: FilterNode): (entity: unknown) => boolean {
  switch (node.kind) {
    case "or": {
      const items = node.items.map(compileFilter);
      return (entity) => items.some((test) => test(entity));
    }
    case "and": {
      const items = node.items.map(compileFilter);
      return (entity) => items.every((test) => test(entity));
    }
    case "predicate": {
      const { path, op, value } = node;
      const enumTable = ENUMS[path[path.length - 1]!.toLowerCase()];
      // `x eq null` also holds when the path leads nowhere (no value at all).
      const whenNone = value.type === "null" && op === "eq";
      const any = (values: unknown[]) => (values.length === 0 ? whenNone : values.some((a) => matchOne(a, op, value, enumTable)));
      if (path.length !== 1) return (entity) => any(valuesAt(entity, path));
      // One segment (most filters): the same values as valuesAt, without building its lists.
      const key = path[0]!;
      return (entity) => {
        if (entity === null || typeof entity !== "object") return whenNone;
        if (Array.isArray(entity)) return any(valuesAt(entity, path));
        const v = getKey(entity as Record<string, unknown>, key);
        return Array.isArray(v) ? any(v) : matchOne(v, op, value, enumTable);
      };
    }
  }
}

function predicates(node: FilterNode): Extract<FilterNode, { kind: "predicate" }>[] {
  return node.kind === "predicate" ? [node] : node.items.flatMap(predicates);
}

/** The first path segments a filter's predicates name, lower-case (what checkProperties judges). */
export function filterProperties(node: FilterNode): string[] {
  return predicates(node).map((p) => p.path[0]!.toLowerCase());
}

/**
 * QRS rejects filters on properties the entity type does not have. We know the type by its entities:
 * a first path segment that none of them has is an unknown property (only checked when there are entities).
 */
export function checkProperties(node: FilterNode, entities: readonly unknown[]): void {
  if (entities.length === 0) return;
  for (const p of predicates(node)) {
    const first = p.path[0]!.toLowerCase();
    const known = entities.some((e) => e !== null && typeof e === "object" && Object.keys(e).some((k) => k.toLowerCase() === first));
    if (!known) throw new FilterSyntaxError(`unknown property '${p.path.join(".")}'`);
  }
}
