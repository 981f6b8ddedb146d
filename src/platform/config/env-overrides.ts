// Single settings from the environment, the habit of container and service deployments: STEWARD_<SECTION>__<KEY>
// sets <section>.<key> over what the file says (or the default). Segments are joined by a double underscore and
// written in upper snake case: STEWARD_HTTP__PORT=8081, STEWARD_STORE__POSTGRES__LEASE_TTL_MS=20000,
// STEWARD_LOGGING__LEVEL=debug; a top-level setting by its name alone (STEWARD_DATA_DIR). Values are read as YAML scalars or flow lists (8081 is a number, true a boolean,
// [a, b] a list). STEWARD_CONFIG names the file and is not a setting.
import { ENV_VALUE_BOUNDS, parseYamlValue } from "./yaml-value";
import { AppError } from "../core/errors";
import type { SecretRegistry } from "../core/redaction";
import { allowedByFile, checkOverride } from "./override-policy";

export const ENV_PREFIX = "STEWARD_";
const NOT_SETTINGS = new Set(["STEWARD_CONFIG"]);
const SECRET_KEY = /(password|secret|token|apikey|passphrase|key)$/i;

export interface AppliedOverride {
  variable: string;
  path: string;
}

type SchemaNode = { properties?: Record<string, SchemaNode>; additionalProperties?: SchemaNode | boolean; anyOf?: SchemaNode[]; $ref?: string };

/** "LEASE_TTL_MS" and "leaseTtlMs" are the same name: compared without case and without separators. */
const fold = (s: string) => s.replace(/[_-]/g, "").toLowerCase();

function propertiesOf(node: SchemaNode | undefined): Record<string, SchemaNode> {
  if (!node) return {};
  const own = node.properties ?? {};
  const alternatives = (node.anyOf ?? []).map((a) => a.properties ?? {});
  return Object.assign({}, ...alternatives, own);
}

/** Applies the STEWARD_… variables of `env` to the parsed file `data` (changed in place); returns what it set. */
export function applyEnvOverrides(
  data: Record<string, unknown>,
  env: Record<string, string | undefined>,
  /** The config's JSON Schema: which settings exist and what type each is. */
  jsonSchema: () => Record<string, unknown>,
  secrets?: SecretRegistry,
  envFile?: { file: string; names: ReadonlySet<string> },
  /** The top-level setting names, cheaply (the schema's shape): checked before any JSON Schema is built. */
  topLevel?: () => readonly string[],
): AppliedOverride[] {
  const applied: AppliedOverride[] = [];
  // Built only when a variable is applied, and dropped with this call: the editor schema is large (issue 69: a stray
  // STEWARD_BIN held 17 MiB at idle when every parse kept it).
  let root: SchemaNode | undefined;
  const schemaRoot = () => (root ??= jsonSchema() as SchemaNode);
  const isTopLevel = (name: string) => (topLevel ? topLevel() : Object.keys(propertiesOf(schemaRoot()))).some((k) => fold(k) === fold(name));
  // What the file allows variables to widen, read before any variable is applied.
  const allowed = allowedByFile(data);
  // In code-unit order (upper case before lower): a locale's collation would load ICU's tables at every start.
  for (const variable of Object.keys(env)
    .filter((v) => v.startsWith(ENV_PREFIX))
    .sort()) {
    const raw = env[variable];
    if (NOT_SETTINGS.has(variable) || raw === undefined) continue;
    const name = variable.slice(ENV_PREFIX.length);
    // Without a double underscore a variable is a setting only if it names a top-level one (STEWARD_DATA_DIR):
    // sites already keep secrets in variables such as STEWARD_TLS_PASSPHRASE for ${env:…} placeholders.
    if (!name.includes("__") && !isTopLevel(name)) continue;
    const segments = name.split("__");
    if (segments.some((s) => s === "")) throw badVariable(variable, "empty name between double underscores");
    let node: SchemaNode | undefined = schemaRoot();
    let target: Record<string, unknown> = data;
    const path: string[] = [];
    for (const [i, seg] of segments.entries()) {
      const props = propertiesOf(node);
      let key = Object.keys(props).find((k) => fold(k) === fold(seg));
      let next: SchemaNode | undefined = key ? props[key] : undefined;
      if (!key && node && typeof node.additionalProperties === "object") {
        // A map of named things (channels.<name>): an existing name, matched the same way.
        key = Object.keys(target).find((k) => fold(k) === fold(seg));
        next = node.additionalProperties;
      }
      if (!key) throw badVariable(variable, `${[...path, seg.toLowerCase()].join(".")} is not a setting (see docs/configuration-reference.md)`);
      path.push(key);
      if (i === segments.length - 1) {
        const value = raw.trim() === "" ? "" : parseYamlValue(raw, `environment variable ${variable}`, ENV_VALUE_BOUNDS);
        checkOverride(variable, path.join("."), value, allowed, envFile?.names.has(variable) ? `from ${envFile.file}` : "from the environment");
        target[key] = value;
        if (secrets && SECRET_KEY.test(key) && typeof value === "string" && value) secrets.add(value);
      } else {
        const existing = target[key];
        if (existing !== undefined && (typeof existing !== "object" || existing === null || Array.isArray(existing))) {
          throw badVariable(variable, `${path.join(".")} is a value, not a section`);
        }
        target = (target[key] ??= {}) as Record<string, unknown>;
        node = next;
      }
    }
    applied.push({ variable, path: path.join(".") });
  }
  return applied;
}

function badVariable(variable: string, why: string): AppError {
  const msg = `environment variable ${variable}: ${why}`;
  return new AppError("CONFIG_INVALID", msg, { details: [msg] });
}

/** Variables named STEWARD_… that Steward reads itself, besides settings: the CLI's and the test suite's. */
const READ_ELSEWHERE = new Set(["STEWARD_CONFIG", "STEWARD_URL", "STEWARD_API_KEY", "STEWARD_TEST_RUN"]);

/**
 * STEWARD_… variables that set nothing: not a setting (a top-level name, or SECTION__KEY, which is checked strictly
 * when applied), not one Steward reads itself, not named by a ${env:…} placeholder of the config. Likely a typo of a
 * setting (STEWARD_HTTP_PORT for STEWARD_HTTP__PORT) or left by another tool: named in a warning at start.
 */
export function unusedStewardVariables(env: Record<string, string | undefined>, topLevel: readonly string[], referenced: ReadonlySet<string>): string[] {
  return Object.keys(env)
    .filter((v) => v.startsWith(ENV_PREFIX) && env[v] !== undefined && !READ_ELSEWHERE.has(v) && !referenced.has(v))
    .filter((v) => {
      const name = v.slice(ENV_PREFIX.length);
      return !name.includes("__") && !topLevel.some((k) => fold(k) === fold(name));
    })
    .sort();
}

/** The variables a config text names in ${env:NAME} placeholders. */
export function envPlaceholderNames(text: string): Set<string> {
  return new Set([...text.matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
}
