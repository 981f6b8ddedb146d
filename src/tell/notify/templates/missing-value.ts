// A template that prints a value the variables do not have would send "Task undefined failed". Every output tag
// (`<%= %>`, `<%~ %>`) is compiled to pass its value through a check that knows the tag's template, line and
// expression as written; an undefined or null value throws MissingValueError, so the alert goes out in its plain
// form and `config check` names the file, the line and the expression. A value built inside an expression
// (`it.a + it.b`) or passed through a helper is not looked into: the word "undefined" may be real data.
import type { EtaConfig } from "eta";

/** One output tag: where it is and what it prints. */
export interface OutputSite {
  template: string;
  line: number;
  expression: string;
}

export class MissingValueError extends Error {
  constructor(
    readonly site: OutputSite,
    readonly value: null | undefined,
  ) {
    super(`${site.expression} is ${value === null ? "null" : "undefined"}, nothing to print`);
    this.name = "MissingValueError";
  }
}

/** The MissingValueError behind an error (eta wraps it once per template it passes through, partials included). */
export function missingValueIn(err: unknown): MissingValueError | undefined {
  for (let e = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof MissingValueError) return e;
  return undefined;
}

type Plugin = EtaConfig["plugins"][number];
type Ast = ReturnType<NonNullable<Plugin["processAST"]>>;

export interface OutputCheck {
  /** The eta plugin that rewrites each output tag of the template being compiled. */
  plugin: Plugin;
  /** The filter the rewritten tags call (eta's `filterFunction`, which it keeps as `__eta.f`). */
  filter: (value: unknown, site?: number) => string;
  /** Compiles one template; its output tags are recorded under `template`. */
  compiling<T>(template: string, compile: () => T): T;
}

export function createOutputCheck(): OutputCheck {
  const sites: OutputSite[] = [];
  let current = "";
  const processAST = (ast: Ast): Ast =>
    ast.map((node) => {
      if (typeof node === "string" || (node.t !== "i" && node.t !== "r") || node.val.trim() === "") return node;
      sites.push({ template: current, line: node.lineNo ?? 0, expression: node.val.trim() });
      // The newline ends a `// comment` the expression may close with.
      return { ...node, val: `__eta.f((${node.val}\n), ${sites.length - 1})` };
    });
  return {
    plugin: { processAST },
    filter(value, site) {
      if ((value === undefined || value === null) && site !== undefined) throw new MissingValueError(sites[site]!, value);
      // eta adds the value to its output as it is (a string for an escaped tag once its escape has run).
      return value as string;
    },
    compiling(template, compile) {
      current = template;
      try {
        return compile();
      } finally {
        current = "";
      }
    },
  };
}
