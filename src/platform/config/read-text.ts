// Reads a text file an administrator wrote (the config, ${file:} secrets) the way Windows tools save it: a UTF-8
// byte-order mark is dropped and UTF-16LE with its mark is decoded, so no invisible character reaches a value.
import { readFileSync } from "node:fs";

/**
 * UTF-8 (with or without a BOM) or UTF-16LE with a BOM. Windows PowerShell 5.1 writes UTF-8 *with* a BOM for
 * `Set-Content -Encoding UTF8` and UTF-16LE for `>`; read as plain UTF-8, a secret kept the BOM (an HTTP
 * header with it is refused, an SMTP password no longer matched).
 */
export function readUserTextFile(path: string): string {
  const buf = readFileSync(path);
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString("utf16le");
  const text = buf.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
