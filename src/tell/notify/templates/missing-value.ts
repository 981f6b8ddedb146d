// A template that prints a value the variables do not have would send "Task undefined failed". Every output tag
// (`<%= %>`, `<%~ %>`) is compiled to pass its value through a check that knows the tag's template, line and
// expression as written; an undefined or null value throws MissingValueError, so the alert goes out in its plain
// form and `config check` names the file, the line and the expression. A value built inside an expression
// (`it.a + it.b`) or passed through a helper is not looked into: the word "undefined" may be real data; the object of
// a whole-payload json({ … }) in an administrator's own template is (json-payload.ts).
import type { EtaConfig } from "eta";
import { firstUndefinedPath, jsonPayloadArgument } from "./json-payload";

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
    /** Inside a whole-payload json({ … }): the key whose value is missing ("task.app"). */
    readonly key?: string,
  ) {
    super(
      key === undefined
        ? `${site.expression} is ${value === null ? "null" : "undefined"}, nothing to print`
        : `${key} is undefined in the object given to json(…), which would leave it out`,
    );
    this.name = "MissingValueError";
  }

  /** How to mend the template, for its error message. */
  get advice(): string {
    return this.key === undefined
      ? `write ${this.site.expression} ?? "" where the value may be missing`
      : `give ${this.key} a value, or ?? null where it may be missing`;
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
  /**
   * The filter the rewritten tags call (eta's `filterFunction`, which it keeps as `__eta.f`); its `inside` looks into
   * the object a whole-payload json({ … }) is given (json-payload.ts).
   */
  filter: ((value: unknown, site?: number) => string) & { inside(value: unknown, site: number): unknown };
  /**
   * Compiles one template; its output tags are recorded under `template`. `lookInside`: a tag that is one json({ … })
   * call has the object's values checked too (an administrator's template, not a built-in one).
   */
  compiling<T>(template: string, compile: () => T, lookInside?: boolean): T;
}

export function createOutputCheck(): OutputCheck {
  const sites: OutputSite[] = [];
  let current = "";
  let lookingInside = false;
  const processAST = (ast: Ast): Ast =>
    ast.map((node) => {
      if (typeof node === "string" || (node.t !== "i" && node.t !== "r") || node.val.trim() === "") return node;
      const expression = node.val.trim();
      sites.push({ template: current, line: node.lineNo ?? 0, expression });
      const site = sites.length - 1;
      const payload = lookingInside ? jsonPayloadArgument(expression) : undefined;
      // The newline ends a `// comment` the expression may close with.
      if (payload !== undefined) return { ...node, val: `__eta.f(json(__eta.f.inside((${payload}\n), ${site})), ${site})` };
      return { ...node, val: `__eta.f((${node.val}\n), ${site})` };
    });
  const filter = (value: unknown, site?: number): string => {
    if ((value === undefined || value === null) && site !== undefined) throw new MissingValueError(sites[site]!, value);
    // eta adds the value to its output as it is (a string for an escaped tag once its escape has run).
    return value as string;
  };
  const inside = (value: unknown, site: number): unknown => {
    const key = firstUndefinedPath(value);
    if (key !== undefined) throw new MissingValueError(sites[site]!, undefined, key);
    return value;
  };
  return {
    plugin: { processAST },
    filter: Object.assign(filter, { inside }),
    compiling(template, compile, lookInside = false) {
      current = template;
      lookingInside = lookInside;
      try {
        return compile();
      } finally {
        current = "";
        lookingInside = false;
      }
    },
  };
}
