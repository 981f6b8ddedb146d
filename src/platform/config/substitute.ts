// Replaces ${env:NAME} and ${file:PATH} in config strings and records every substituted value as a secret.
// An unquoted scalar that is only a placeholder is re-typed like YAML would type it (PORT=25 → 25);
// a quoted one always stays a string. A "${" that is not one of these is refused (a typo such as ${SMTP_HOST}
// would otherwise reach the mail server as a host name); "$${" writes a literal "${".
import { resolve } from "node:path";
import { AppError } from "../core/errors";
import { SECRET_KEY_PATTERN, type SecretRegistry } from "../core/redaction";
import { readUserTextFile } from "./read-text";
import { formatPath, isQuotedScalar, nodeAt, position, type YamlSource } from "./yaml-source";

const PLACEHOLDER_OR_ESCAPE = /\$\$\{|\$\{(env|file):([^}]+)\}/g;

/** What is wrong with the first "${" of `text` that is neither a placeholder nor escaped, or undefined. */
export function malformedPlaceholder(text: string): string | undefined {
  for (let at = text.indexOf("${"); at !== -1; at = text.indexOf("${", at + 2)) {
    if (text[at - 1] === "$") continue;
    const close = text.indexOf("}", at + 2);
    const inner = close === -1 ? text.slice(at + 2) : text.slice(at + 2, close);
    const shown = close === -1 ? text.slice(at, at + 40) : text.slice(at, close + 1);
    const colon = inner.indexOf(":");
    const kind = colon === -1 ? undefined : inner.slice(0, colon);
    const ref = colon === -1 ? inner : inner.slice(colon + 1);
    if (close === -1) return `placeholder "${shown}" is not closed: end it with "}" (or write "$\${" for a literal "\${")`;
    if (kind === undefined) {
      const name = ref.trim() || "NAME";
      return `"${shown}" names no source: write "\${env:${name}}" for an environment variable or "\${file:PATH}" for a file (or "$\${" for a literal "\${")`;
    }
    if (kind !== "env" && kind !== "file") {
      const lower = kind.trim().toLowerCase();
      const hint = lower === "env" || lower === "file" ? `write "\${${lower}:${ref}}" (lower case)` : 'the sources are "env" and "file"';
      return `placeholder "${shown}" has an unknown source "${kind}": ${hint}`;
    }
    if (!ref.trim()) return `placeholder "${shown}" names no ${kind === "env" ? "variable" : "file"}: write "\${${kind}:${kind === "env" ? "NAME" : "PATH"}}"`;
    if (ref.includes("${")) return `placeholder "${shown}" contains another "\${": placeholders do not nest`;
  }
  return undefined;
}

export interface SubstituteOptions {
  env: Record<string, string | undefined>;
  baseDir: string;
  secrets: SecretRegistry;
  /** Said about the secrets file next to the config in "not set" errors ("nor in …/steward.env"). */
  envFileNote?: string;
  /**
   * Collect the problems here instead of throwing (`config check` reports every problem of a file in one pass):
   * each message, and the path of each value left unsubstituted.
   */
  collect?: { problems: string[]; paths: PropertyKey[][] };
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
    const malformed = malformedPlaceholder(text);
    if (malformed) {
      problems.push(`${src.file}:${position(src, nodeAt(src, path).node)} ${formatPath(path)}: ${malformed}`);
      opts.collect?.paths.push(path);
      return text;
    }
    let failed = false;
    const result = text.replace(PLACEHOLDER_OR_ESCAPE, (m, kind: string | undefined, ref: string | undefined) => {
      if (kind === undefined || ref === undefined) return m.slice(1);
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
    if (failed) {
      opts.collect?.paths.push(path);
      return text;
    }
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
  if (opts.collect) opts.collect.problems.push(...problems);
  else if (problems.length > 0) throw new AppError("CONFIG_INVALID", problems.join("\n"), { details: problems });
  return data;
}
