// What resolving a fixture shares: the issues found so far (each with its path in the site file) and the look-ups
// by name that entities use to refer to tags, custom properties and each other.
import { stableGuid } from "../util/ids";
import type { CpDefinitionModel, CpValueModel } from "./model";

export interface SiteIssue {
  path: (string | number)[];
  message: string;
}

export interface Resolving {
  issues: SiteIssue[];
  tags: { id: string; name: string }[];
  cpDefs: CpDefinitionModel[];
}

export function issue(r: Resolving, path: (string | number)[], message: string): void {
  r.issues.push({ path, message });
}

/** Reports repeated keys (case-insensitive); items whose key is undefined are skipped. */
export function unique<T>(r: Resolving, items: T[], key: (t: T) => string | undefined, label: string, section: string, field: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const raw = key(item);
    if (raw === undefined) return;
    const prev = seen.get(raw.toLowerCase());
    if (prev !== undefined) issue(r, [section, i, field], `duplicate ${label} '${raw}' (also at ${section}[${prev}])`);
    else seen.set(raw.toLowerCase(), i);
  });
}

/** The item named exactly `name`, else the one named so ignoring case. */
export const findByName = <T extends { name: string }>(items: T[], name: string) =>
  items.find((i) => i.name === name) ?? items.find((i) => i.name.toLowerCase() === name.toLowerCase());

/**
 * The item whose id is `ref` (ignoring case), else `findByName(items, ref)`, from maps built once: a site of
 * thousands of tasks names an app or an upstream task for each, and a pass over all of them per reference made loading
 * the ×50 rich site take seconds. The first item wins each key, as `find` picks it.
 */
export function findByIdOrName<T extends { id: string; name: string }>(items: T[]): (ref: string) => T | undefined {
  const byId = new Map<string, T>();
  const byName = new Map<string, T>();
  const byLowerName = new Map<string, T>();
  for (const i of items) {
    if (!byId.has(i.id.toLowerCase())) byId.set(i.id.toLowerCase(), i);
    if (!byName.has(i.name)) byName.set(i.name, i);
    if (!byLowerName.has(i.name.toLowerCase())) byLowerName.set(i.name.toLowerCase(), i);
  }
  return (ref) => byId.get(ref.toLowerCase()) ?? byName.get(ref) ?? byLowerName.get(ref.toLowerCase());
}

export function tagIds(r: Resolving, names: string[], path: (string | number)[]): string[] {
  return names.flatMap((name, i) => {
    const tag = findByName(r.tags, name);
    if (!tag) issue(r, [...path, i], `unknown tag '${name}' (declare it under tags)`);
    return tag ? [tag.id] : [];
  });
}

/** An entity's custom property values, checked against the declared properties (name, object type, choices). */
export function cpValues(
  r: Resolving,
  values: Record<string, string | string[]>,
  objectType: string,
  owner: string,
  path: (string | number)[],
): CpValueModel[] {
  const out: CpValueModel[] = [];
  for (const [name, raw] of Object.entries(values)) {
    const def = findByName(r.cpDefs, name);
    if (!def) {
      issue(r, [...path, name], `unknown custom property '${name}' (declare it under customProperties)`);
      continue;
    }
    if (!def.objectTypes.includes(objectType)) {
      issue(r, [...path, name], `custom property '${name}' does not apply to ${objectType} (objectTypes: ${def.objectTypes.join(", ")})`);
    }
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (def.choiceValues.length > 0 && !def.choiceValues.includes(value)) {
        issue(r, [...path, name], `value '${value}' is not one of ${def.name}'s choiceValues (${def.choiceValues.join(", ")})`);
      }
      out.push({ id: stableGuid("cpvalue", `${owner}/${def.id}/${value}`), definitionId: def.id, value });
    }
  }
  return out;
}

/** Base date for entities without an explicit createdDate: spread a day apart so lists look natural. */
const BASE_MS = Date.UTC(2024, 1, 1, 8, 0, 0);
export const dayAfterBase = (i: number) => new Date(BASE_MS + i * 86_400_000).toISOString();
