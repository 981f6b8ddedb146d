// Walks a config schema along a YAML path: the object keys allowed there (to suggest corrections for unknown keys)
// and the schema found there (to say what a union accepts).
import type { z } from "zod";

export type Def = { type: string; [k: string]: unknown };
export const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;

export function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    if (["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"].includes(d.type)) s = d.innerType as z.ZodType;
    else if (d.type === "pipe") s = d.in as z.ZodType;
    else if (d.type === "lazy") s = (d.getter as () => z.ZodType)();
    else break;
  }
  return s;
}

/** Object schemas that could apply at `path` given the actual data (unions are narrowed by the data). */
function objectsAt(schema: z.ZodType, path: PropertyKey[], data: unknown): z.ZodType[] {
  const s = unwrap(schema);
  const d = defOf(s);
  if (d.type === "union") {
    return (d.options as z.ZodType[]).flatMap((o) => objectsAt(o, path, data)).filter((o) => matchesDiscriminator(o, data, path));
  }
  if (path.length === 0) return d.type === "object" ? [s] : [];
  const [head, ...rest] = path;
  const child = data !== null && typeof data === "object" ? (data as Record<PropertyKey, unknown>)[head as string] : undefined;
  if (d.type === "object") {
    const shape = d.shape as Record<string, z.ZodType>;
    const next = shape[String(head)];
    return next ? objectsAt(next, rest, child) : [];
  }
  if (d.type === "record") return objectsAt(d.valueType as z.ZodType, rest, child);
  if (d.type === "array") return objectsAt(d.element as z.ZodType, rest, child);
  return [];
}

function matchesDiscriminator(obj: z.ZodType, data: unknown, path: PropertyKey[]): boolean {
  if (path.length > 0) return true;
  const shape = (defOf(obj).shape ?? {}) as Record<string, z.ZodType>;
  if (data === null || typeof data !== "object") return true;
  for (const [k, v] of Object.entries(shape)) {
    const d = defOf(unwrap(v));
    if (d.type === "literal") {
      const values = d.values as unknown[];
      const actual = (data as Record<string, unknown>)[k];
      if (actual !== undefined && !values.includes(actual)) return false;
    }
  }
  return true;
}

export function knownKeysAt(schema: z.ZodType, path: PropertyKey[], root: unknown): string[] {
  const keys = new Set<string>();
  for (const o of objectsAt(schema, path, root)) for (const k of Object.keys(defOf(o).shape as object)) keys.add(k);
  return [...keys];
}

/** The schemas at `path`; a union on the way is narrowed to the members whose fixed keys (`type`) the data matches. */
export function schemasAt(schema: z.ZodType, path: PropertyKey[], data: unknown): z.ZodType[] {
  const s = unwrap(schema);
  if (path.length === 0) return [s];
  const d = defOf(s);
  if (d.type === "union") {
    return (d.options as z.ZodType[]).filter((o) => matchesDiscriminator(o, data, [])).flatMap((o) => schemasAt(o, path, data));
  }
  const [head, ...rest] = path;
  const child = data !== null && typeof data === "object" ? (data as Record<PropertyKey, unknown>)[head as string] : undefined;
  if (d.type === "object") {
    const next = (d.shape as Record<string, z.ZodType>)[String(head)];
    return next ? schemasAt(next, rest, child) : [];
  }
  if (d.type === "record") return schemasAt(d.valueType as z.ZodType, rest, child);
  if (d.type === "array") return schemasAt(d.element as z.ZodType, rest, child);
  return [];
}
