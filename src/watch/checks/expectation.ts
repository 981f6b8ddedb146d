// The `expect:` language of a data check: a comparison (`> 0`, `>= Today() - 1`, `= 'EUR'`) or a range
// (`between 1e5 and 1e8`). Operands are arithmetic over numbers, `previous` (the value the check saw last time)
// and Qlik function calls, which the Engine evaluates in the same session as the check's expression.
import type { CheckValue } from "../../platform/events/types";

export type Term =
  | { kind: "number"; value: number }
  | { kind: "previous" }
  /** A Qlik function call (`Today()`, `Max(OrderDate)`), sent to the Engine as written. */
  | { kind: "engine"; text: string }
  | { kind: "neg"; arg: Term }
  | { kind: "bin"; op: "+" | "-" | "*" | "/"; left: Term; right: Term };

export type CompareOp = ">" | ">=" | "<" | "<=" | "=" | "!=";

export type Expectation =
  | { kind: "compare"; op: CompareOp; operand: Term }
  | { kind: "text"; op: "=" | "!="; text: string }
  | { kind: "between"; low: Term; high: Term };

export type ParseResult = { ok: true; expectation: Expectation } | { ok: false; error: string };

type Token =
  | { t: "op"; v: string; at: number }
  | { t: "num"; v: number; at: number }
  | { t: "str"; v: string; at: number }
  | { t: "word"; v: string; at: number }
  | { t: "call"; v: string; at: number }
  | { t: "end"; at: number };

