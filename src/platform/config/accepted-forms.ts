// What a union key accepts, said the way it is written in YAML ("once, every, { nth: N } or { digest: 1h }"),
// read off the zod schema: zod's own message for a value no member takes is only "Invalid input".
import { z } from "zod";
import { DURATION_PATTERN } from "../core/duration";
import { defOf, unwrap } from "./schema-walk";

/** The forms a schema takes, one per member of a union (nested unions flattened); undefined when one cannot be said. */
export function acceptedForms(schema: z.ZodType): string[] | undefined {
  const s = unwrap(schema);
  const d = defOf(s);
  if (d.type === "union") {
    const forms: string[] = [];
    for (const option of d.options as z.ZodType[]) {
      const f = acceptedForms(option);
      if (!f) return undefined;
      forms.push(...f);
    }
    return [...new Set(forms)];
  }
  return formOf(schema);
}

/** "a, b or c". */
export function listForms(forms: string[]): string {
  return forms.length < 2 ? (forms[0] ?? "") : `${forms.slice(0, -1).join(", ")} or ${forms.at(-1)}`;
}

function formOf(schema: z.ZodType): string[] | undefined {
  const s = unwrap(schema);
  const d = defOf(s);
  switch (d.type) {
    case "literal":
      return (d.values as unknown[]).map(yamlScalar);
    case "enum":
      return Object.values(d.entries as Record<string, unknown>).map(yamlScalar);
    case "boolean":
      return ["true", "false"];
    case "null":
      return ["null"];
    case "string":
      return [isDuration(schema) ? "a duration like 1h" : "text"];
    case "number":
      return [`a ${isInteger(s) ? "whole number" : "number"}${range(s)}`];
    case "array": {
      const of = acceptedForms(d.element as z.ZodType);
      return [of?.length === 1 ? `a list of ${of[0]!.replace(/^an? /, "")}` : "a list"];
    }
    case "object":
      return [objectForm(d.shape as Record<string, z.ZodType>)];
    case "record":
      return ["a mapping"];
    default:
      return undefined;
  }
}

/** `{ nth: N }`: the keys a mapping must have, each with a stand-in for its value; the optional keys by name. */
function objectForm(shape: Record<string, z.ZodType>): string {
  const keys = Object.entries(shape);
  const required = keys.filter(([, v]) => v._zod.optin !== "optional");
  if (required.length === 0) return `a mapping of ${listForms(keys.map(([k]) => k))}`;
  return `{ ${required.map(([k, v]) => `${k}: ${placeholder(v)}`).join(", ")} }`;
}

function placeholder(schema: z.ZodType): string {
  const s = unwrap(schema);
  const d = defOf(s);
  if (d.type === "number") return "N";
  if (d.type === "string") return isDuration(schema) ? "1h" : "text";
  if (d.type === "boolean") return "true";
  if (d.type === "literal" || d.type === "enum") return formOf(s)!.join("|");
  if (d.type === "array") return "[…]";
  return "{…}";
}

function yamlScalar(v: unknown): string {
  return typeof v === "string" && /^[A-Za-z0-9_.\-/]+$/.test(v) ? v : JSON.stringify(v);
}

/** A DurationSchema, also when described or defaulted: its pattern is kept as metadata on the way in. */
function isDuration(schema: z.ZodType): boolean {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; i < 20 && s; i++) {
    if ((z.globalRegistry.get(s) as { pattern?: string } | undefined)?.pattern === DURATION_PATTERN) return true;
    const d = defOf(s);
    s = (d.innerType ?? d.in ?? (d.type === "lazy" ? (d.getter as () => z.ZodType)() : undefined)) as z.ZodType | undefined;
  }
  return false;
}

type Check = { _zod: { def: { check: string; value?: number; inclusive?: boolean } } };

function isInteger(s: z.ZodType): boolean {
  return (s as unknown as { isInt: boolean }).isInt;
}

/** " 1–1000", " from 1", " above 0 and up to 5": the bounds a number's checks set (past the safe range they say nothing). */
function range(s: z.ZodType): string {
  let lo: { v: number; incl: boolean } | undefined;
  let hi: { v: number; incl: boolean } | undefined;
  for (const c of ((defOf(s).checks ?? []) as Check[]).map((k) => k._zod.def)) {
    if (c.value === undefined || Math.abs(c.value) >= Number.MAX_SAFE_INTEGER) continue;
    // A whole number above 0 is one from 1.
    const step = isInteger(s) && !c.inclusive ? 1 : 0;
    if (c.check === "greater_than") lo = { v: c.value + step, incl: !!c.inclusive || step > 0 };
    if (c.check === "less_than") hi = { v: c.value - step, incl: !!c.inclusive || step > 0 };
  }
  if (lo?.incl && hi?.incl) return ` ${lo.v}–${hi.v}`;
  const parts = [lo && `${lo.incl ? "from" : "above"} ${lo.v}`, hi && `${hi.incl ? "up to" : "below"} ${hi.v}`].filter(Boolean);
  return parts.length ? ` ${parts.join(" and ")}` : "";
}
