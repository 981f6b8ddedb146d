// One rule for `config check` and `run` (and the Windows service): a config file's problems, every one of them in
// one pass, in the order of the file's lines: what cannot be read (YAML, placeholders, the schema) and what `run`
// would stop at on this host (certificate files, folders, the listen rule, templates; config-check.ts).
import { type CollectedConfig, type LoadedConfig, type LoadOptions, loadConfigFileCollecting } from "./steward-config";
import { AppError } from "../../platform/core/errors";
import { type CheckOptions, findConfigProblems, formatProblems } from "./config-check";

/** Every problem of the file, and the config as far as it could be read. */
export function collectConfigProblems(file: string, options: CheckOptions & LoadOptions = {}): CollectedConfig {
  const c = loadConfigFileCollecting(file, options);
  const found = c.loaded ? formatProblems(findConfigProblems(c.loaded, options), c.loaded.source, options.displayName ?? file) : [];
  return { ...(c.loaded ? { loaded: c.loaded } : {}), problems: byLine([...c.problems, ...found]) };
}

/** The config of a file with no problem at all; else CONFIG_INVALID listing every one (as `config check` does). */
export function loadCheckedConfig(file: string, options: CheckOptions & LoadOptions = {}): LoadedConfig {
  const c = collectConfigProblems(file, options);
  if (c.problems.length > 0 || !c.loaded) throw new AppError("CONFIG_INVALID", c.problems.join("\n"), { details: c.problems });
  return c.loaded;
}

const POSITION = /^.*?:(\d+):(\d+) /;

/** `file:line:col …` lines sorted by line and column; lines without a position first, each group in its order. */
function byLine(lines: string[]): string[] {
  const at = (l: string) => {
    const m = POSITION.exec(l);
    return m ? [Number(m[1]), Number(m[2])] : [0, 0];
  };
  return lines
    .map((l, i) => ({ l, i, p: at(l) }))
    .sort((a, b) => a.p[0]! - b.p[0]! || a.p[1]! - b.p[1]! || a.i - b.i)
    .map((x) => x.l);
}
