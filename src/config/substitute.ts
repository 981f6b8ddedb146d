// Replaces ${env:NAME} and ${file:PATH} in config strings and records every substituted value as a secret.
// An unquoted scalar that is only a placeholder is re-typed like YAML would type it (PORT=25 → 25);
// a quoted one always stays a string.
import { resolve } from "node:path";
import { AppError } from "../core/errors";
import { SECRET_KEY_PATTERN, type SecretRegistry } from "../core/redaction";
import { readUserTextFile } from "./read-text";
import { formatPath, isQuotedScalar, nodeAt, position, type YamlSource } from "./yaml-source";

const PLACEHOLDER = /\$\{(env|file):([^}]+)\}/g;

export interface SubstituteOptions {
  env: Record<string, string | undefined>;
  baseDir: string;
  secrets: SecretRegistry;
  /** Said about the secrets file next to the config in "not set" errors ("nor in …/steward.env"). */
  envFileNote?: string;
}

export function substitutePlaceholders(src: YamlSource, opts: SubstituteOptions): unknown {
  const problems: string[] = [];

  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === "string") return substituteString(value, path);
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i]));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const replaced = walk(v, [...path, k]);
        if (SECRET_KEY_PATTERN.test(k) && typeof replaced === "string") opts.secrets.add(replaced);
        out[k] = replaced;
      }
      return out;
    }
    return value;
  };

  const substituteString = (text: string, path: PropertyKey[]): unknown => {
    if (!text.includes("${")) return text;
    let failed = false;
    const result = text.replace(PLACEHOLDER, (_m, kind: string, ref: string) => {
      const resolved = resolvePlaceholder(kind, ref.trim());
      if (resolved === undefined) {
        failed = true;
        const where = `${src.file}:${position(src, nodeAt(src, path).node)}`;
        problems.push(
          kind === "env"
            ? `${where} ${formatPath(path)}: environment variable ${ref.trim()} is not set${opts.envFileNote ? ` (${opts.envFileNote})` : ""}`
            : `${where} ${formatPath(path)}: cannot read file ${resolve(opts.baseDir, ref.trim())}`,
        );
        return "";
      }
      opts.secrets.add(resolved);
      return resolved;
    });
    if (failed) return text;
    const whole = /^\$\{(env|file):[^}]+\}$/.test(text.trim());
    if (whole && !isQuotedScalar(src, path)) {
      if (/^-?\d+(\.\d+)?$/.test(result.trim())) return Number(result.trim());
      if (/^(true|false)$/i.test(result.trim())) return result.trim().toLowerCase() === "true";
    }
    return result;
  };

  const resolvePlaceholder = (kind: string, ref: string): string | undefined => {
    if (kind === "env") return opts.env[ref];
    try {
      // Secret files usually end with a newline that is not part of the secret.
      return readUserTextFile(resolve(opts.baseDir, ref)).replace(/\r?\n$/, "");
    } catch {
      return undefined;
    }
  };

  const data = walk(src.data, []);
  if (problems.length > 0) throw new AppError("CONFIG_INVALID", problems.join("\n"), { details: problems });
  return data;
}
