// Lexical path rules of the file guard: what a request path may look like (absolute, no NUL or control
// characters, no alternate data streams, no device names, no UNC unless allowed) and whether one normalised
// path lies under another. Pure string work: nothing here touches the file system.
import { posix, win32 } from "node:path";
import { AppError } from "../../platform/core/errors";

/** posix on Linux/macOS hosts, win32 on Windows (forward slashes accepted there too). */
export type PathFlavour = "posix" | "win32";

export function hostFlavour(): PathFlavour {
  return process.platform === "win32" ? "win32" : "posix";
}

export const MAX_PATH_CHARS = 4096;

const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)$/i;
const WINDOWS_FORBIDDEN_CHARS = /[<>"|?*]/;
const DRIVE_PREFIX = /^[a-zA-Z]:/;

export function pathApi(flavour: PathFlavour): typeof posix {
  return flavour === "win32" ? win32 : posix;
}

function bad(field: string, message: string): AppError {
  return new AppError("BAD_REQUEST", `${field}: ${message}`, { details: [{ field, message }] });
}

function denied(field: string, message: string): AppError {
  return new AppError("PATH_NOT_ALLOWED", `${field}: ${message}`, { details: [{ field, message }] });
}

/**
 * Checks a requested path and returns it normalised (absolute, no `.`/`..`, no trailing separator).
 * Throws 400 for malformed paths and 403 for forms that are refused by policy (UNC without files.allowUnc).
 */
export function normaliseRequestPath(raw: string, field: string, flavour: PathFlavour, allowUnc: boolean): string {
  if (raw.length === 0) throw bad(field, "must not be empty");
  if (raw.length > MAX_PATH_CHARS) throw bad(field, `longer than ${MAX_PATH_CHARS} characters`);
  if (raw.includes("\0")) throw bad(field, "contains a NUL byte");
  // eslint-disable-next-line no-control-regex
  if (/[\u0001-\u001f\u007f]/.test(raw)) throw bad(field, "contains a control character");
  if (flavour === "posix") {
    if (raw.includes("\\")) throw bad(field, "contains a backslash; Windows paths are not accepted on this (non-Windows) host");
    if (DRIVE_PREFIX.test(raw)) throw bad(field, "is a Windows drive path; this host is not Windows");
    if (raw.startsWith("//")) throw bad(field, "is a UNC path; UNC paths are only supported on Windows");
    if (!raw.startsWith("/")) throw bad(field, "must be an absolute path");
    checkComponents(raw.split("/"), field, flavour);
    return stripTrailingSeparator(posix.normalize(raw), flavour);
  }
  const p = raw.replace(/\//g, "\\");
  if (/^\\\\[?.]\\/.test(p) || /^\\\?\?\\/.test(p)) throw bad(field, "device and long-path namespace prefixes (\\\\?\\, \\\\.\\) are not accepted");
  let body: string;
  if (p.startsWith("\\\\")) {
    if (!allowUnc) throw denied(field, "UNC paths are not allowed (files.allowUnc is off)");
    const parts = p.slice(2).split("\\");
    if (parts.length < 2 || !parts[0] || !parts[1]) throw bad(field, "a UNC path needs \\\\server\\share");
    body = p.slice(2);
  } else if (DRIVE_PREFIX.test(p)) {
    if (p[2] !== "\\") throw bad(field, "must be an absolute path (a drive letter followed by \\ or /)");
    body = p.slice(3);
  } else {
    throw bad(field, "must be an absolute path starting with a drive letter (C:\\…)");
  }
  checkComponents(body.split("\\"), field, flavour);
  return stripTrailingSeparator(win32.normalize(p), flavour);
}

function checkComponents(parts: string[], field: string, flavour: PathFlavour): void {
  for (const part of parts) {
    if (part === "" || part === "." || part === "..") continue;
    // On Windows "file.txt:stream" names an alternate data stream; refused on every host so a path means
    // the same thing wherever Steward runs.
    if (part.includes(":")) throw bad(field, `'${part}': ':' is not allowed in names (alternate data streams)`);
    const stem = part
      .replace(/[. ]+$/, "")
      .split(".")[0]!
      .trimEnd();
    if (WINDOWS_DEVICE.test(stem)) throw bad(field, `'${part}' is a reserved Windows device name`);
    if (flavour === "win32") {
      if (/[. ]$/.test(part)) throw bad(field, `'${part}': names ending in a dot or space are ambiguous on Windows`);
      if (WINDOWS_FORBIDDEN_CHARS.test(part)) throw bad(field, `'${part}' contains a character Windows does not allow in names`);
    }
  }
}

function stripTrailingSeparator(p: string, flavour: PathFlavour): string {
  const api = pathApi(flavour);
  const root = api.parse(p).root;
  let out = p;
  while (out.length > root.length && (out.endsWith("/") || (flavour === "win32" && out.endsWith("\\")))) out = out.slice(0, -1);
  return out;
}

/**
 * Compare form: Windows paths compare case-insensitively, but only A-Z is folded. JavaScript's toLowerCase
 * folds letters NTFS keeps apart (KELVIN SIGN to "k", DOTTED CAPITAL I to "i" plus a dot), which made
 * "C:\Qlik\Stoc\u212a" look like the allowed "C:\Qlik\Stock". Non-ASCII names must match exactly: a false
 * refusal at worst, never a false match.
 */
export function comparable(p: string, flavour: PathFlavour): string {
  return flavour === "win32" ? p.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : p;
}

/** True when `p` is `root` or lies below it (both normalised, absolute, same flavour). */
export function isUnder(p: string, root: string, flavour: PathFlavour): boolean {
  const sep = flavour === "win32" ? "\\" : "/";
  const a = comparable(p, flavour);
  const r = comparable(root, flavour);
  if (a === r) return true;
  return a.startsWith(r.endsWith(sep) ? r : r + sep);
}

/** Normalises a configured folder (already absolute); throws CONFIG_INVALID naming the setting otherwise. */
export function normaliseConfiguredDir(dir: string, setting: string, flavour: PathFlavour, allowUnc: boolean): string {
  try {
    return normaliseRequestPath(dir, setting, flavour, allowUnc);
  } catch (err) {
    throw new AppError("CONFIG_INVALID", `${(err as Error).message}`, { cause: err });
  }
}
