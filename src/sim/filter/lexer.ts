// Tokenizer for the QRS filter language: paths, operators, quoted strings ('' escapes), GUIDs, numbers, parens.

export type Token =
  | { kind: "lparen"; pos: number }
  | { kind: "rparen"; pos: number }
  | { kind: "word"; text: string; pos: number }
  | { kind: "string"; value: string; pos: number }
  | { kind: "guid"; value: string; pos: number }
  | { kind: "number"; value: number; text: string; pos: number };

export class FilterSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FilterSyntaxError";
  }
}

const GUID_AT = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/;
const NUMBER_AT = /^-?\d+(?:\.\d+)?(?![\w.-])/;
const WORD_AT = /^[A-Za-z_@][A-Za-z0-9_]*(?:\.[A-Za-z_@][A-Za-z0-9_]*)*(?![\w.])/;

export function tokenize(input: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "(") {
      out.push({ kind: "lparen", pos: i++ });
      continue;
    }
    if (ch === ")") {
      out.push({ kind: "rparen", pos: i++ });
      continue;
    }
    if (ch === "'") {
      const start = i;
      let value = "";
      i++;
      for (;;) {
        if (i >= input.length) throw new FilterSyntaxError(`unterminated string starting at position ${start}`);
        const c = input[i]!;
        if (c === "'") {
          if (input[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += c;
        i++;
      }
      out.push({ kind: "string", value, pos: start });
      continue;
    }
    const rest = input.slice(i);
    const guid = GUID_AT.exec(rest);
    if (guid) {
      out.push({ kind: "guid", value: guid[0], pos: i });
      i += guid[0].length;
      continue;
    }
    const num = NUMBER_AT.exec(rest);
    if (num) {
      out.push({ kind: "number", value: Number(num[0]), text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const word = WORD_AT.exec(rest);
    if (word) {
      out.push({ kind: "word", text: word[0], pos: i });
      i += word[0].length;
      continue;
    }
    throw new FilterSyntaxError(`unexpected character '${ch}' at position ${i}`);
  }
  return out;
}
