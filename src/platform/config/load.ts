// Loads a config file: YAML → placeholder substitution → zod validation, with every error naming the file,
// line:column and YAML path. Relative paths in the config are resolved against the config file's folder.
// It knows no feature: the schema is a parameter (createConfigReader), assembled by the composition root from the
// sections each feature owns (src/composition/config-schema.ts).
import { applyEnvOverrides } from "./env-overrides";
import { dirname, resolve } from "node:path";
import { AppError } from "../core/errors";
import { createSecretRegistry, type SecretRegistry } from "../core/redaction";
import { envFileFor, readEnvFile } from "./env-file";
import type { z } from "zod";
import { configJsonSchema } from "./json-schema";
import { formatConfigIssues } from "./format-issues";
import { readUserTextFile } from "./read-text";
import { substitutePlaceholders } from "./substitute";
import { parseYamlSource, type YamlSource } from "./yaml-source";

/** What every config has: where the store lives (resolved against the file's folder). */
export interface ConfigShape {
  dataDir: string;
}

/** Builds the schema afresh for one parse (see parseWith for why it is not kept). */
export type ConfigSchemaFactory<C extends ConfigShape> = () => z.ZodType<C>;

export interface LoadedConfig<C extends ConfigShape = ConfigShape> {
  config: C;
  /** Absolute path of the file, or undefined for the built-in empty config. */
  file?: string;
  /** Folder relative paths are resolved against. */
  baseDir: string;
  secrets: SecretRegistry;
  /** The parsed YAML, to point at a key's line in later checks (`config check`). */
  source?: YamlSource;
}

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  secrets?: SecretRegistry;
  /** Name used in messages; defaults to the path as given. */
  displayName?: string;
  /** Said about the secrets file when a variable is missing ("nor in /etc/steward/steward.env"). */
  envFileNote?: string;
  /** STEWARD_<SECTION>__<KEY> variables override settings (default); false reads the file alone. */
  envOverrides?: boolean;
  /** The secrets file next to the config and the variables that came from it (named in refusals). */
  envFileVars?: { file: string; names: ReadonlySet<string> };
}

/** The file's text and what loading it takes from beside it (the `<name>.env` secrets file). */
function prepareFile(file: string, options: LoadOptions): { text: string; baseDir: string; options: LoadOptions } {
  let text: string;
  try {
    text = readUserTextFile(file); // a config saved by a Windows tool may be UTF-16 or carry a BOM
  } catch (err) {
    throw new AppError("CONFIG_INVALID", `cannot read config file ${file}: ${(err as Error).message}`, { cause: err });
  }
  const baseDir = dirname(resolve(file));
  // `<name>.env` next to the config supplies ${env:…} values the environment lacks (a Windows service has no
  // other place for them; systemd reads the same file through EnvironmentFile=).
  const envFile = options.env ? undefined : readEnvFile(resolve(file));
  const env = envFile ? { ...envFile.vars, ...process.env } : options.env;
  const envFileNote = options.env
    ? undefined
    : envFile
      ? envFile.unreadable
        ? `${envFile.file} exists, but this user may not read it`
        : `nor in ${envFile.file}`
      : // Where the install pages say secrets go, for the admin who has not made the file yet.
        `nor is there a secrets file ${envFileFor(resolve(file))}, where secrets go: one NAME=value per line`;
  // Variables the environment also sets come from there (it wins over the file).
  const envFileVars = envFile ? { file: envFile.file, names: new Set(Object.keys(envFile.vars).filter((k) => process.env[k] === undefined)) } : undefined;
  return { text, baseDir, options: { ...options, env, envFileNote, ...(envFileVars ? { envFileVars } : {}) } };
}

/** Reading config files with one schema: what `run`, `config check`, the reloader and the demo use. */
export interface ConfigReader<C extends ConfigShape> {
  /** A file's config, or CONFIG_INVALID naming each problem's file line and key. */
  loadConfigFile(file: string, options?: LoadOptions): LoadedConfig<C>;
  /** Every problem of a file in one pass, and the config as far as it could be read around them. */
  loadConfigFileCollecting(file: string, options?: LoadOptions): CollectedConfig<C>;
  parseConfigText(text: string, displayName: string, baseDir: string, options?: LoadOptions): LoadedConfig<C>;
  /** The built-in default: what an empty file means. */
  defaultConfig(baseDir?: string): LoadedConfig<C>;
  /** The editor JSON Schema of the file (`config schema`, the reference, STEWARD_… overrides). */
  configJsonSchema(): Record<string, unknown>;
  /**
   * The same reader, building the schema once and keeping it for every parse: for a batch of many small configs (the
   * reference's examples), where building it per parse costs most of each parse. Not for a running Steward, which
   * parses once per start or reload and should not hold the schema between (see parseWith).
   */
  keepingSchema(): ConfigReader<C>;
  /** The top-level setting names (what STEWARD_<NAME> may set without a section). */
  topLevelKeys(): readonly string[];
}

