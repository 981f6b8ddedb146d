// Bounds checked on YAML text before the parser sees it: the parser builds a node per item and recurses per level,
// so a 1 MB body nested 500,000 deep cost seconds of CPU and gigabytes before its error. One linear pass over
// the text, allocating nothing per character, finds an upper bound of the nesting depth (block levels by
// indentation, compact "- - -" and "? " indicators, flow brackets), of the node count and of the aliases.
// Quoted scalars, comments and block scalars (| and >) are skipped, so brackets inside them do not count.

export interface YamlBounds {
  /** Deepest nesting allowed (block levels plus flow brackets). */
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

const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

/** The first bound the text passes, or undefined when it stays within all of them. */
export function yamlBoundsProblem(text: string, bounds: YamlBounds): YamlBoundsProblem | undefined {
  if (bounds.maxBytes !== undefined && text.length > bounds.maxBytes / 3) {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > bounds.maxBytes) return { message: `the document is ${bytes} bytes; at most ${bounds.maxBytes} are read`, offset: 0 };
  }
  const maxNodes = bounds.maxNodes ?? Number.POSITIVE_INFINITY;
  const maxAliases = bounds.maxAliases ?? Number.POSITIVE_INFINITY;
  const n = text.length;
  /** Indentations of the open block levels. */
  const indents: number[] = [];
  let flow = 0;
  let nodes = 0;
  let aliases = 0;
  /** Inside a quoted scalar that goes on past the end of a line: its quote character. */
  let quote = 0;
  /** Inside a block scalar: the indentation of the line that opened it (content lines are deeper). */
  let blockScalarParent = -1;
  let i = 0;
  while (i < n) {
    const lineStart = i;
    let indent = 0;
    while (i < n && text.charCodeAt(i) === SPACE) {
      indent++;
      i++;
    }
    const first = i < n ? text.charCodeAt(i) : LF;
    const empty = first === LF || first === CR || (first === 35 /* # */ && quote === 0);
    if (blockScalarParent >= 0) {
      if (empty || indent > blockScalarParent) {
        i = skipLine(text, i);
        continue;
      }
      blockScalarParent = -1;
    }
    if (empty && quote === 0) {
      i = skipLine(text, i);
      continue;
    }
    // Block structure: indentation opens and closes levels (outside flow collections and quoted scalars).
    let depth: number;
    let tokenStart = true;
    if (quote === 0 && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! > indent) indents.pop();
      if (indents.length === 0 || indents[indents.length - 1]! < indent) indents.push(indent);
      depth = indents.length;
      // Compact nesting on one line: "- - - x", "? ? x", "- : x".
      while (i < n) {
        const c = text.charCodeAt(i);
        const next = i + 1 < n ? text.charCodeAt(i + 1) : LF;
        if ((c === 45 /* - */ || c === 63 /* ? */ || c === 58) /* : */ && (isBlank(next) || next === LF || next === CR)) {
          depth++;
          nodes++;
          i++;
          while (i < n && isBlank(text.charCodeAt(i))) i++;
        } else break;
      }
    } else depth = indents.length + flow;
    let deepest = depth;
    let lastNonBlankAt = -1;
    /** Inside a plain (unquoted) scalar of block context, where brackets are characters. */
    let plain = false;
    nodes++;
    // The rest of the line: quotes, comments, flow brackets, mapping indicators, aliases.
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === LF) break;
      if (quote !== 0) {
        if (c === quote) {
          if (quote === 39 /* ' */ && i + 1 < n && text.charCodeAt(i + 1) === 39) i++;
          else quote = 0;
        } else if (c === 92 /* \ */ && quote === 34 /* " */) i++;
        tokenStart = false;
        continue;
      }
      if (isBlank(c) || c === CR) {
        tokenStart = true;
        continue;
      }
      if (plain && c !== 58 /* : */ && c !== 35 /* # */) {
        lastNonBlankAt = i;
        tokenStart = false;
        continue;
      }
      if (c === 35 /* # */ && tokenStart) {
        while (i < n && text.charCodeAt(i) !== LF) i++;
        break;
      }
      lastNonBlankAt = i;
      if ((c === 39 || c === 34) && tokenStart) {
        quote = c;
        tokenStart = false;
        continue;
      }
      // A flow collection opens only where a token starts (in a plain scalar a bracket is a character) or inside
      // another one; it closes only inside one.
      if ((c === 91 /* [ */ || c === 123) /* { */ && (tokenStart || flow > 0)) {
        flow++;
        nodes++;
        if (++depth > deepest) deepest = depth;
        tokenStart = true;
        continue;
      }
      if ((c === 93 /* ] */ || c === 125) /* } */ && flow > 0) {
        flow--;
        depth--;
        tokenStart = false;
        continue;
      }
      if (c === 44 /* , */ && flow > 0) {
        nodes++;
        tokenStart = true;
        continue;
      }
      if (c === 58 /* : */) {
        const next = i + 1 < n ? text.charCodeAt(i + 1) : LF;
        // ": " ends a plain key; a colon inside a plain scalar ("http://x") is a character.
        if (isBlank(next) || next === LF || next === CR || (flow > 0 && (next === 44 || next === 93 || next === 125))) {
          nodes++;
          plain = false;
          tokenStart = true;
        } else tokenStart = flow > 0;
        continue;
      }
      if (c === 42 /* * */ && tokenStart) aliases++;
      else if (tokenStart && flow === 0 && c !== 38 /* & */ && c !== 33 /* ! */ && c !== 124 /* | */ && c !== 62 /* > */) plain = true;
      tokenStart = false;
    }
    if (deepest > bounds.maxDepth) return { message: `nesting deeper than ${bounds.maxDepth} levels`, offset: lineStart };
    if (nodes > maxNodes) return { message: `more than ${bounds.maxNodes} YAML nodes`, offset: lineStart };
    if (aliases > maxAliases) return { message: `more than ${bounds.maxAliases} aliases (*name)`, offset: lineStart };
    // A block scalar indicator ends the line ("key: |", "- >-", "| # note"): the deeper lines after it are text.
    if (quote === 0 && flow === 0 && lastNonBlankAt >= 0) {
      let k = lastNonBlankAt;
      while (k > lineStart && /[-+0-9]/.test(text[k]!)) k--;
      const ch = text.charCodeAt(k);
      if ((ch === 124 /* | */ || ch === 62) /* > */ && (k === lineStart || isBlank(text.charCodeAt(k - 1)))) blockScalarParent = indent;
    }
    if (i < n) i++;
  }
  return undefined;
}

function skipLine(text: string, i: number): number {
  const nl = text.indexOf("\n", i);
  return nl < 0 ? text.length : nl + 1;
}
