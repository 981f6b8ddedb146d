// The check-then-use window made deterministic: the resolver's file-system calls are the real ones, except
// that right after the guard looked at a folder for the last time, the folder is swapped for a link to an
// outside folder. The operation that follows must refuse (403) and leave the outside folder untouched.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { lstat, readlink, realpath } from "node:fs/promises";
import { join } from "node:path";
import type { AuditEntry, AuditLog } from "../../../../src/platform/audit/audit-log";
import { AppError } from "../../../../src/platform/core/errors";
import { createSilentLogger } from "../../../../src/platform/core/logger";
import { createMetricsRegistry } from "../../../../src/platform/core/metrics";
import { openCheckedPathRoot, openProcFdRoot, type DirOpener } from "../../../../src/keep/files/dir-handle";
import { createFileOps, type AllowedDirs } from "../../../../src/keep/files/file-ops";
import { realRoots, type ResolverFs } from "../../../../src/keep/files/path-resolve";
import { createTempDir, type TempDir } from "../../../helpers/temp-dir";

const SECRET = "outside secret";
const actor = { kind: "anonymous", name: "test" };
let tmp: TempDir;
let A: string;
let O: string;

/** Real calls; after the `nth` lstat of `folder` it is renamed away and a link to `outside` takes its place. */
function swappingFs(folder: string, outside: string, nth: number): ResolverFs & { swapped: () => boolean } {
  let seen = 0;
  return {
    async lstat(p) {
      const st = await lstat(p);
      if (p === folder && ++seen === nth) {
        renameSync(folder, `${folder}.away`);
        symlinkSync(outside, folder);
      }
      return st;
    },
    readlink,
    realpath,
    swapped: () => seen >= nth,
  };
}

async function opsWith(fs: ResolverFs, dirOpener: DirOpener) {
  const audit: AuditLog = {
    record: (_e: AuditEntry) => undefined,
    query: async () => [],
    prune: async () => 0,
    flush: async () => {},
    rowToWrite: () => [],
    keptIn: () => false,
    rowsCommitted: () => {},
    component: () => ({ name: "audit", start() {}, stop() {} }),
  };
  const [inRoot, outRoot, del, mk] = await realRoots([join(A, "in"), join(A, "out"), join(A, "del"), join(A, "mk")]);
  const dirs: AllowedDirs = {
    copy: [{ from: inRoot!, to: outRoot! }],
    move: [{ from: inRoot!, to: outRoot! }],
    delete: [del!],
    createDir: [mk!],
    allowUnc: false,
    allowDirectoryDelete: true,
  };
  return createFileOps({ dirs: async () => dirs, flavour: "posix", audit, log: createSilentLogger(), metrics: createMetricsRegistry(), fs, dirOpener });
}

const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (err) => (err instanceof AppError ? err.status : String(err)),
  );

function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true }).map(String).sort();
}

beforeEach(() => {
  tmp = createTempDir("steward-check-use-");
  A = join(tmp.path, "allowed");
  O = join(tmp.path, "outside");
  for (const d of ["in/sub", "out/sub", "del/sub/dir", "mk/sub"]) mkdirSync(join(A, d), { recursive: true });
  mkdirSync(join(O, "dir"), { recursive: true });
  writeFileSync(join(A, "in", "f.txt"), "inside");
  writeFileSync(join(A, "in", "sub", "f.txt"), "inside");
  writeFileSync(join(A, "del", "sub", "f.txt"), "inside");
  writeFileSync(join(O, "f.txt"), SECRET);
  writeFileSync(join(O, "dir", "x.txt"), SECRET);
});
afterEach(() => tmp.remove());

// Both ways of opening folders: handles (Linux) and checked paths (what Windows uses; it re-checks every folder
// for a link right before use, which catches a swap that happened before that moment).
describe.each([
  ["folder handles (Linux)", openProcFdRoot],
  ["checked paths (Windows)", openCheckedPathRoot],
] as const)("a folder swapped for a link after the guard checked it, %s", (_how, opener) => {
  const cases: Array<{ name: string; folder: string; nth: number; run: (ops: Awaited<ReturnType<typeof opsWith>>) => Promise<unknown> }> = [
    {
      name: "copy into it",
      folder: "out/sub",
      nth: 1,
      run: (ops) => ops.copy({ fromFile: `${A}/in/f.txt`, toFile: `${A}/out/sub/new.txt`, overwrite: true }, actor),
    },
    {
      name: "copy over a file in it",
      folder: "out/sub",
      nth: 1,
      run: (ops) => ops.copy({ fromFile: `${A}/in/f.txt`, toFile: `${A}/out/sub/f.txt`, overwrite: true }, actor),
    },
    {
      name: "copy out of it",
      folder: "in/sub",
      nth: 1,
      run: (ops) => ops.copy({ fromFile: `${A}/in/sub/f.txt`, toFile: `${A}/out/stolen.txt`, overwrite: true }, actor),
    },
    {
      name: "move into it",
      folder: "out/sub",
      nth: 1,
      run: (ops) => ops.move({ fromFile: `${A}/in/f.txt`, toFile: `${A}/out/sub/new.txt`, overwrite: false }, actor),
    },
    {
      name: "move out of it",
      folder: "in/sub",
      nth: 2,
      run: (ops) => ops.move({ fromFile: `${A}/in/sub/f.txt`, toFile: `${A}/out/stolen.txt`, overwrite: false }, actor),
    },
    { name: "delete a file in it", folder: "del/sub", nth: 2, run: (ops) => ops.remove(`${A}/del/sub/f.txt`, actor) },
    { name: "delete a folder in it", folder: "del/sub", nth: 2, run: (ops) => ops.remove(`${A}/del/sub/dir`, actor) },
    { name: "create a folder in it", folder: "mk/sub", nth: 1, run: (ops) => ops.createDir(`${A}/mk/sub/new/deeper`, actor) },
  ];
  for (const c of cases) {
    test(`${c.name}: 403 and nothing outside changes`, async () => {
      const fs = swappingFs(join(A, c.folder), O, c.nth);
      const before = listing(O);
      const status = await statusOf(c.run(await opsWith(fs, opener)));
      expect(fs.swapped()).toBe(true);
      expect(lstatSync(join(A, c.folder)).isSymbolicLink()).toBe(true);
      expect(status).toBe(403);
      expect(listing(O)).toEqual(before);
      expect(readFileSync(join(O, "f.txt"), "utf8")).toBe(SECRET);
      expect(readFileSync(join(O, "dir", "x.txt"), "utf8")).toBe(SECRET);
      expect(existsSync(join(A, "out", "stolen.txt"))).toBe(false);
    });
  }
});
