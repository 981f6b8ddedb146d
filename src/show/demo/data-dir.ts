// The demo starts from a clean store each time (so its story and schedules are fresh), keeping only the
// simulator's certificates. Only a folder the demo created itself (it carries a marker file) is ever wiped.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const MARKER = ".steward-demo";
const KEEP = new Set([MARKER, "sim-certs"]);

/** Empties `dir` (except the kept entries) if the demo owns it; returns false when it was left alone. */
export function resetDemoDataDir(dir: string): boolean {
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, MARKER))) return false;
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) {
    if (!KEEP.has(entry)) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  writeFileSync(join(dir, MARKER), "This folder belongs to `steward demo`; it is emptied at each demo start.\n");
  return true;
}
