// Turns zod issues into messages an administrator can act on: file:line:col, the YAML path, what was expected
// and what was found, and a "did you mean" for misspelt keys.
import type { z } from "zod";
import { didYouMean } from "./did-you-mean";
import { knownKeysAt } from "./schema-walk";
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
    out.push(`${src.file}:${position(src, node)} ${formatPath(path)}: ${describeIssue(issue, found)}`);
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, found: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return found === undefined ? `required, expected ${issue.expected}` : `expected ${issue.expected}, got ${show(found)}`;
    case "invalid_value":
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}, got ${show(found)}`;
    case "invalid_union": {
      const { discriminator: d, note } = issue as { discriminator?: string; note?: string };
      if (d !== undefined || note === "No matching discriminator") return `unknown ${d ?? "type"} ${show(found)}; ${issue.message}`;
      return `${issue.message}, got ${show(found)}`;
    }
    default:
      return `${issue.message}${found !== undefined && typeof found !== "object" ? `, got ${show(found)}` : ""}`;
  }
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
