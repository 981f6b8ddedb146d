// Reading a source file and writing its copy through folder handles: the source must be a regular file, the target
// is never a link, never the source itself, and a target this request created but could not fill is removed again.
import type { Stats } from "node:fs";
import { lstat, rmdir, unlink, type FileHandle } from "node:fs/promises";
import { AppError } from "../../platform/core/errors";
import { copyContent, type DirHandle, sameFile } from "./dir-handle";
import { errno, isADirectory, notADir, notFound, sameAsSource, targetExists } from "./file-errors";
import type { PathFlavour } from "./path-rules";

/** Opens the source file for reading through its folder's handle: 404 when missing, 400 when not a file. */
export async function openSource(dir: DirHandle, name: string): Promise<{ input: FileHandle; st: Stats }> {
  const input = await dir.openFile(name, "read", "fromFile").catch((err) => {
    if (errno(err) === "EISDIR") throw isADirectory();
    return notFound("fromFile")(err);
  });
  const st = await input.stat();
  if (!st.isFile()) {
    await input.close();
    const what = st.isDirectory() ? "a directory; only files can be copied or moved" : "not a regular file";
    throw new AppError("BAD_REQUEST", `fromFile: is ${what}`, { details: [{ field: "fromFile", message: `is ${what}` }] });
  }
  return { input, st };
}

export interface CopyTarget {
  dir: DirHandle;
  name: string;
  overwrite: boolean;
  keepTimes: boolean;
  flavour: PathFlavour;
}

/** Writes the open source into `name` of the target folder, never through a link and never onto itself. */
export async function writeCopy(input: FileHandle, st: Stats, t: CopyTarget): Promise<void> {
  const output = await t.dir.openFile(t.name, t.overwrite ? "write" : "create", "toFile").catch(async (err) => {
    const code = errno(err);
    if (code === "EISDIR" || (code === "EEXIST" && (await lstat(t.dir.at(t.name)).catch(() => undefined))?.isDirectory())) {
      throw notADir("toFile: is an existing directory; give the full target file name");
    }
    if (code === "EEXIST") throw targetExists();
    // A FIFO without a reader (opened non-blocking, so it cannot hang the request).
    if (code === "ENXIO") throw notADir("toFile: exists and is not a regular file");
    throw err;
  });
  let done = false;
  let target: Stats | undefined;
  try {
    target = await output.stat();
    if (!target.isFile()) throw notADir("toFile: exists and is not a regular file");
    // Checked on the open files, before anything is truncated: a hard link to the source is the source.
    if (sameFile(st, target)) throw sameAsSource();
    await output.truncate(0);
    await copyContent(input, output);
    if (t.flavour === "posix") await output.chmod(st.mode & 0o777);
    if (t.keepTimes) await output.utimes(st.atime, st.mtime);
    done = true;
  } finally {
    await output.close();
    // A file this request created and could not fill is removed again, if the name still holds that file.
    if (!done && !t.overwrite && target) await removeIfSame(t.dir.at(t.name), target);
  }
}

async function removeIfSame(at: string, created: Stats): Promise<void> {
  const there = await lstat(at).catch(() => undefined);
  if (there && sameFile(there, created)) await unlink(at).catch(() => undefined);
}

/** Unlinks a file or a link (a Windows junction or directory link needs rmdir). */
export async function removeEntry(at: string): Promise<void> {
  try {
    await unlink(at);
  } catch (err) {
    if (errno(err) === "ENOENT") return;
    if (errno(err) !== "EPERM" && errno(err) !== "EISDIR") throw err;
    await rmdir(at);
  }
}
