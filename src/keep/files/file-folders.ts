// Deleting (files.delete: a file, a link itself, or a folder's whole tree when allowed) and creating folders
// (files.createDir, files.qvdRoot), each step through folder handles re-checked right before it acts.
import { lstat, readdir, rmdir, unlink } from "node:fs/promises";
import { AppError } from "../../platform/core/errors";
import type { DirHandle } from "./dir-handle";
import type { FileContext } from "./file-context";
import { removeEntry } from "./file-content";
import { errno, notFound } from "./file-errors";
import { resolveInside, samePath, type AllowedRoot } from "./path-resolve";
import { normaliseRequestPath } from "./path-rules";

export async function removePath(x: FileContext, deleteFile: string): Promise<void> {
  const dirs = await x.dirs();
  const p = normaliseRequestPath(deleteFile, "deleteFile", x.flavour, dirs.allowUnc);
  const r = await resolveInside(p, dirs.delete, "deleteFile", x.flavour, x.fs);
  if (dirs.delete.some((root) => samePath(r.real, root.real, x.flavour) || samePath(p, root.configured, x.flavour))) {
    throw new AppError("PATH_NOT_ALLOWED", "deleteFile: is an allowed folder itself and cannot be deleted");
  }
  // The named entry itself (a final link is removed, not followed): its real folder plus its name.
  const parent = await resolveInside(x.api.dirname(p), dirs.delete, "deleteFile", x.flavour, x.fs);
  const name = x.api.basename(p);
  const dir = await x.openDir(parent, "deleteFile", false).catch(notFound("deleteFile"));
  try {
    const entry = dir.at(name);
    const st = await lstat(entry).catch(notFound("deleteFile"));
    if (st.isSymbolicLink()) {
      await dir.verify(parent.root, "deleteFile");
      await removeEntry(entry);
    } else if (st.isDirectory()) {
      if (!dirs.allowDirectoryDelete)
        throw new AppError("PATH_NOT_ALLOWED", "deleteFile: is a directory; deleting directories is off (files.allowDirectoryDelete)");
      const sub = await dir.child(name, false, "deleteFile");
      try {
        await emptyTree(sub, parent.root);
      } finally {
        await sub.close();
      }
      await dir.verify(parent.root, "deleteFile");
      await rmdir(entry);
    } else {
      await dir.verify(parent.root, "deleteFile");
      await unlink(entry);
    }
  } finally {
    await dir.close();
  }
}

/**
 * Deletes a folder's content through handles; a sub-folder that became a link is removed itself, never followed.
 * Each removal is preceded by a check that the folder is still below `root` (without handles, on Windows, that
 * re-check is what keeps the window small).
 */
async function emptyTree(dir: DirHandle, root: string): Promise<void> {
  for (const name of await readdir(dir.self())) {
    const at = dir.at(name);
    const st = await lstat(at).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory() && !st.isSymbolicLink()) {
      const sub = await dir.child(name, false, "deleteFile").catch(() => undefined);
      if (sub) {
        try {
          await emptyTree(sub, root);
        } finally {
          await sub.close();
        }
        await dir.verify(root, "deleteFile");
        await rmdir(at);
        continue;
      }
    }
    await dir.verify(root, "deleteFile");
    await removeEntry(at);
  }
}

export async function createDirectory(x: FileContext, directory: string): Promise<{ directory: string }> {
  const dirs = await x.dirs();
  const p = normaliseRequestPath(directory, "directory", x.flavour, dirs.allowUnc);
  await makeDir(x, p, dirs.createDir);
  return { directory: p };
}

export async function createQvdDirectory(x: FileContext, directory: string): Promise<{ directory: string }> {
  const dirs = await x.dirs();
  if (!dirs.qvdRoot) throw new AppError("PATH_NOT_ALLOWED", "directory: createdirqvd needs files.qvdRoot in the config");
  if (/^[a-zA-Z]:/.test(directory) || /^[\\/]{2}/.test(directory)) {
    throw new AppError("BAD_REQUEST", "directory: must be relative to files.qvdRoot (no drive letter or UNC path)");
  }
  // Butler joined the directory onto its QVD root, so a leading separator is accepted and dropped.
  const relative = directory.replace(/^[\\/]+/, "");
  if (relative === "") throw new AppError("BAD_REQUEST", "directory: must name a folder below files.qvdRoot");
  const joined = `${dirs.qvdRoot.configured}${x.flavour === "win32" ? "\\" : "/"}${relative}`;
  const p = normaliseRequestPath(joined, "directory", x.flavour, dirs.allowUnc);
  await makeDir(x, p, [dirs.qvdRoot]);
  return { directory };
}

/** Creates the folder and its missing parents one at a time, each inside the one opened before. */
async function makeDir(x: FileContext, p: string, roots: AllowedRoot[]): Promise<void> {
  const r = await resolveInside(p, roots, "directory", x.flavour, x.fs);
  const dir = await x.openDir(r, "directory", true).catch((err) => {
    if (errno(err) === "ENOTDIR" || errno(err) === "EEXIST")
      throw new AppError("CONFLICT", "directory: a file with that name exists (or a folder on the way is a file)");
    throw err;
  });
  await dir.close();
}