export function createConfigReader<C extends ConfigShape>(schema: ConfigSchemaFactory<C>): ConfigReader<C> {
  let topLevel: string[] | undefined;
  // The top-level names are a few strings, kept: read from the schema a parse built, they cost no schema of their own
  // (before, the first STEWARD_… variable that is no setting, and `run`'s check of the unused ones, built a second
  // whole config schema).
  const parts: SchemaParts<C> = {
    schema,
    topLevel: (built) => (topLevel ??= Object.keys(((built ?? schema()) as unknown as { shape?: Record<string, unknown> }).shape ?? {})),
  };
  const reader: ConfigReader<C> = {
    loadConfigFile: (file, options = {}) => {
      const p = prepareFile(file, options);
      return { ...reader.parseConfigText(p.text, options.displayName ?? file, p.baseDir, p.options), file: resolve(file) };
    },
    loadConfigFileCollecting: (file, options = {}) => collectFile(parts, file, options),
    parseConfigText: (text, displayName, baseDir, options = {}) => parseWith(parts, text, displayName, baseDir, options),
    defaultConfig: (baseDir = process.cwd()) => parseWith(parts, "", "(defaults)", baseDir, {}),
    configJsonSchema: () => configJsonSchema(schema()),
    topLevelKeys: () => parts.topLevel(),
    keepingSchema: () => {
      let kept: ReturnType<ConfigSchemaFactory<C>> | undefined;
      return createConfigReader(() => (kept ??= schema()));
    },
  };
  return reader;
}

interface SchemaParts<C extends ConfigShape> {
  schema: ConfigSchemaFactory<C>;
  /** The top-level setting names, from `built` (the parse's schema) the first time they are asked for. */
  topLevel(built?: ReturnType<ConfigSchemaFactory<C>>): readonly string[];
}

/** A config file's problems, all of them, and the config as far as it could be read around them. */
export interface CollectedConfig<C extends ConfigShape = ConfigShape> {
  /** Undefined when the file could not be read around its problems (not YAML, a list at the root…). */
  loaded?: LoadedConfig<C>;
  /** `file:line:col key: message` lines. */
  problems: string[];
}

/** Rounds of setting problem values aside to read the rest of the file (each round may uncover a check that needs the rest). */
const RECOVERY_ROUNDS = 6;

/**
 * Like loadConfigFile, but collects every problem instead of stopping at the first kind: placeholders that cannot be
 * substituted and values the schema refuses are reported, then set aside (the key left out, its default used) so the
 * rest of the file is still read, and the checks that need a whole config (certificates, folders…) can run on it.
 */
function collectFile<C extends ConfigShape>(parts: SchemaParts<C>, file: string, options: LoadOptions): CollectedConfig<C> {
  let p: ReturnType<typeof prepareFile>;
  try {
    p = prepareFile(file, options);
  } catch (err) {
    return { problems: [(err as Error).message] };
  }
  const displayName = options.displayName ?? file;
  const secrets = p.options.secrets ?? createSecretRegistry();
  let src: YamlSource;
  try {
    src = parseYamlSource(p.text, displayName);
  } catch (err) {
    const details = err instanceof AppError ? err.details : undefined;
    return { problems: Array.isArray(details) ? details.map(String) : [(err as Error).message] };
  }
  if (src.data === null || typeof src.data !== "object" || Array.isArray(src.data))
    return { problems: [`${displayName}:1:1 (root): expected a mapping of config keys, got ${Array.isArray(src.data) ? "a list" : JSON.stringify(src.data)}`] };
  const collect = { problems: [] as string[], paths: [] as PropertyKey[][] };
  const data = substitutePlaceholders(src, {
    env: p.options.env ?? process.env,
    baseDir: p.baseDir,
    secrets,
    envFileNote: p.options.envFileNote,
    collect,
  }) as Record<string, unknown>;
  const problems = [...collect.problems];
  const setAside: PropertyKey[][] = [];
  const touched = (path: PropertyKey[]) => [...collect.paths, ...setAside].some((q) => startsWith(path, q) || startsWith(q, path));
  for (const path of collect.paths) setAside.push(setAsidePath(data, path));
  // One schema for the parse, the variables' JSON Schema and the top-level names (see parseWith).
  const schema = parts.schema();
  parts.topLevel(schema);
  let overrides: ReturnType<typeof applyEnvOverrides> = [];
  try {
    if (p.options.envOverrides !== false)
      overrides = applyEnvOverrides(
        data,
        p.options.env ?? process.env,
        () => configJsonSchema(schema),
        secrets,
        p.options.envFileVars,
        () => parts.topLevel(schema),
      );
  } catch (err) {
    problems.push((err as Error).message);
  }
  const setBy = (m: string) => {
    const from = overrides.find((o) => m.includes(` ${o.path}:`) || m.includes(` ${o.path}.`));
    return from ? `${m} (set by ${from.variable})` : m;
  };
  for (let round = 0; round < RECOVERY_ROUNDS; round++) {
    const parsed = schema.safeParse(data, { jitless: true });
    if (parsed.success) {
      const config = parsed.data;
      config.dataDir = resolve(p.baseDir, config.dataDir);
      return { loaded: { config, baseDir: p.baseDir, secrets, source: src, file: resolve(file) }, problems };
    }
    // Names of entries set aside (a channel whose URL is an unset variable): a route naming one is a consequence.
    const asideNames = new Set(setAside.filter((x) => x.length > 1).map((x) => x.at(-1)));
    for (const issue of parsed.error.issues) {
      const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...(issue.path as PropertyKey[]), k]) : [issue.path as PropertyKey[]];
      const consequence = round > 0 && paths.some((x) => asideNames.has(valueAt(data, x) as PropertyKey));
      // An issue where a problem was already reported (or a value set aside) follows from it: said once.
      if (!consequence && !paths.some((x) => touched(x))) problems.push(...formatConfigIssues([issue], schema, src, data).map(setBy));
      for (const x of paths) setAside.push(setAsidePath(data, x, setAside));
    }
  }
  return { problems };
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let o = data;
  for (const k of path) o = o && typeof o === "object" ? (o as Record<PropertyKey, unknown>)[k] : undefined;
  return o;
}

