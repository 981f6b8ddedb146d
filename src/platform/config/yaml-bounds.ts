// Bounds checked on YAML text before the parser builds a document: composing makes a node per item and recurses per
// level, so a megabyte nested 500,000 deep cost seconds of CPU and a gigabyte before its error. The text goes through
// the parser's own lexer and CST parser (so document markers, directives, quotes, comments, block scalars and errors
// are read exactly as when it is parsed for real), and the check stops at the first token past a bound: its cost is
// that of the allowed prefix, whatever the text.
import { Composer, CST, type Document, Lexer, type LineCounter, Parser, YAMLParseError } from "yaml";

export interface YamlBounds {
  /** Deepest nesting allowed (collections inside collections, block or flow). */
  maxDepth: number;
  /** Most nodes (an upper bound: entries, keys, scalars); unbounded when unset. */
  maxNodes?: number;
  /** Most UTF-8 bytes; unbounded when unset. */
  maxBytes?: number;
  /** Most aliases (*name); each may expand to a whole subtree. */
  maxAliases?: number;
}

export interface YamlBoundsProblem {
  message: string;
  /** Offset in the text where the bound was passed. */
  offset: number;
}

/** Lexer tokens that mark something without being source text (they take no room in the text). */
const SYNTHETIC = new Set([CST.DOCUMENT, CST.SCALAR, CST.FLOW_END]);

/**
 * Tokens (comments, blank lines, indentation) allowed per node, with a floor: with maxNodes set, a body of a million
 * comment lines is refused too, not lexed and parsed in full.
 */
const TOKENS_PER_NODE = 4;
const MIN_TOKENS = 10_000;

/** Levels one CST token on the parser's stack makes: a flow collection two ("[a: b]" nests a mapping in it). */
const levelsOf = (type: string) => (type === "flow-collection" ? 2 : type === "block-map" || type === "block-seq" ? 1 : 0);

/**
 * The depth of what the composer builds, bounded from the CST parser's stack, which holds every collection open at
 * this token. A collection that finished is off the stack but may still be inside an open one (a flow sequence
 * becomes the key of a block mapping, "[a]: b"), so each position keeps the depth of what finished above it.
 */
function createDepthTracker(): (stack: readonly { type: string }[]) => number {
  let prev: Array<{ token: object; type: string }> = [];
  /** Per stack position: the deepest levels that finished above it (popped, or replaced by what holds them). */
  let below: number[] = [];
  let last = 0;
  return (stack) => {
    let same = 0;
    while (same < stack.length && same < prev.length && stack[same] === prev[same]!.token && stack[same]!.type === prev[same]!.type) same++;
    // Most tokens leave the stack as it was (a scalar, a comment, a line's indentation): the bound is the last one.
    if (same === stack.length && same === prev.length) return last;
    if (same < prev.length) {
      // What left the stack from `same` up: its deepest path, kept by the position that now holds it or its parent.
      let deepest = 0;
      let levels = 0;
      for (let i = same; i < prev.length; i++) {
        levels += levelsOf(prev[i]!.type);
        deepest = Math.max(deepest, levels + below[i]!);
      }
      const keeper = same < stack.length ? same : same - 1;
      below = below.slice(0, same);
      if (keeper >= 0) below[keeper] = Math.max(below[keeper] ?? 0, deepest);
    }
    prev = stack.map((t) => ({ token: t, type: t.type }));
    let levels = 0;
    let bound = 0;
    for (let i = 0; i < stack.length; i++) {
      below[i] ??= 0;
      levels += levelsOf(stack[i]!.type);
      bound = Math.max(bound, levels + below[i]!);
    }
    last = bound;
    return bound;
  };
}

/** What one token adds to the node and alias counts (an upper bound of the nodes it can make). */
function nodesOf(type: ReturnType<typeof CST.tokenType>, inFlow: boolean): { nodes: number; alias: boolean } {
  switch (type) {
    case "scalar":
    case "single-quoted-scalar":
    case "double-quoted-scalar":
    case "alias":
      // In a flow mapping "{a, b}" each key brings an empty value of its own.
      return { nodes: inFlow ? 2 : 1, alias: type === "alias" };
    case "seq-item-ind":
    case "explicit-key-ind":
    case "map-value-ind":
      // The collection it may open and the empty node it may hold.
      return { nodes: 2, alias: false };
    case "doc-mode":
    case "doc-start":
    case "flow-seq-start":
    case "flow-map-start":
    case "comma":
    case "anchor":
    case "tag":
    case "block-scalar-header":
      return { nodes: 1, alias: false };
    default:
      return { nodes: 0, alias: false };
  }
}

/** The first bound the text passes, or undefined when it stays within all of them. */
export function yamlBoundsProblem(text: string, bounds: YamlBounds): YamlBoundsProblem | undefined {
  const read = boundedCst(text, bounds);
  return "problem" in read ? read.problem : undefined;
}

