// Parses YAML keeping the document, so any config path can be traced back to line:column in the file.
import { parseDocument, isMap, isScalar, isSeq, LineCounter, type Document, type Node, type Pair } from "yaml";
import { AppError } from "../core/errors";
import { yamlBoundsProblem, type YamlBounds } from "./yaml-bounds";

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  data: unknown;
}

/** No config file nests this deep; a document that does is refused before it is parsed. */
const DEFAULT_BOUNDS: YamlBounds = { maxDepth: 64, maxAliases: 100 };

export function parseYamlSource(text: string, file: string, bounds: YamlBounds = DEFAULT_BOUNDS): YamlSource {
  const problem = yamlBoundsProblem(text, bounds);
  if (problem) {
    const { line, col } = lineAndColumn(text, problem.offset);
    const message = `${file}:${line}:${col} YAML refused before parsing: ${problem.message}`;
    throw new AppError("CONFIG_INVALID", message, { details: [message] });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const messages = doc.errors.map((e) => {
      const { line, col } = lines.linePos(e.pos[0]);
      return `${file}:${line}:${col} YAML syntax: ${e.message.split("\n")[0]}`;
    });
    throw new AppError("CONFIG_INVALID", messages.join("\n"), { details: messages });
  }
  const data = doc.toJS({ maxAliasCount: bounds.maxAliases ?? 100 }) ?? {};
  return { file, doc, lines, data };
}

function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

/** The YAML node at a path, or the closest existing ancestor (for keys that are missing). */
export function nodeAt(src: YamlSource, path: PropertyKey[]): { node: Node | Pair["key"] | undefined; exact: boolean } {
  let node: unknown = src.doc.contents;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    let next: unknown;
    if (isMap(node)) next = node.items.find((p) => keyText(p.key) === String(seg))?.value;
    else if (isSeq(node) && typeof seg === "number") next = node.items[seg];
    if (next === undefined || next === null) return { node: node as Node, exact: false };
    node = next;
  }
  return { node: node as Node, exact: true };
}

/** The key node of `key` inside the mapping at `path` (to point at an unknown key itself). */
export function keyNodeAt(src: YamlSource, path: PropertyKey[], key: string): Node | undefined {
  const { node, exact } = nodeAt(src, path);
  if (!exact || !isMap(node)) return undefined;
  const pair = node.items.find((p) => keyText(p.key) === key);
  return (pair?.key as Node | undefined) ?? undefined;
}

export function position(src: YamlSource, node: unknown): string {
  const range = (node as { range?: [number, number, number] } | undefined)?.range;
  if (!range) return "1:1";
  const { line, col } = src.lines.linePos(range[0]);
  return `${line}:${col}`;
}

/** Whether the scalar at a path was written with quotes (then substitution results stay strings). */
export function isQuotedScalar(src: YamlSource, path: PropertyKey[]): boolean {
  const { node, exact } = nodeAt(src, path);
  return (
    exact && isScalar(node) && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE" || node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED")
  );
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

export function formatPath(path: PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out === "" ? "(root)" : out;
}
