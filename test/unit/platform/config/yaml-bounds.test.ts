// The bounds checked on YAML text before parsing: every way of nesting counts (indentation, compact "- - -", flow
// brackets, a sequence at its key's indentation), brackets in quotes, comments, plain scalars and block scalars do
// not, real files pass, and a hostile megabyte is refused after a short prefix. yaml-bounds-fuzz.test.ts checks the
// bound against what the parser builds over generated documents.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Lexer, Parser, parseDocument } from "yaml";
import { yamlBoundsProblem } from "../../../../src/platform/config/yaml-bounds";
import { parseYamlSource } from "../../../../src/platform/config/yaml-source";

const depth = (n: number) => ({ maxDepth: n });
const nested = {
  flow: (n: number) => `a: ${"[".repeat(n)}${"]".repeat(n)}\n`,
  flowMaps: (n: number) => `${"{a: ".repeat(n)}1${"}".repeat(n)}\n`,
  compact: (n: number) => `${"- ".repeat(n)}x\n`,
  indented: (n: number) => `${Array.from({ length: n }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")} x\n`,
  // A sequence may sit at its key's indentation: two levels per step of indentation.
  keySeq: (n: number) => `${Array.from({ length: n }, (_, i) => `${" ".repeat(2 * i)}- k${i}:`).join("\n")} x\n`,
  flowLines: (n: number) => `a:\n${Array.from({ length: n }, () => "  [").join("\n")}\n${"]".repeat(n)}\n`,
};

describe("YAML bounds", () => {
  test("every way of nesting is counted: within the bound passes, past it is refused with where", () => {
    for (const [name, make] of Object.entries(nested)) {
      // keySeq nests two levels per line (a sequence under each key): 10 lines are 20 levels, within 24.
      expect({ name, ok: yamlBoundsProblem(make(10), depth(24)) }).toEqual({ name, ok: undefined });
      const p = yamlBoundsProblem(make(40), depth(24));
      expect({ name, message: p?.message }).toEqual({ name, message: "nesting deeper than 24 levels" });
      // The bound is an upper bound of what the parser would build: the document really is at least that deep.
      expect(() => parseYamlSource(make(40), "t.yaml", { maxDepth: 1000 })).not.toThrow(/refused/);
    }
  });

  test("brackets and indicators inside quotes, comments, plain and block scalars do not count", () => {
    const text = [
      `name: "[[[[[[[[[[[[[[[[[[[[ {{{{{{{{{{{{"`,
      `other: '[[[[[[[[[[[[[[[[[[[[ it''s [[[['`,
      `# [[[[[[[[[[[[[[[[[[[[[[[[[[[[`,
      `plain: Reload [[[[[[[[[[[[[[[[[[[[[[`,
      `script: |`,
      `  - - - - - - - - - - - - - - - - - - - - - - -`,
      `  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`,
      `after: [a, [b, c]]`,
    ].join("\n");
    // The mapping and two flow sequences of the last line, a flow collection counted twice ("[a: b]" nests a mapping).
    expect(yamlBoundsProblem(text, depth(5))).toBeUndefined();
    expect(yamlBoundsProblem(text, depth(4))?.message).toBe("nesting deeper than 4 levels");
  });

  test("nodes, bytes and aliases are bounded too", () => {
    expect(yamlBoundsProblem(`[${"1,".repeat(5000)}1]`, { maxDepth: 8, maxNodes: 1000 })?.message).toBe("more than 1000 YAML nodes");
    expect(yamlBoundsProblem("- 1\n".repeat(2000), { maxDepth: 8, maxNodes: 1000 })?.message).toBe("more than 1000 YAML nodes");
    expect(yamlBoundsProblem("x: ".padEnd(5000, "y"), { maxDepth: 8, maxBytes: 4096 })?.message).toBe("the document is 5000 bytes; at most 4096 are read");
    const laughs = `a: &a [x, x]\nb: &b [*a, *a, *a]\nc: [${"*b, ".repeat(200)}*b]\n`;
    expect(yamlBoundsProblem(laughs, { maxDepth: 8, maxAliases: 100 })?.message).toBe("more than 100 aliases (*name)");
  });

  test("the example configs and a Butler schedule file pass the default bounds", () => {
    for (const f of ["full.yaml", "minimal.yaml", "demo.yaml", "sim-site.yaml"]) {
      const text = readFileSync(join(import.meta.dir, "../../../../config", f), "utf8");
      expect({ f, problem: yamlBoundsProblem(text, depth(64)) }).toEqual({ f, problem: undefined });
    }
    const butler = readFileSync(join(import.meta.dir, "../../../fixtures/butler/schedule.yaml"), "utf8");
    expect(yamlBoundsProblem(butler, { maxDepth: 16, maxNodes: 41_000 })).toBeUndefined();
  });

  test("the parser is not reached for a hostile megabyte; the refusal names line and column", () => {
    const bomb = `butlerSchedule:\n  - name: ${"[".repeat(500_000)}\n`;
    expect(() => parseYamlSource(bomb, "request body", { maxDepth: 16 })).toThrow(
      "request body:2:27 YAML refused before parsing: nesting deeper than 16 levels",
    );
  });

  test("a text within the bounds is parsed once: the document is composed from the tokens the depth bound was checked on", () => {
    const text = readFileSync(join(import.meta.dir, "../../../../config", "full.yaml"), "utf8");
    const lex = Lexer.prototype.lex;
    const next = Parser.prototype.next;
    let lexed = 0;
    let parsed = 0;
    Lexer.prototype.lex = function (this: Lexer, ...args: Parameters<Lexer["lex"]>) {
      lexed++;
      return lex.apply(this, args);
    };
    Parser.prototype.next = function (this: Parser, source: string) {
      parsed++;
      return next.call(this, source);
    };
    let src: ReturnType<typeof parseYamlSource>;
    try {
      src = parseYamlSource(text, "full.yaml");
    } finally {
      Lexer.prototype.lex = lex;
      Parser.prototype.next = next;
    }
    const tokens = [...new Lexer().lex(text)].length;
    // The lexer's quick pass over sizes, then one lexing fed to the one parser (three lexings and two parses before).
    expect({ lexed, parsed }).toEqual({ lexed: 2, parsed: tokens });
    // And the document is the one the library's own parse gives, with the same lines.
    const own = parseDocument(text, { uniqueKeys: false });
    expect(src.data).toEqual(own.toJS());
    expect(String(src.doc)).toBe(String(own));
    expect(src.lines.linePos(text.length - 1).line).toBe(text.slice(0, -1).split("\n").length);
  });
});
