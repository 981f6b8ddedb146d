// Turns zod issues into messages an administrator can act on: file:line:col, the YAML path, what was expected
// and what was found, and a "did you mean" for misspelt keys.
import type { z } from "zod";
import { didYouMean } from "./did-you-mean";
import { acceptedForms, listForms } from "./accepted-forms";
import { defOf, knownKeysAt, schemasAt, unwrap } from "./schema-walk";
import { formatPath, keyNodeAt, nodeAt, position, type YamlSource } from "./yaml-source";

export function formatConfigIssues(issues: z.core.$ZodIssue[], schema: z.ZodType, src: YamlSource, data: unknown): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = issue.path as PropertyKey[];
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, path, data);
      for (const key of issue.keys) {
        const node = keyNodeAt(src, path, key);
        const hint = didYouMean(key, known);
        const where = `${src.file}:${position(src, node ?? nodeAt(src, path).node)}`;
        // Butler's file given as is (its own --configfile flag works on `steward run`): the way on, not a typo.
        if (path.length === 0 && key === "Butler") {
          out.push(
            `${where} Butler: this is a Butler config file, not Steward's: convert it with steward config import-butler ${src.file} --out steward.yaml (docs/switching-from-butler.md)`,
          );
          continue;
        }
        out.push(`${where} ${formatPath([...path, key])}: unknown key${hint ? ` (did you mean "${hint}"?)` : ""}`);
      }
      continue;
    }
    const found = valueAt(data, path);
    const { node } = nodeAt(src, path);
    const message = issue.code === "invalid_union" ? describeUnionIssue(issue, found, schema, data) : describeIssue(issue, found);
    out.push(`${src.file}:${position(src, node)} ${formatPath(path)}: ${message}`);
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, found: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return found === undefined ? `required, expected ${issue.expected}` : `expected ${issue.expected}, got ${show(found)}`;
    case "invalid_value":
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}, got ${show(found)}`;
    default:
      return `${issue.message}${found !== undefined && typeof found !== "object" ? `, got ${show(found)}` : ""}`;
  }
}

/**
 * A value no member of a union takes: what the members accept, read off the schema at the issue's path. A value
 * that one member nearly takes gets that member's own issue from zod instead (routes[0].renotify.nth: Too small).
 */
function describeUnionIssue(issue: z.core.$ZodIssue, found: unknown, schema: z.ZodType, data: unknown): string {
  const { discriminator: d, note } = issue as { discriminator?: string; note?: string };
  const path = issue.path as PropertyKey[];
  if (d !== undefined || note === "No matching discriminator") {
    const key = d ?? "type";
    const tags = schemasAt(schema, path.slice(0, -1), undefined).flatMap((u) => discriminatorValues(u, key));
    return `unknown ${key} ${show(found)}${tags.length ? `, expected ${listForms(tags)}` : `; ${issue.message}`}`;
  }
  const forms = [...new Set(schemasAt(schema, path, valueAt(data, path.slice(0, -1))).flatMap((u) => acceptedForms(u) ?? []))];
  return `${forms.length ? `expected ${listForms(forms)}` : issue.message}, got ${show(found)}`;
}

function discriminatorValues(union: z.ZodType, key: string): string[] {
  const d = defOf(union);
  if (d.type !== "union") return [];
  return (d.options as z.ZodType[]).flatMap((o) => {
    const field = (defOf(unwrap(o)).shape as Record<string, z.ZodType> | undefined)?.[key];
    return field ? (acceptedForms(field) ?? []) : [];
  });
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let v = data;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p as string];
  }
  return v;
}
