// The configuration reference as data: one entry per key, read off the editor JSON Schema (configJsonSchema(),
// itself generated from the zod schema), so the reference, the editor schema and the validation never disagree.
import { DURATION_PATTERN } from "../../core/duration";

/** A JSON Schema node as z.toJSONSchema writes it (only what the reference reads). */
export interface SchemaNode {
  type?: string;
  description?: string;
  default?: unknown;
  examples?: unknown[];
  const?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
}

export interface ReferenceEntry {
  /** Dotted path; `*` stands for any name in a map (channels.*) or any item of a list (routes.*). */
  path: string;
  /** The top-level key the entry belongs to (its section in the page). */
  section: string;
  /** For a key of one member of a union on `type` (channels): that member, e.g. "email". */
  variant?: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  /** The schema node, for the example lookup and for listing sub-keys. */
  node: SchemaNode;
  /** Names of the keys directly below this one (objects), in schema order. */
  children: string[];
}

/** Every key of the config, depth first in schema order. */
export function referenceEntries(schema: SchemaNode): ReferenceEntry[] {
  const out: ReferenceEntry[] = [];
  for (const [key, node] of Object.entries(schema.properties ?? {})) {
    visit(out, { path: key, section: key, node, required: (schema.required ?? []).includes(key) });
  }
  return out;
}

interface Visit {
  path: string;
  section: string;
  node: SchemaNode;
  required: boolean;
  variant?: string;
}

function visit(out: ReferenceEntry[], v: Visit): void {
  const { node } = v;
  const entry: ReferenceEntry = {
    path: v.path,
    section: v.section,
    ...(v.variant !== undefined ? { variant: v.variant } : {}),
    type: describeType(node),
    required: v.required,
    ...(node.default !== undefined ? { default: node.default } : {}),
    ...(node.description !== undefined ? { description: node.description } : {}),
    node,
    children: Object.keys(node.properties ?? {}),
  };
  out.push(entry);
  descend(out, v, node);
}

/** The keys below a node: object properties, a map's values, a list's items, the members of a union on `type`. */
function descend(out: ReferenceEntry[], v: Visit, node: SchemaNode): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    visit(out, { path: `${v.path}.${key}`, section: v.section, node: child, required: (node.required ?? []).includes(key), ...variantOf(v) });
  }
  const inner = containedSchema(node);
  if (inner === undefined) return;
  const tagged = taggedMembers(inner);
  if (tagged) {
    // channels.*: the `type` key decides which other keys apply; each member's keys carry its name.
    out.push({
      path: `${v.path}.*.type`,
      section: v.section,
      type: `one of: ${tagged.map((m) => m.tag).join(", ")}`,
      required: true,
      description: inner.description ?? "Which kind of entry this is; it decides which other keys apply.",
      node: { enum: tagged.map((m) => m.tag) },
      children: [],
    });
    for (const m of tagged) {
      for (const [key, child] of Object.entries(m.node.properties ?? {})) {
        if (key === "type") continue;
        visit(out, { path: `${v.path}.*.${key}`, section: v.section, node: child, required: (m.node.required ?? []).includes(key), variant: m.tag });
      }
    }
    return;
  }
  // A list or map of objects (routes.*, security.apiKeys.*): their keys; a list of plain values has none.
  const objects = [inner, ...(inner.anyOf ?? [])].filter((n) => n.properties !== undefined);
  for (const o of objects) descend(out, { ...v, path: `${v.path}.*` }, o);
}

function variantOf(v: Visit): { variant?: string } {
  return v.variant !== undefined ? { variant: v.variant } : {};
}

/** The schema of a list's items or a map's values. */
function containedSchema(node: SchemaNode): SchemaNode | undefined {
  if (node.items) return node.items;
  if (node.additionalProperties && typeof node.additionalProperties === "object") return node.additionalProperties;
  return undefined;
}

/** Members of a oneOf whose objects each fix `type` to a constant (the channel union), or undefined. */
function taggedMembers(node: SchemaNode): Array<{ tag: string; node: SchemaNode }> | undefined {
  if (!node.oneOf) return undefined;
  const members = node.oneOf.map((m) => ({ tag: m.properties?.type?.const, node: m }));
  return members.every((m) => typeof m.tag === "string") ? (members as Array<{ tag: string; node: SchemaNode }>) : undefined;
}

/** A short type for people: "integer, 1–1000", "list of text", "duration", "one of: a, b". */
export function describeType(node: SchemaNode): string {
  if (node.anyOf) {
    const consts = node.anyOf.map((n) => n.const);
    if (consts.every((c) => c !== undefined)) return `one of: ${consts.map(String).join(", ")}`;
    return [...new Set(node.anyOf.map(describeMember))].join(", or ");
  }
  if (node.oneOf) {
    const tagged = taggedMembers(node);
    if (tagged) return `section (type: ${tagged.map((m) => m.tag).join(", ")})`;
    return [...new Set(node.oneOf.map(describeMember))].join(", or ");
  }
  if (node.const !== undefined) return `exactly ${String(node.const)}`;
  if (node.enum) return `one of: ${node.enum.map(String).join(", ")}`;
  switch (node.type) {
    case "string":
      return describeString(node);
    case "integer":
    case "number":
      return `${node.type === "integer" ? "integer" : "number"}${describeRange(node)}`;
    case "boolean":
      return "true or false";
    case "array": {
      const of = node.items ? describeType(node.items) : "anything";
      return `list of ${of.startsWith("one of") || of.includes(", or ") ? `(${of})` : of}${node.minItems ? `, at least ${node.minItems}` : ""}`;
    }
    case "object":
      if (node.properties) return "section";
      if (node.additionalProperties && typeof node.additionalProperties === "object") return `map of name → ${describeType(node.additionalProperties)}`;
      return "map";
    default:
      return "anything";
  }
}

/**
 * One form of a union as it is written: a constant as itself ("once", not "exactly once"), a section by its keys
 * ("{ nth }", "{ digest }"), so that members that are both sections stay apart.
 */
function describeMember(node: SchemaNode): string {
  if (node.const !== undefined) return String(node.const);
  if (node.type === "object" && node.properties) return `{ ${Object.keys(node.properties).join(", ")} }`;
  return describeType(node);
}

function describeString(node: SchemaNode): string {
  if (node.pattern === DURATION_PATTERN) return "duration (e.g. 500ms, 30s, 5m, 1h30m, 7d)";
  if (node.format === "uri") return "URL";
  if (node.format === "email") return "e-mail address";
  const parts: string[] = [];
  if (node.pattern) parts.push(`matching \`${node.pattern}\``);
  if (node.minLength !== undefined && node.minLength > 1) parts.push(`at least ${node.minLength} characters`);
  if (node.maxLength !== undefined) parts.push(`at most ${node.maxLength} characters`);
  return parts.length ? `text, ${parts.join(", ")}` : "text";
}

function describeRange(node: SchemaNode): string {
  const min = node.minimum ?? (node.exclusiveMinimum !== undefined ? `more than ${node.exclusiveMinimum}` : undefined);
  const max = node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
  if (typeof min === "number" && max !== undefined) return `, ${min}–${max}`;
  if (typeof min === "number") return `, at least ${min}`;
  if (typeof min === "string") return `, ${min}${max !== undefined ? `, at most ${max}` : ""}`;
  if (max !== undefined) return `, at most ${max}`;
  return "";
}
