// The starter config `steward service install --create-config` (the MSI) writes when the config file does not
// exist yet: Steward's defaults with comments on what to fill in. An existing file is never touched.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import starterYaml from "../../../../config/starter.yaml" with { type: "text" };

export const STARTER_CONFIG = starterYaml;

/** Writes the starter config at `path` unless a file is there; true when it wrote one. */
export function writeStarterConfig(path: string, windows: boolean): boolean {
  mkdirSync(dirname(path), { recursive: true });
  // CRLF on Windows: Notepad before Windows Server 2019 shows a LF-only file as one line.
  const text = windows ? STARTER_CONFIG.replace(/\r?\n/g, "\r\n") : STARTER_CONFIG;
  try {
    writeFileSync(path, text, { flag: "wx" }); // "wx": never overwrites, also when another process just wrote it
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}
