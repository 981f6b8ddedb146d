// An example for each key of the reference: the value config/full.yaml gives that key (realistic values for a
// Qlik site), else the schema's own `examples`, else its default. Shown nested from the top of the file, so an
// administrator sees exactly where the key goes.
import { Document, isMap, isSeq, parse, visit } from "yaml";
import type { ReferenceEntry } from "./entries";

export interface Example {
  /** Concrete path to the key: a map's `*` becomes a name, a list's `*` an index. */
  at: Array<string | number>;
  value: unknown;
  /** Where the value came from. */
  source: "schema" | "full.yaml" | "default";
}

type Tree = unknown;

/** The example of one entry, or undefined when the schema, full.yaml and the default give none. */
export function exampleFor(entry: ReferenceEntry, fullYaml: Tree): Example | undefined {
  const found = findInTree(fullYaml, entry.path.split("."), entry.variant);
  const fromSchema = entry.node.examples?.[0];
  const at = found?.at ?? placeholderPath(entry, fullYaml);
  if (found) return { at: found.at, value: firstItemOfLongList(found.value), source: "full.yaml" };
  if (fromSchema !== undefined) return { at, value: fromSchema, source: "schema" };
  // A key every channel has (description, templates …), shown in full.yaml on a channel of another type.
  const shared = entry.variant !== undefined ? findInTree(fullYaml, entry.path.split("."), undefined) : undefined;
  if (shared) return { at, value: firstItemOfLongList(shared.value), source: "full.yaml" };
  if (entry.default !== undefined && !isEmptyObject(entry.default)) return { at, value: entry.default, source: "default" };
  return undefined;
}

/** Parses config/full.yaml as plain data (placeholders such as ${env:NAME} stay text: they are examples too). */
export function parseExampleSource(text: string): Tree {
  return parse(text);
}

/** The first occurrence of `path` in the tree (`*` = any map key or list item), honouring a channel variant. */
function findInTree(tree: Tree, path: string[], variant: string | undefined): { at: Array<string | number>; value: unknown } | undefined {
  const walk = (node: unknown, i: number, at: Array<string | number>): { at: Array<string | number>; value: unknown } | undefined => {
    if (i === path.length) return node === undefined ? undefined : { at, value: node };
    const seg = path[i]!;
    if (seg === "*") {
      const children: Array<[string | number, unknown]> = Array.isArray(node) ? node.map((v, k) => [k, v]) : isPlainObject(node) ? Object.entries(node) : [];
      for (const [k, v] of children) {
        // A channel of another type has other keys under the same names (url, timeout …): skip it.
        if (variant !== undefined && isPlainObject(v) && "type" in v && v.type !== variant) continue;
        const hit = walk(v, i + 1, [...at, k]);
        if (hit) return hit;
      }
      return undefined;
    }
    return isPlainObject(node) && seg in node ? walk(node[seg], i + 1, [...at, seg]) : undefined;
  };
  return walk(tree, 0, []);
}

/** A concrete path for an entry full.yaml does not show: map names from full.yaml where it has them, else `name`. */
function placeholderPath(entry: ReferenceEntry, tree: Tree): Array<string | number> {
  const at: Array<string | number> = [];
  let node: unknown = tree;
  for (const seg of entry.path.split(".")) {
    if (seg !== "*") {
      at.push(seg);
      node = isPlainObject(node) ? node[seg] : undefined;
      continue;
    }
    if (Array.isArray(node)) {
      at.push(0);
      node = node[0];
    } else {
      const names = isPlainObject(node) ? Object.keys(node) : [];
      // The channel's own type decides at the channel level; below it (measurements.*) any name will do.
      const typeOf = (n: string) => (node as Record<string, { type?: string }>)[n]?.type;
      const name = names.find((n) => entry.variant === undefined || typeOf(n) === undefined || typeOf(n) === entry.variant);
      at.push(name ?? "name");
      node = name !== undefined && isPlainObject(node) ? node[name] : undefined;
    }
  }
  return at;
}

/** A list of several objects shows its first one: enough to see the shape. */
function firstItemOfLongList(value: unknown): unknown {
  return Array.isArray(value) && value.length > 1 && value.every(isPlainObject) ? [value[0]] : value;
}

/** The example as YAML nested from the top of the file (with the channel's `type` for a channel's key). */
export function exampleYaml(entry: ReferenceEntry, example: Example): string {
  let value: unknown = example.value;
  const segs = example.at;
  for (let i = segs.length - 1; i >= 0; i--) {
    const seg = segs[i]!;
    if (typeof seg === "number") value = [value];
    else {
      const wrapped: Record<string, unknown> = {};
      // The channel's name is the map key just below `channels`; its type goes first.
      if (entry.variant !== undefined && i === 1 && !(isPlainObject(value) && "type" in value)) wrapped[seg] = { type: entry.variant, ...(value as object) };
      else wrapped[seg] = value;
      value = wrapped;
    }
  }
  const doc = new Document(value);
  // Short lists and maps of scalars on one line, as in the example configs.
  visit(doc, {
    Seq: (_k, n) => {
      if (n.items.every((it) => !isMap(it) && !isSeq(it))) n.flow = true;
    },
    Map: (_k, n) => {
      if (n.items.length <= 3 && n.items.every((p) => !isMap(p.value) && !isSeq(p.value)) && isInsideSeq(doc, n)) n.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false }).trimEnd();
}

function isInsideSeq(doc: Document, target: unknown): boolean {
  let inside = false;
  visit(doc, {
    Seq: (_k, n) => {
      if (n.items.includes(target as never)) inside = true;
    },
  });
  return inside;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** `{}` and `[]` say nothing an example should show. */
function isEmptyObject(v: unknown): boolean {
  return (isPlainObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
}