const startsWith = (path: readonly PropertyKey[], prefix: readonly PropertyKey[]) => prefix.length <= path.length && prefix.every((k, i) => path[i] === k);

/**
 * Leaves a refused value out of `data` so the rest can be read: the deepest key on the way to it that names a
 * mapping's key, not a list item (removing an item would move the ones after it; a key inside an item moves
 * nothing, so one bad route leaves the other routes to be checked), or, when that was already set aside, the
 * mapping key above it (the whole list when nothing short of an item is left). Returns the path removed.
 */
function setAsidePath(data: Record<string, unknown>, path: readonly PropertyKey[], done: readonly PropertyKey[][] = []): PropertyKey[] {
  const isKey = (k: PropertyKey) => typeof k !== "number";
  const trimToKey = (p: PropertyKey[]) => {
    while (p.length > 0 && !isKey(p.at(-1)!)) p = p.slice(0, -1);
    return p;
  };
  let cut = trimToKey([...path]);
  while (cut.length > 1 && done.some((d) => startsWith(cut, d) && d.length === cut.length)) cut = trimToKey(cut.slice(0, -1));
  if (cut.length === 0) return cut;
  let o: unknown = data;
  for (const k of cut.slice(0, -1)) o = o && typeof o === "object" ? (o as Record<PropertyKey, unknown>)[k] : undefined;
  if (o && typeof o === "object") delete (o as Record<PropertyKey, unknown>)[cut.at(-1)!];
  return cut;
}

function parseWith<C extends ConfigShape>(parts: SchemaParts<C>, text: string, displayName: string, baseDir: string, options: LoadOptions): LoadedConfig<C> {
  const secrets = options.secrets ?? createSecretRegistry();
  const src = parseYamlSource(text, displayName);
  if (src.data === null || typeof src.data !== "object" || Array.isArray(src.data)) {
    const msg = `${displayName}:1:1 (root): expected a mapping of config keys, got ${Array.isArray(src.data) ? "a list" : JSON.stringify(src.data)}`;
    throw new AppError("CONFIG_INVALID", msg, { details: [msg] });
  }
  const data = substitutePlaceholders(src, { env: options.env ?? process.env, baseDir, secrets, envFileNote: options.envFileNote });
  // Built for this parse and dropped with it: kept in a module constant its ~1,400 zod objects stayed in the heap
  // for the life of the process (bench/history/issue-48.md, "Idle RSS against issue 48"). The variables below take
  // their JSON Schema and the top-level names from it, building no config schema of their own.
  const schema = parts.schema();
  parts.topLevel(schema); // kept for `run`'s check of unused variables, which asks after the parse
  // STEWARD_<SECTION>__<KEY> variables set single settings over the file (not for `config check` of a file alone).
  const overrides =
    options.envOverrides === false
      ? []
      : applyEnvOverrides(
          data as Record<string, unknown>,
          options.env ?? process.env,
          () => configJsonSchema(schema),
          secrets,
          options.envFileVars,
          () => parts.topLevel(schema),
        );
  // Parsed once per start or reload: zod's compiled fast path (generated with new Function on the first parse of
  // each object schema) costs more to build than it saves on one parse (measured: ~18 ms against ~8 ms of CPU).
  const parsed = schema.safeParse(data, { jitless: true });
  if (!parsed.success) {
    const messages = formatConfigIssues(parsed.error.issues, schema, src, data).map((m) => {
      const from = overrides.find((o) => m.includes(` ${o.path}:`) || m.includes(` ${o.path}.`));
      return from ? `${m} (set by ${from.variable})` : m;
    });
    throw new AppError("CONFIG_INVALID", messages.join("\n"), { details: messages });
  }
  const config = parsed.data;
  config.dataDir = resolve(baseDir, config.dataDir);
  return { config, baseDir, secrets, source: src };
}
