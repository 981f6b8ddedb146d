// Packs the Qlik Sense extension (extension/steward-freshness: .qext and .js) into steward-freshness.zip, the file an
// administrator imports in the QMC (Extensions → Import): the folder's files at the zip's root, as the QMC expects.
import { mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeZip } from "./zip";

const REPO_ROOT = resolve(import.meta.dir, "..");
export const EXTENSION_DIR = join(REPO_ROOT, "extension", "steward-freshness");
export const EXTENSION_ZIP = "steward-freshness.zip";

/** Writes <outDir>/steward-freshness.zip and returns its path. */
export function buildExtensionZip(outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, EXTENSION_ZIP);
  writeZip(
    path,
    readdirSync(EXTENSION_DIR)
      .sort()
      .map((name) => ({ name, from: join(EXTENSION_DIR, name) })),
  );
  return path;
}
