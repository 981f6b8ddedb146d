// Writes a proposal into the text of a config file through the YAML document, so every comment and every line the
// change does not touch stays as the administrator wrote it; and shows the change as a diff of lines.
import { Document, isMap, isSeq, parseDocument } from "yaml";
import { AppError } from "../../platform/core/errors";
import type { ConfigEdit } from "./types";

/**
 * The file's text with the edit made. The new lines are inserted as text at the end of the block they belong to, so
 * nothing else of the file changes (not even the spacing of its flow lists); a file where that is not possible (the
 * place is a flow collection, `windows: []`) is rewritten through the YAML document, which keeps the comments. Throws
 * CONFLICT when the file's shape does not allow the change (a list where a map is).
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
  return rewrite(doc, edit);
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

const columnOf = (text: string, pos: number) => pos - text.lastIndexOf("\n", pos - 1) - 1;

/** The new lines as text, inserted after the last line of the deepest block the path already has. */
function splice(text: string, doc: Document, edit: ConfigEdit): string | undefined {
  let depth = 0;
  let node: unknown = doc.contents;
  for (let i = 0; i < edit.path.length; i++) {
    const next = doc.getIn(edit.path.slice(0, i + 1), true);
    if (next === undefined || next === null) break;
    node = next;
    depth = i + 1;
  }
  let lines: string;
  let indent: number;
  if (depth === edit.path.length) {
    // Only appending to a block list that is there is a plain insertion; a value already set is replaced by rewrite().
    if (edit.op !== "append" || !isSeq(node) || node.flow || !node.range) return undefined;
    lines = fragmentText([edit.value], [0], edit.value);
    indent = columnOf(text, node.range[0]);
  } else {
    if (typeof edit.path[depth] === "number") return undefined;
    const rest = edit.path.slice(depth) as string[];
    const value = edit.op === "append" ? [edit.value] : edit.value;
    const leaf = edit.op === "append" ? [...rest, 0] : rest;
    lines = fragmentText(
      rest.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value),
      leaf,
      edit.value,
    );
    if (node === null || node === undefined) return `${text}${text.length && !text.endsWith("\n") ? "\n" : ""}${lines}`;
    if (!isMap(node) || node.flow || !node.range) return undefined;
    indent = depth === 0 ? 0 : columnOf(text, (node.items[0]?.key as { range?: [number] } | undefined)?.range?.[0] ?? node.range[0]);
  }
  const end = (node as { range: [number, number, number] }).range[1];
  const at = end > 0 && text[end - 1] === "\n" ? end : text.indexOf("\n", end) < 0 ? text.length : text.indexOf("\n", end) + 1;
  const before = text.slice(0, at);
  const pad = " ".repeat(indent);
  const block = lines
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => pad + l)
    .join("\n");
  return `${before}${before.endsWith("\n") || before.length === 0 ? "" : "\n"}${block}\n${text.slice(at)}`;
}

/** YAML for `value` (a map keyed down to the new value), the new value on one line when it is a small map. */
function fragmentText(value: unknown, leafPath: Array<string | number>, leaf: unknown): string {
  const frag = new Document(value);
  const node = frag.getIn(leafPath, true);
  if (isFlat(leaf) && (isMap(node) || isSeq(node))) node.flow = true;
  return frag.toString({ flowCollectionPadding: true });
}

/** The spliced text parses and holds the value at the path (else the document rewrite is used). */
function sameValueAt(text: string, edit: ConfigEdit): boolean {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return false;
  const got = doc.getIn(edit.path, false);
  const js = got && typeof got === "object" && "toJSON" in got ? (got as { toJSON(): unknown }).toJSON() : got;
  const want = edit.op === "append" ? (Array.isArray(js) ? js.at(-1) : undefined) : js;
  return JSON.stringify(want) === JSON.stringify(edit.value);
}

function rewrite(doc: Document, edit: ConfigEdit): string {
  // An empty file is a document without contents: start a map.
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  if (edit.op === "set") doc.setIn(edit.path, doc.createNode(edit.value, { flow: isFlat(edit.value) }));
  else {
    const list = doc.getIn(edit.path, true);
    if (isSeq(list)) list.add(doc.createNode(edit.value, { flow: isFlat(edit.value) }));
    else doc.setIn(edit.path, doc.createNode([edit.value]));
  }
  return doc.toString({ flowCollectionPadding: true });
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
