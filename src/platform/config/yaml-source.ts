// Parses YAML keeping the document, so any config path can be traced back to line:column in the file.
import { isMap, isScalar, isSeq, LineCounter, type Document, type Node, type Pair } from "yaml";
import { AppError } from "../core/errors";
import { boundedCst, composeOne, type YamlBounds } from "./yaml-bounds";
import { duplicateKeyOffsets } from "./yaml-duplicate-keys";

export interface YamlSource {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  data: unknown;
}

/** No config file nests this deep or is this large; a document that does is refused before it is parsed. */
const DEFAULT_BOUNDS: YamlBounds = { maxDepth: 64, maxAliases: 100, maxNodes: 200_000, maxBytes: 16 * 1024 * 1024 };

export function parseYamlSource(text: string, file: string, bounds: YamlBounds = DEFAULT_BOUNDS): YamlSource {
  const lines = new LineCounter();
  // The bounds are checked on the parser's own tokens, which the composer then builds the document from.
  const read = boundedCst(text, bounds, lines.addNewLine);
  if ("problem" in read) {
    const { line, col } = lineAndColumn(text, read.problem.offset);
    const message = `${file}:${line}:${col} YAML refused before parsing: ${read.problem.message}`;
    throw new AppError("CONFIG_INVALID", message, { details: [message] });
  }
  // Duplicate keys are checked below in one pass: the parser's check is quadratic in a mapping's size.
  const doc = composeOne(read.tokens, text.length, { lineCounter: lines, uniqueKeys: false });
  const errors: YamlProblem[] = [
    ...doc.errors.map((e) => ({ at: e.pos[0], code: e.code as string, message: e.message.split("\n")[0]! })),
    ...(doc.errors.length === 0 ? duplicateKeyOffsets(doc).map((at) => ({ at, code: "DUPLICATE_KEY", message: "Map keys must be unique" })) : []),
  ];
  if (errors.length > 0) {
    const messages = syntaxMessages(text, file, errors, lines).slice(0, 20);
    throw new AppError("CONFIG_INVALID", messages.join("\n"), { details: messages });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: bounds.maxAliases ?? 100 }) ?? {};
  } catch (err) {
    // An alias to an anchor set later or nowhere, or aliases that expand too far: the parser throws, not reports.
    const message = `${file}: YAML: ${(err as Error).message}`;
    throw new AppError("CONFIG_INVALID", message, { details: [message], cause: err });
  }
  return { file, doc, lines, data };
}

/**
 * One message per mistake: the parser reports what a tab or a broken line made of the lines after it as well, so
 * only the first problem of a line is kept, and a duplicate key is named.
 */
interface YamlProblem {
  at: number;
  code: string;
  message: string;
}

function syntaxMessages(text: string, file: string, errors: YamlProblem[], lines: LineCounter): string[] {
  const seen = new Set<number>();
  const out: string[] = [];
  for (const e of errors) {
    const { line, col } = lines.linePos(e.at);
    if (seen.has(line)) continue;
    seen.add(line);
    let what = e.message;
    if (e.code === "DUPLICATE_KEY") {
      const rest = text.slice(e.at, e.at + 200).split("\n")[0]!;
      const key = (/^(.*?):(\s|$)/.exec(rest)?.[1] ?? rest).trim().replace(/^(["'])(.*)\1$/, "$2");
      what = `the key "${key}" appears twice in one mapping (the second one is here); keep one`;
    } else if (e.code === "TAB_AS_INDENT") what = "a tab is used for indentation; YAML needs spaces (replace the tab with spaces)";
    out.push(`${file}:${line}:${col} YAML syntax: ${what}`);
  }
  return out;
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