/** Longer operators first, so ">=" is not read as ">" "=". */
const OPERATORS = [">=", "<=", "!=", "<>", "==", ">", "<", "=", "+", "-", "*", "/", "(", ")"];
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const WORD = /^[A-Za-z_][A-Za-z0-9_#$.]*/;
/** Words of the language itself; never a Qlik call even when a "(" follows. */
const KEYWORDS = new Set(["between", "and", "previous"]);
/** Long enough for any sensible expectation; a longer text is a mistake, not something to parse. */
const MAX_LENGTH = 2_000;

class ParseError extends Error {}

/** The end of a Qlik call starting at `open` (its "("): the matching ")", skipping quoted and bracketed text. */
function callEnd(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"' || ch === "[") {
      const close = ch === "[" ? "]" : ch;
      const end = text.indexOf(close, i + 1);
      if (end < 0) throw new ParseError(`unclosed ${ch} at position ${i + 1}`);
      i = end;
    } else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0) return i;
  }
  throw new ParseError(`missing ) for the ( at position ${open + 1}`);
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    if (/^\s/.test(rest)) {
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    const num = NUMBER.exec(rest);
    const word = WORD.exec(rest);
    if (num) {
      out.push({ t: "num", v: Number(num[0]), at: i });
      i += num[0].length;
    } else if (op) {
      out.push({ t: "op", v: op, at: i });
      i += op.length;
    } else if (rest[0] === "'") {
      // Qlik string literal: '' inside is one quote.
      let j = i + 1;
      let value = "";
      for (;;) {
        const q = text.indexOf("'", j);
        if (q < 0) throw new ParseError(`unclosed ' at position ${i + 1}`);
        value += text.slice(j, q);
        if (text[q + 1] === "'") {
          value += "'";
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      out.push({ t: "str", v: value, at: i });
      i = j;
    } else if (word) {
      let k = i + word[0].length;
      while (k < text.length && /\s/.test(text[k]!)) k++;
      if (text[k] === "(" && !KEYWORDS.has(word[0].toLowerCase())) {
        const end = callEnd(text, k);
        out.push({ t: "call", v: text.slice(i, end + 1), at: i });
        i = end + 1;
      } else {
        out.push({ t: "word", v: word[0], at: i });
        i += word[0].length;
      }
    } else {
      throw new ParseError(`unexpected ${JSON.stringify(rest[0])} at position ${i + 1}`);
    }
  }
  out.push({ t: "end", at: text.length });
  return out;
}

const COMPARE: Record<string, CompareOp> = { ">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "=", "==": "=", "!=": "!=", "<>": "!=" };

function describe(t: Token): string {
  switch (t.t) {
    case "end":
      return "the end";
    case "num":
      return String(t.v);
    case "str":
      return `'${t.v}'`;
    default:
      return JSON.stringify(t.v);
  }
}

/** Parses an `expect:` text. Errors say what was expected and where (1-based character position). */
export function parseExpectation(text: string): ParseResult {
  try {
    if (text.length > MAX_LENGTH) throw new ParseError(`longer than ${MAX_LENGTH} characters`);
    if (text.trim() === "") throw new ParseError('empty: write a comparison such as "> 0" or a range such as "between 1e5 and 1e8"');
    const tokens = tokenize(text);
    let pos = 0;
    const peek = () => tokens[pos]!;
    const next = () => tokens[pos++]!;
    const isWord = (t: Token, w: string) => t.t === "word" && t.v.toLowerCase() === w;
    const isOp = (t: Token, ...ops: string[]) => t.t === "op" && ops.includes(t.v);
    const fail = (what: string, t: Token = peek()): never => {
      throw new ParseError(`expected ${what} at position ${t.at + 1} (found ${describe(t)})`);
    };

    const primary = (): Term => {
      const t = next();
      if (t.t === "num") return { kind: "number", value: t.v };
      if (t.t === "call") return { kind: "engine", text: t.v };
      if (isWord(t, "previous")) return { kind: "previous" };
      if (t.t === "op" && t.v === "-") return { kind: "neg", arg: primary() };
      if (t.t === "op" && t.v === "(") {
        const inner = sum();
        if (!isOp(peek(), ")")) fail(")");
        pos++;
        return inner;
      }
      if (t.t === "word")
        throw new ParseError(`unknown name ${JSON.stringify(t.v)} at position ${t.at + 1}: use a number, previous, or a Qlik function call such as Today()`);
      if (t.t === "str") throw new ParseError(`a text ('${t.v}') can only be compared with = or !=, on its own`);
      return fail("a number, previous or a Qlik function call", t);
    };
    const product = (): Term => {
      let left = primary();
      while (isOp(peek(), "*", "/")) {
        const op = (next() as { v: "*" | "/" }).v;
        left = { kind: "bin", op, left, right: primary() };
      }
      return left;
    };
    const sum = (): Term => {
      let left = product();
      while (isOp(peek(), "+", "-")) {
        const op = (next() as { v: "+" | "-" }).v;
        left = { kind: "bin", op, left, right: product() };
      }
      return left;
    };

    let expectation: Expectation;
    const first = next();
    if (isWord(first, "between")) {
      const low = sum();
      if (!isWord(peek(), "and")) fail('"and"');
      pos++;
      const high = sum();
      if (low.kind === "number" && high.kind === "number" && low.value > high.value) {
        throw new ParseError(`between ${low.value} and ${high.value}: the lower bound is larger than the upper one`);
      }
      expectation = { kind: "between", low, high };
    } else if (first.t === "op" && COMPARE[first.v]) {
      const op = COMPARE[first.v]!;
      const t = peek();
      if (t.t === "str") {
        if (op !== "=" && op !== "!=") throw new ParseError(`a text ('${t.v}') can only be compared with = or !=, not ${first.v}`);
        pos++;
        expectation = { kind: "text", op, text: t.v };
      } else {
        expectation = { kind: "compare", op, operand: sum() };
      }
    } else {
      return fail('a comparison (>, >=, <, <=, =, !=) or "between"', first);
    }
    if (peek().t !== "end") fail("the end of the expectation");
    return { ok: true, expectation };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, error: err.message };
    throw err;
  }
}

function walk(t: Term, visit: (t: Term) => void): void {
  visit(t);
  if (t.kind === "neg") walk(t.arg, visit);
  if (t.kind === "bin") {
    walk(t.left, visit);
    walk(t.right, visit);
  }
}

function terms(e: Expectation): Term[] {
  return e.kind === "compare" ? [e.operand] : e.kind === "between" ? [e.low, e.high] : [];
}

/** The Qlik calls the Engine must evaluate for this expectation, each once. */
export function engineTerms(e: Expectation): string[] {
  const out = new Set<string>();
  for (const t of terms(e)) walk(t, (x) => x.kind === "engine" && out.add(x.text));
  return [...out];
}

export function usesPrevious(e: Expectation): boolean {
  let uses = false;
  for (const t of terms(e)) walk(t, (x) => (uses ||= x.kind === "previous"));
  return uses;
}

/** Numbers as people read them: float noise removed (0.1 + 0.2 → 0.3). */
export function formatNumber(n: number): string {
  return Number.isFinite(n) ? String(Number(n.toPrecision(12))) : String(n);
}

export interface ExpectationContext {
  previous: number | null;
  /** Engine values of the expectation's Qlik calls (engineTerms), by their text. */
  engine: ReadonlyMap<string, CheckValue>;
}

export type Verdict =
  | { status: "passed" | "failed"; resolved: string; note?: string }
  /** A term could not be worked out: an Engine call gave no number. */
  | { status: "error"; resolved: string; message: string };

class TermError extends Error {}

function compute(t: Term, ctx: ExpectationContext): number {
  switch (t.kind) {
    case "number":
      return t.value;
    case "previous":
      if (ctx.previous === null) throw new TermError("previous");
      return ctx.previous;
    case "engine": {
      const v = ctx.engine.get(t.text);
      if (v?.number === null || v?.number === undefined)
        throw new TermError(`the expectation's ${t.text} gave no number${v ? ` (the Engine answered ${JSON.stringify(v.text)})` : ""}`);
      return v.number;
    }
    case "neg":
      return -compute(t.arg, ctx);
    case "bin": {
      const a = compute(t.left, ctx);
      const b = compute(t.right, ctx);
      return t.op === "+" ? a + b : t.op === "-" ? a - b : t.op === "*" ? a * b : a / b;
    }
  }
}

const OP_TEXT: Record<CompareOp, string> = { ">": ">", ">=": ">=", "<": "<", "<=": "<=", "=": "=", "!=": "!=" };

function holds(op: CompareOp, a: number, b: number): boolean {
  switch (op) {
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case "=":
      return a === b;
    case "!=":
      return a !== b;
  }
}

/** Does `value` meet the expectation? A first evaluation of a `previous` expectation passes and sets the baseline. */
export function judge(e: Expectation, value: CheckValue, ctx: ExpectationContext): Verdict {
  if (e.kind === "text") {
    const ok = e.op === "=" ? value.text === e.text : value.text !== e.text;
    return { status: ok ? "passed" : "failed", resolved: `${e.op} '${e.text}'` };
  }
  let bounds: number[];
  try {
    bounds = terms(e).map((t) => compute(t, ctx));
  } catch (err) {
    if (!(err instanceof TermError)) throw err;
    if (err.message === "previous")
      return { status: "passed", resolved: "(no previous value yet)", note: "no previous value yet: this value is the baseline for the next reload" };
    return { status: "error", resolved: "", message: err.message };
  }
  const resolved =
    e.kind === "compare" ? `${OP_TEXT[e.op]} ${formatNumber(bounds[0]!)}` : `between ${formatNumber(bounds[0]!)} and ${formatNumber(bounds[1]!)}`;
  if (bounds.some((b) => Number.isNaN(b))) return { status: "error", resolved, message: "the expectation works out to no number (a division by zero?)" };
  if (value.number === null)
    return { status: "failed", resolved, note: `the value is not a number (${value.text === "" ? "empty" : JSON.stringify(value.text)})` };
  const ok =
    e.kind === "compare"
      ? holds(e.op, value.number, bounds[0]!)
      : value.number >= Math.min(bounds[0]!, bounds[1]!) && value.number <= Math.max(bounds[0]!, bounds[1]!);
  return { status: ok ? "passed" : "failed", resolved };
}
