// Loads a config file: YAML → placeholder substitution → zod validation, with every error naming the file,
// line:column and YAML path. Relative paths in the config are resolved against the config file's folder.
import { applyEnvOverrides } from "./env-overrides";
import { dirname, resolve } from "node:path";
import { AppError } from "../core/errors";
import { createSecretRegistry, type SecretRegistry } from "../core/redaction";
import { readEnvFile } from "./env-file";
import { configSchema, type Config } from "./schema";
import { formatConfigIssues } from "./format-issues";
import { readUserTextFile } from "./read-text";
import { substitutePlaceholders } from "./substitute";
import { parseYamlSource, type YamlSource } from "./yaml-source";

export interface LoadedConfig {
  config: Config;
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

export function loadConfigFile(file: string, options: LoadOptions = {}): LoadedConfig {
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
  const envFileNote = envFile ? (envFile.unreadable ? `${envFile.file} exists, but this user may not read it` : `nor in ${envFile.file}`) : undefined;
  // Variables the environment also sets come from there (it wins over the file).
  const envFileVars = envFile ? { file: envFile.file, names: new Set(Object.keys(envFile.vars).filter((k) => process.env[k] === undefined)) } : undefined;
  return {
    ...parseConfigText(text, options.displayName ?? file, baseDir, { ...options, env, envFileNote, ...(envFileVars ? { envFileVars } : {}) }),
    file: resolve(file),
  };
}

export function parseConfigText(text: string, displayName: string, baseDir: string, options: LoadOptions = {}): LoadedConfig {
  const secrets = options.secrets ?? createSecretRegistry();
  const src = parseYamlSource(text, displayName);
  if (src.data === null || typeof src.data !== "object" || Array.isArray(src.data)) {
    const msg = `${displayName}:1:1 (root): expected a mapping of config keys, got ${Array.isArray(src.data) ? "a list" : JSON.stringify(src.data)}`;
    throw new AppError("CONFIG_INVALID", msg, { details: [msg] });
  }
  const data = substitutePlaceholders(src, { env: options.env ?? process.env, baseDir, secrets, envFileNote: options.envFileNote });
  // STEWARD_<SECTION>__<KEY> variables set single settings over the file (not for `config check` of a file alone).
  const overrides =
    options.envOverrides === false ? [] : applyEnvOverrides(data as Record<string, unknown>, options.env ?? process.env, secrets, options.envFileVars);
  // Parsed once per start or reload: zod's compiled fast path (generated with new Function on the first parse of
  // each object schema) costs more to build than it saves on one parse (measured: ~18 ms against ~8 ms of CPU).
  // Built for this parse and dropped with it: kept in a module constant its ~1,400 zod objects stayed in the heap
  // for the life of the process (bench/README.md, "Idle RSS against issue 48").
  const schema = configSchema();
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

/** The built-in default: what an empty file means. */
export function defaultConfig(baseDir = process.cwd()): LoadedConfig {
  return parseConfigText("", "(defaults)", baseDir);
}
