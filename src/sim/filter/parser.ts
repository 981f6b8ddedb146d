// Recursive-descent parser for QRS filters: orExpr := andExpr {or andExpr}; andExpr := term {and term};
// term := "(" orExpr ")" | path op value.
import { FilterSyntaxError, tokenize, type Token } from "./lexer";

export const OPERATORS = ["eq", "ne", "gt", "ge", "lt", "le", "sw", "ew", "so"] as const;
export type Operator = (typeof OPERATORS)[number];

export type FilterValue =
  | { type: "string"; value: string }
  | { type: "guid"; value: string }
  | { type: "number"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "null" }
  /** A bare name such as an enum member (`ServiceType eq Engine`). */
  | { type: "name"; value: string };

export type FilterNode =
  | { kind: "or"; items: FilterNode[] }
  | { kind: "and"; items: FilterNode[] }
  | { kind: "predicate"; path: string[]; op: Operator; value: FilterValue };

const isOperator = (w: string): w is Operator => (OPERATORS as readonly string[]).includes(w);

function describe(t: Token | undefined): string {
  if (t === undefined) return "end of expression";
  switch (t.kind) {
    case "lparen":
      return "'('";
    case "rparen":
      return "')'";
    case "word":
      return `'${t.text}'`;
    case "string":
      return `string '${t.value}'`;
    case "guid":
      return `'${t.value}'`;
    case "number":
      return `'${t.text}'`;
  }
}

export function parseFilter(input: string): FilterNode {
  const tokens = tokenize(input);
  let i = 0;
  const peek = () => tokens[i];
  const fail = (expected: string): never => {
    const t = peek();
    const at = t === undefined ? "" : ` at position ${t.pos}`;
    throw new FilterSyntaxError(`expected ${expected} but found ${describe(t)}${at}`);
  };
  const isWord = (t: Token | undefined, w: string) => t?.kind === "word" && t.text.toLowerCase() === w;

  const parseOr = (): FilterNode => {
    const items = [parseAnd()];
    while (isWord(peek(), "or")) {
      i++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: "or", items };
  };

  const parseAnd = (): FilterNode => {
    const items = [parseTerm()];
    while (isWord(peek(), "and")) {
      i++;
      items.push(parseTerm());
    }
    return items.length === 1 ? items[0]! : { kind: "and", items };
  };

  const parseTerm = (): FilterNode => {
    const t = peek();
    if (t?.kind === "lparen") {
      i++;
      const inner = parseOr();
      if (peek()?.kind !== "rparen") fail("')'");
      i++;
      return inner;
    }
    if (t?.kind !== "word" || isWord(t, "and") || isWord(t, "or")) return fail("a property name");
    i++;
    const path = t.text.split(".");
    const opTok = peek();
    const op = opTok?.kind === "word" ? opTok.text.toLowerCase() : "";
    if (!isOperator(op)) return fail(`an operator (${OPERATORS.join(", ")}) after '${t.text}'`);
    i++;
    return { kind: "predicate", path, op, value: parseValue(op) };
  };

  const parseValue = (op: string): FilterValue => {
    const t = peek();
    if (t === undefined || t.kind === "lparen" || t.kind === "rparen") return fail(`a value after '${op}'`);
    i++;
    switch (t.kind) {
      case "string":
        return { type: "string", value: t.value };
      case "guid":
        return { type: "guid", value: t.value };
      case "number":
        return { type: "number", value: t.value };
      case "word": {
        const w = t.text.toLowerCase();
        if (w === "true" || w === "false") return { type: "bool", value: w === "true" };
        if (w === "null") return { type: "null" };
        if (w === "and" || w === "or" || t.text.includes(".")) {
          i--;
          return fail(`a value after '${op}'`);
        }
        return { type: "name", value: t.text };
      }
    }
  };

  if (tokens.length === 0) throw new FilterSyntaxError("the expression is empty");
  const tree = parseOr();
  if (i < tokens.length) fail("'and', 'or' or the end of the expression");
  return tree;
}
