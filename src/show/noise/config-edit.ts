// Writes a proposal into the text of a config file as text put in its place, so every comment, every space and every
// line the change does not touch stays as the administrator wrote it; and shows the change as a diff of lines.
import { Document, isMap, isPair, isScalar, isSeq, parseDocument, visit, type YAMLMap, type YAMLSeq } from "yaml";
import { AppError } from "../../platform/core/errors";
import type { ConfigEdit } from "./types";

/**
 * The file's text with the edit made, and nothing else changed: the new lines are inserted as text at the end of the
 * block they belong to, a flow collection (`windows: []`, `{ type: email }`) gets the new entry written into it in
 * its own style, and a value that is there is replaced where it stands (its comment stays). The file is never written
 * back through the YAML document, which would respace flow lists, realign comments and drop some. Throws CONFLICT
 * when the file's shape does not allow the change (a list where a map is), or when the change cannot be made without
 * touching other lines (then it names the fragment to add by hand).
 */
export function applyEdit(text: string, edit: ConfigEdit): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new AppError("CONFIG_INVALID", `the config file does not parse: ${doc.errors[0]!.message.split("\n")[0]}`);
  checkShape(doc, edit);
  if (edit.guard) {
    const at = doc.getIn(edit.guard.path, false);
    const js = at && typeof at === "object" && "toJSON" in at ? (at as { toJSON(): unknown }).toJSON() : at;
    if (JSON.stringify(js) !== JSON.stringify(edit.guard.value)) {
      throw new AppError(
        "CONFLICT",
        `the config file changed since Steward loaded it (${edit.guard.path.join(".")} is not ${JSON.stringify(edit.guard.value)}): reload it first`,
      );
    }
  }
  const spliced = splice(text, doc, edit);
  if (spliced !== undefined && sameValueAt(spliced, edit)) return spliced;
  throw new AppError(
    "CONFLICT",
    `${edit.path.join(".")} cannot be written into this file without changing other lines; make the change by hand: ${flowText(edit.value, false)}`,
  );
}

function checkShape(doc: Document, edit: ConfigEdit): void {
  const parent = edit.path.slice(0, -1);
  for (let i = 1; i <= parent.length; i++) {
    const at = doc.getIn(parent.slice(0, i), true);
    if (at === undefined || at === null) break;
    const wantsSeq = typeof edit.path[i] === "number";
    if (wantsSeq ? !isSeq(at) : !isMap(at)) {
      throw new AppError("CONFLICT", `${parent.slice(0, i).join(".")} is not a ${wantsSeq ? "list" : "map"} in the config file; make the change by hand`);
    }
  }
  const list = edit.op === "append" ? doc.getIn(edit.path, true) : undefined;
  if (list !== undefined && list !== null && !isSeq(list)) {
    throw new AppError("CONFLICT", `${edit.path.join(".")} is not a list in the config file; make the change by hand`);
  }
}

/** The file's line ending: a file saved on Windows (CRLF) gets CRLF lines. */
const eolOf = (text: string): string => (text.includes("\r\n") ? "\r\n" : "\n");

const columnOf = (text: string, pos: number) => pos - text.lastIndexOf("\n", pos - 1) - 1;

type Ranged = { range?: [number, number, number] | null };
const endOf = (n: unknown): number | undefined => (n as Ranged | null | undefined)?.range?.[1];

/** The text with `insert` put at `at`, or the range [at, to) replaced by it. */
const put = (text: string, at: number, insert: string, to = at) => `${text.slice(0, at)}${insert}${text.slice(to)}`;

