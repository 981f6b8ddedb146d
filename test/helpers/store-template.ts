// A new Steward's SQLite store with every module's migrations already applied: a copy of one file migrated once per
// machine and kept in the system's temp folder, instead of every test Steward migrating an empty store itself.
// Migrating costs about 20 ms of CPU a start, opening the copied file about 4 ms, and the suite starts Stewards
// thousands of times. Only a data folder without a store gets the copy: a restart keeps its store, and a test of
// the migrations opens its store with openStore itself. The file's name carries a hash of every migration's text
// and of the store's code (src/platform/store/database.ts): a change to either makes a new one.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, STORE_FILE } from "../../src/platform/store/database";
import { STORE_MIGRATIONS } from "../../src/store-migrations";

const PREFIX = "steward-store-template-";
/** A template nobody copied for this long belongs to code that is gone (another clone or branch may use its own). */
const UNUSED_FOR_MS = 2 * 3_600_000;

let cached: string | undefined;

/** The migrated store file to copy, made first if no test process on this machine has yet. */
export function storeTemplate(): string {
  if (cached && existsSync(cached)) return cached;
  const recipe = JSON.stringify([
    readFileSync(join(import.meta.dir, "../../src/platform/store/database.ts"), "utf8"),
    STORE_MIGRATIONS.map((s) => [s.module, s.migrations.map((m) => [m.version, m.name, m.sql])]),
  ]);
  const file = join(tmpdir(), `${PREFIX}${Bun.hash(recipe).toString(36)}.db`);
  if (!existsSync(file)) {
    const staging = mkdtempSync(join(tmpdir(), `${PREFIX}staging-`));
    try {
      openStore(staging, [...STORE_MIGRATIONS]).close(); // close() checkpoints: the whole store is in the one file
      copyFileSync(join(staging, STORE_FILE), join(staging, "copy.db"));
      renameSync(join(staging, "copy.db"), file); // whole or not at all, whoever of two processes renames last
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    removeUnused(file);
  }
  const now = new Date();
  utimesSync(file, now, now); // in use: see UNUSED_FOR_MS
  cached = file;
  return file;
}

/**
 * Puts a copy of the migrated store into `dataDir` when it has no store yet. Anything in the way (a folder that
 * cannot be made, a file where the folder should be) is left for the Steward to find and say, as without a copy.
 */
export function seedStore(dataDir: string): void {
  try {
    if (existsSync(join(dataDir, STORE_FILE))) return;
    const template = storeTemplate();
    mkdirSync(dataDir, { recursive: true });
    copyFileSync(template, join(dataDir, STORE_FILE));
  } catch {
    // the Steward meets the same obstacle and reports it
  }
}

function removeUnused(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith(PREFIX) || path === keep || name.startsWith(`${PREFIX}staging-`)) continue;
    try {
      if (Date.now() - statSync(path).mtimeMs > UNUSED_FOR_MS) rmSync(path, { force: true });
    } catch {
      // removed by another test process meanwhile
    }
  }
}
