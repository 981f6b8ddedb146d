// The service's secrets file: `<config name>.env` next to the config file (steward.yaml → steward.env), one
// KEY=value per line, for `${env:NAME}` placeholders. systemd reads it through the unit's EnvironmentFile=;
// Steward reads it too (Windows services have no such setting), and variables already in the environment win.
import { basename, dirname, extname, join } from "node:path";
import { AppError } from "../core/errors";
import { readUserTextFile } from "./read-text";

/** Where the secrets file of a config file lives. */
export function envFileFor(configFile: string): string {
  const name = basename(configFile, extname(configFile));
  return join(dirname(configFile), `${name}.env`);
}

/**
 * Parses the subset of systemd's EnvironmentFile format that both systemd and Steward read the same way:
 * blank lines, `#` or `;` comments, `NAME=value`; a value wholly inside double quotes may use \" and \\, one
 * inside single quotes is taken literally; unquoted values lose surrounding spaces.
 */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      problems.push(`${file}:${i + 1}: expected NAME=value (a name is letters, digits and _, not starting with a digit)`);
      return;
    }
    const [, name, rest] = m as unknown as [string, string, string];
    let value = rest;
    if (rest.length >= 2 && rest.startsWith('"') && rest.endsWith('"')) value = rest.slice(1, -1).replace(/\\(["\\])/g, "$1");
    else if (rest.length >= 2 && rest.startsWith("'") && rest.endsWith("'")) value = rest.slice(1, -1);
    else if (/^["']/.test(rest)) {
      problems.push(`${file}:${i + 1}: ${name}: the value's opening quote is not closed on this line`);
      return;
    }
    out[name] = value;
  });
  if (problems.length > 0) throw new AppError("CONFIG_INVALID", problems.join("\n"), { details: problems });
  return out;
}

/**
 * The variables of the config's secrets file, or undefined when there is none. A file the current user may not
 * read is skipped: under systemd it is root's, and systemd has put its variables into the environment already.
 */
export function readEnvFile(configFile: string): { file: string; vars: Record<string, string>; unreadable?: true } | undefined {
  const file = envFileFor(configFile);
  let text: string;
  try {
    text = readUserTextFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    if (code === "EACCES" || code === "EPERM") return { file, vars: {}, unreadable: true };
    throw new AppError("CONFIG_INVALID", `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return { file, vars: parseEnvFile(text, file) };
}