/** The edit as text put into the file where it belongs; undefined where that would touch another line. */
function splice(text: string, doc: Document, edit: ConfigEdit): string | undefined {
  let depth = 0;
  let node: unknown = doc.contents;
  for (let i = 0; i < edit.path.length; i++) {
    const next = doc.getIn(edit.path.slice(0, i + 1), true);
    if (next === undefined || next === null) break;
    node = next;
    depth = i + 1;
  }
  if (depth === edit.path.length) {
    if (edit.op === "set") return replaceNode(text, node, edit.value);
    if (!isSeq(node) || !node.range) return undefined;
    if (node.flow) return intoFlow(text, node, flowText(edit.value, jsonStyle(node)));
    // A list whose entries are written on one line each ({ taskIds: [t-hr], failures: 3 }) gets one more such line.
    const last = node.items.at(-1) as unknown;
    const oneLine = (isMap(last) || isSeq(last)) && last.flow;
    const entry = oneLine ? `- ${flowText(edit.value, jsonStyle(last))}` : fragmentText([edit.value], [0], edit.value);
    return insertBlock(text, node as Ranged, columnOf(text, node.range[0]), entry);
  }
  if (typeof edit.path[depth] === "number") return undefined;
  const rest = edit.path.slice(depth) as string[];
  const value = edit.op === "append" ? [edit.value] : edit.value;
  const nested = rest.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
  if (node === null || node === undefined) {
    // An empty file (or only comments): the section goes at its end.
    const eol = eolOf(text);
    const frag = fragmentText(nested, edit.op === "append" ? [...rest, 0] : rest, edit.value).replace(/\n/g, eol);
    return `${text}${text.length && !text.endsWith("\n") ? eol : ""}${frag}`;
  }
  if (!isMap(node) || !node.range) return undefined;
  if (node.flow) {
    const json = jsonStyle(node);
    const inner = rest.slice(1).reduceRight<unknown>((v, key) => ({ [key]: v }), value);
    return intoFlow(text, node, `${json ? JSON.stringify(rest[0]) : flowText(rest[0], false)}: ${flowText(inner, json)}`);
  }
  const firstKey = node.items[0]?.key as Ranged | undefined;
  const indent = depth === 0 ? 0 : columnOf(text, firstKey?.range?.[0] ?? node.range[0]);
  return insertBlock(text, node as Ranged, indent, fragmentText(nested, edit.op === "append" ? [...rest, 0] : rest, edit.value));
}

/** The lines of a block fragment, indented, after the last line of the block `node`. */
function insertBlock(text: string, node: Ranged, indent: number, lines: string): string | undefined {
  const end = node.range?.[1];
  if (end === undefined) return undefined;
  const at = end > 0 && text[end - 1] === "\n" ? end : text.indexOf("\n", end) < 0 ? text.length : text.indexOf("\n", end) + 1;
  const before = text.slice(0, at);
  const pad = " ".repeat(indent);
  const eol = eolOf(text);
  const block = lines
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => pad + l)
    .join(eol);
  return `${before}${before.endsWith("\n") || before.length === 0 ? "" : eol}${block}${eol}${text.slice(at)}`;
}

/** One more entry in a flow list or map: after its last entry (the spacing before the bracket stays), or into `[]`. */
function intoFlow(text: string, node: YAMLSeq | YAMLMap, entry: string): string | undefined {
  const range = node.range;
  if (!range) return undefined;
  const last = node.items.at(-1) as unknown;
  if (last === undefined) {
    const open = text.indexOf(isSeq(node) ? "[" : "{", range[0]);
    const close = text.indexOf(isSeq(node) ? "]" : "}", open);
    if (open < 0 || close < 0 || close > range[1]) return undefined;
    return put(text, open + 1, ` ${entry} `, close);
  }
  const end = isPair(last) ? (endOf(last.value) ?? endOf(last.key)) : endOf(last);
  return end === undefined ? undefined : put(text, end, `, ${entry}`);
}

/** A value that is there, replaced where it stands: a scalar in its quoting, a flow collection by a flow one. */
function replaceNode(text: string, node: unknown, value: unknown): string | undefined {
  if (isScalar(node) && node.range && (typeof value !== "object" || value === null)) {
    const json = node.type === "QUOTE_DOUBLE";
    return keepCommentColumn(text, node.range[0], node.range[1], json ? JSON.stringify(value) : flowText(value, false));
  }
  if ((isMap(node) || isSeq(node)) && node.flow && node.range) {
    const close = text.lastIndexOf(isSeq(node) ? "]" : "}", node.range[1] - 1);
    if (close < node.range[0]) return undefined;
    return put(text, node.range[0], flowText(value, jsonStyle(node)), close + 1);
  }
  return undefined;
}

