// Compiles Steward's templates once: the built-in set, replaced file by file from override folders
// (a channel's own folder first, then notify.templatesDir). Every problem is collected and reported at
// once, so a broken template is found by `steward config check`, not when the first alert fires.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { Eta } from "eta";
import { AppError, describeError } from "../../../platform/core/errors";
import { EMBEDDED_TEMPLATES } from "./embedded";
import { TEMPLATE_HELPERS_SOURCE } from "./helpers";
import { createOutputCheck, missingValueIn } from "./missing-value";
import { isHtml } from "./names";

export interface TemplateRenderer {
  has(name: string): boolean;
  /** Where a template came from: "built-in" or the override file. */
  origin(name: string): string;
  render(name: string, vars: object): string;
  /** Renders and parses a JSON template (Slack, Teams, webhook payloads). */
  renderJson(name: string, vars: object): unknown;
}

interface Source {
  text: string;
  origin: string;
}

/** Reads every *.eta file below `dir` as name → text ("email/task.failed.html"). */
export function readTemplateDir(dir: string): Map<string, Source> {
  const out = new Map<string, Source>();
  if (!existsSync(dir)) throw new AppError("CONFIG_INVALID", `template folder ${dir} does not exist`);
  const walk = (d: string, depth: number) => {
    if (depth > 4) return;
    for (const entry of readdirSync(d)) {
      const full = join(d, entry);
      if (statSync(full).isDirectory()) walk(full, depth + 1);
      else if (entry.endsWith(".eta")) {
        const name = relative(dir, full)
          .split(sep)
          .join("/")
          .replace(/\.eta$/, "");
        out.set(name, { text: readFileSync(full, "utf8"), origin: full });
      }
    }
  };
  walk(dir, 0);
  return out;
}

/**
 * An error in one line, for a message's note and a log: eta's "line N" and the thrown message (the template lines it
 * quotes in between are for the file's author, in the log and the check), else the error's first line.
 */
export function shortReason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const eta = /^(line \d+)\n[\s\S]*?\n\n([\s\S]+)$/.exec(text);
  const line = eta ? `${eta[1]}: ${eta[2]!.trim().split("\n")[0]}` : (text.trim().split("\n")[0] ?? "");
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/**
 * The built-in set alone, compiled once for the process: it cannot change while the process runs, and compiling its
 * 337 templates costs 6-7 ms of CPU, which `config check` paid for its check and again for its trial build, and a
 * Steward on every reload. A renderer holds no state once compiled, so one serves every caller.
 */
let builtInOnly: TemplateRenderer | undefined;

/** Builds the renderer; throws AppError CONFIG_INVALID listing every template that does not compile. */
export function createTemplateRenderer(overrideDirs: readonly string[] = []): TemplateRenderer {
  // Override folders are read afresh each time: their files may have changed since (a reload).
  if (overrideDirs.length === 0) return (builtInOnly ??= compileRenderer([]));
  return compileRenderer(overrideDirs);
}

function compileRenderer(overrideDirs: readonly string[]): TemplateRenderer {
  const sources = new Map<string, Source>();
  for (const [name, text] of Object.entries(EMBEDDED_TEMPLATES)) sources.set(name, { text, origin: "built-in" });
  const problems: string[] = [];
  // Lowest priority first, so the first folder given wins.
  for (const dir of [...overrideDirs].reverse()) {
    let found: Map<string, Source>;
    try {
      found = readTemplateDir(dir);
    } catch (err) {
      problems.push(describeError(err));
      continue;
    }
    for (const [name, src] of found) {
      const base = name.split("/").pop() ?? name;
      if (!sources.has(name) && !base.startsWith("_")) {
        problems.push(`${src.origin}: unknown template name "${name}" (overrides must use a built-in name, partials start with "_")`);
        continue;
      }
      sources.set(name, src);
    }
  }

  const check = createOutputCheck();
  const common = {
    functionHeader: TEMPLATE_HELPERS_SOURCE,
    debug: true,
    cache: true,
    autoTrim: false as const,
    plugins: [check.plugin],
    filterFunction: check.filter,
  };
  const html = new Eta({ ...common, autoEscape: true });
  const raw = new Eta({ ...common, autoEscape: false });
  const compiled = new Map<string, (data: object) => string>();
  for (const [name, src] of sources) {
    const eta = isHtml(name) ? html : raw;
    try {
      const fn = check.compiling(name, () => eta.compile(src.text), src.origin !== "built-in");
      eta.loadTemplate(`@${name}`, fn);
      compiled.set(name, (data) => eta.render(fn, data));
    } catch (err) {
      problems.push(`${src.origin === "built-in" ? `built-in template ${name}` : src.origin}: ${describeError(err).replace(/\s*\n\s*/g, " ")}`);
    }
  }
  if (problems.length) throw new AppError("CONFIG_INVALID", `template errors:\n${problems.join("\n")}`, { details: problems });

  const originOf = (name: string) => sources.get(name)?.origin ?? "(missing)";
  const render = (name: string, vars: object): string => {
    const fn = compiled.get(name);
    if (!fn) throw new AppError("INTERNAL", `no template named ${name}`);
    try {
      return fn(vars);
    } catch (err) {
      const missing = missingValueIn(err);
      if (missing) {
        // Named where the tag is: a partial's own file and line, not the template that included it.
        const { template, line, expression } = missing.site;
        const why = `line ${line}: ${missing.message}`;
        throw new AppError("CONFIG_INVALID", `template ${template} (${originOf(template)}) failed: ${why} (${missing.advice})`, {
          cause: err,
          details: { template, origin: originOf(template), why, expression: missing.key ?? expression },
        });
      }
      // eta's message carries the template line with a marker; keep it on one line for logs and lists.
      const why = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, " ").trim();
      throw new AppError("CONFIG_INVALID", `template ${name} (${originOf(name)}) failed: ${why}`, {
        cause: err,
        details: { template: name, origin: originOf(name), why: shortReason(err) },
      });
    }
  };
  return {
    has: (name) => compiled.has(name),
    origin: originOf,
    render,
    renderJson(name, vars) {
      const text = render(name, vars);
      try {
        return JSON.parse(text);
      } catch (err) {
        throw new AppError("CONFIG_INVALID", `template ${name} (${originOf(name)}) did not produce valid JSON: ${describeError(err)}`, {
          cause: err,
          details: { output: text.slice(0, 2000), template: name, origin: originOf(name), why: `not valid JSON: ${shortReason(err)}` },
        });
      }
    },
  };
}