/**
 * The text's CST tokens (documents, directives, errors), parsed once with every bound checked on the way, or the first
 * bound it passes: the composer builds the document from these tokens, so the text is not lexed and parsed again.
 * `onNewLine` is the parser's (a LineCounter's `addNewLine`), called as the text is read.
 */
export function boundedCst(text: string, bounds: YamlBounds, onNewLine?: (offset: number) => void): { problem: YamlBoundsProblem } | { tokens: CST.Token[] } {
  if (bounds.maxBytes !== undefined && text.length > bounds.maxBytes / 3) {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > bounds.maxBytes) return { problem: { message: `the document is ${bytes} bytes; at most ${bounds.maxBytes} are read`, offset: 0 } };
  }
  // The lexer alone first (a few times cheaper per token): sizes, and brackets open at once past any bound.
  const problem = lexicalProblem(text, bounds);
  return problem ? { problem } : structuralRead(text, bounds, onNewLine);
}

/** Nodes, aliases and tokens counted on the lexer's tokens; more flow brackets open at once than the depth allows. */
function lexicalProblem(text: string, bounds: YamlBounds): YamlBoundsProblem | undefined {
  const maxNodes = bounds.maxNodes ?? Number.POSITIVE_INFINITY;
  const maxAliases = bounds.maxAliases ?? Number.POSITIVE_INFINITY;
  const maxTokens = bounds.maxNodes === undefined ? Number.POSITIVE_INFINITY : Math.max(MIN_TOKENS, TOKENS_PER_NODE * bounds.maxNodes);
  let nodes = 0;
  let aliases = 0;
  let tokens = 0;
  let offset = 0;
  let flow = 0;
  /** The token after a scalar marker is the scalar's source (plain, quoted or a block scalar's lines): only text. */
  let scalarValue = false;
  for (const token of new Lexer().lex(text)) {
    const at = offset;
    if (!SYNTHETIC.has(token)) offset += token.length;
    if (++tokens > maxTokens) return { message: `more than ${maxTokens} YAML tokens (comments, lines, indentation)`, offset: at };
    if (scalarValue) {
      scalarValue = false;
      continue;
    }
    const type = CST.tokenType(token);
    if (type === "scalar") scalarValue = true;
    else if (type === "flow-seq-start" || type === "flow-map-start") flow++;
    else if (type === "flow-seq-end" || type === "flow-map-end") flow = Math.max(0, flow - 1);
    else if (type === "doc-mode" || type === "doc-start" || type === "doc-end") flow = 0;
    // Each open bracket is a collection inside the one before it: refusing here is never wrong, only sooner.
    if (flow > bounds.maxDepth) return { message: `nesting deeper than ${bounds.maxDepth} levels`, offset: at };
    const add = nodesOf(type, flow > 0);
    nodes += add.nodes;
    if (add.alias) aliases++;
    if (nodes > maxNodes) return { message: `more than ${bounds.maxNodes} YAML nodes`, offset: at };
    if (aliases > maxAliases) return { message: `more than ${bounds.maxAliases} aliases (*name)`, offset: at };
  }
  return undefined;
}

/** The depth bound on the CST parser's stack, token by token (the lexical pass bounded how many there are). */
function structuralRead(text: string, bounds: YamlBounds, onNewLine?: (offset: number) => void): { problem: YamlBoundsProblem } | { tokens: CST.Token[] } {
  // As Parser.parse does: the first line starts at 0.
  onNewLine?.(0);
  const parser = new Parser(onNewLine);
  const depth = createDepthTracker();
  const tokens: CST.Token[] = [];
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    const at = offset;
    if (!SYNTHETIC.has(token)) offset += token.length;
    // Finished documents come out as they end; only what is open stays on the stack.
    for (const t of parser.next(token)) tokens.push(t);
    // Every token: the parser may turn the top of its stack into a collection without growing it.
    if (depth(parser.stack) > bounds.maxDepth) return { problem: { message: `nesting deeper than ${bounds.maxDepth} levels`, offset: at } };
  }
  for (const t of parser.end()) tokens.push(t);
  return { tokens };
}

/**
 * One document from the CST (`boundedCst`'s tokens), as `parseDocument` composes it with `prettyErrors: false`: a
 * second document is an error, not read.
 */
export function composeOne(tokens: Iterable<CST.Token>, length: number, o: { lineCounter: LineCounter; uniqueKeys: boolean }): Document.Parsed {
  const composer = new Composer({ lineCounter: o.lineCounter, prettyErrors: false, uniqueKeys: o.uniqueKeys });
  let doc: Document.Parsed | undefined;
  for (const next of composer.compose(tokens, true, length)) {
    if (!doc) doc = next;
    else {
      doc.errors.push(
        new YAMLParseError([next.range[0], next.range[1]], "MULTIPLE_DOCS", "Source contains multiple documents; please use YAML.parseAllDocuments()"),
      );
      break;
    }
  }
  // compose(…, true) always ends with a document.
  return doc!;
}