/**
 * `text` with [from, to) replaced by `value` where a comment after it on the line keeps its column (the spaces before
 * it grow or shrink, at least one stays), so comments aligned down the file stay aligned.
 */
function keepCommentColumn(text: string, from: number, to: number, value: string): string {
  const gap = /^[ \t]+(?=#)/.exec(text.slice(to))?.[0];
  if (gap === undefined || gap.includes("\t")) return put(text, from, value, to);
  const spaces = Math.max(1, gap.length + (to - from) - value.length);
  return put(text, from, value + " ".repeat(spaces), to + gap.length);
}

/** A flow collection written as JSON ({"name": "on-call"}): what is added to it is written as JSON too. */
function jsonStyle(node: YAMLSeq | YAMLMap): boolean {
  const first = node.items[0] as unknown;
  if (isPair(first)) return isScalar(first.key) && first.key.type === "QUOTE_DOUBLE";
  if (isMap(first) || isSeq(first)) return jsonStyle(first);
  return isScalar(first) && first.type === "QUOTE_DOUBLE";
}

/**
 * Strings a YAML 1.1 reader takes for something else are quoted: "02:00" (a base-60 number there), yes, no, on, off.
 * Steward reads YAML 1.2, but a person's editor, linter or another tool may not; quoted, every reader sees the text.
 */
export function quoteAmbiguous(doc: Document): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === "string" && AMBIGUOUS.test(node.value)) node.type = "QUOTE_DOUBLE";
    },
  });
}
const AMBIGUOUS = /^(?:[0-9]+(?::[0-9]+)+(?:\.[0-9]*)?|y|yes|n|no|on|off|true|false|null|~)$/i;

/** A value on one line: a flow collection or a scalar (JSON when the place is written as JSON). */
function flowText(value: unknown, json: boolean): string {
  if (json) return JSON.stringify(value);
  const doc = new Document(value);
  visit(doc, {
    Map(_key, node) {
      node.flow = true;
    },
    Seq(_key, node) {
      node.flow = true;
    },
  });
  quoteAmbiguous(doc);
  return doc.toString({ flowCollectionPadding: true, lineWidth: 0 }).trimEnd();
}

/** YAML for `value` (a map keyed down to the new value), the new value on one line when it is a small map. */
function fragmentText(value: unknown, leafPath: Array<string | number>, leaf: unknown): string {
  const frag = new Document(value);
  const node = frag.getIn(leafPath, true);
  if (isFlat(leaf) && (isMap(node) || isSeq(node))) node.flow = true;
  quoteAmbiguous(frag);
  return frag.toString({ flowCollectionPadding: true, lineWidth: 0 });
}

/** The spliced text parses and holds the value at the path. */
function sameValueAt(text: string, edit: ConfigEdit): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return false;
  const got = doc.getIn(edit.path, false);
  const js = got && typeof got === "object" && "toJSON" in got ? (got as { toJSON(): unknown }).toJSON() : got;
  const want = edit.op === "append" ? (Array.isArray(js) ? js.at(-1) : undefined) : js;
  return JSON.stringify(want) === JSON.stringify(edit.value);
}

/** A small map of scalars reads best on one line ({ failures: 2, within: 1d }). */
const isFlat = (v: unknown): boolean =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x !== "object" || x === null) && Object.keys(v).length <= 4;

/** The lines that differ, with two lines of context, marked - and + ("@@ line N" before each hunk). */
export function lineDiff(before: string, after: string, file = "config"): string {
  const a = before.split("\n");
  const b = after.split("\n");
  // The common prefix and suffix bound the change: a proposal touches one place of the file.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  if (start === endA && start === endB) return "";
  const from = Math.max(0, start - 2);
  const out = [`--- ${file}`, `+++ ${file} (proposed)`, `@@ line ${from + 1}`];
  for (let i = from; i < start; i++) out.push(`  ${a[i]}`);
  for (let i = start; i < endA; i++) out.push(`- ${a[i]}`);
  for (let i = start; i < endB; i++) out.push(`+ ${b[i]}`);
  for (let i = endA; i < Math.min(a.length, endA + 2); i++) out.push(`  ${a[i]}`);
  return out.join("\n");
}
