// Folders opened once and then used through their handle, so that a folder swapped for a link (or junction)
// between the guard's check and the operation cannot redirect the operation outside the allowed folders.
// Linux: every folder on the way is opened with O_DIRECTORY|O_NOFOLLOW inside the previous one through
// /proc/self/fd/<fd>/<name>; the kernel looks <name> up in the folder that handle holds, it does not walk the
// path again, so a link swapped in anywhere is refused (ELOOP) and a folder renamed away is still the one
// checked. Windows (no handle-relative calls in Bun): each folder on the way is checked not to be a link or
// junction and its real path is verified right before use; that narrows the window, it does not close it.
import { constants, existsSync, type Stats } from "node:fs";
import { copyFile, lstat, mkdir, open, readlink, realpath, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../platform/core/errors";
import { comparable, hostFlavour, isUnder } from "./path-rules";

/** A folder below an allowed folder, opened without following links. */
export interface DirHandle {
  /** Where the folder was when it was opened (messages and checks only). */
  readonly path: string;
  /** A path naming `name` in this folder; on Linux it is looked up in the open folder, not walked again. */
  at(name: string): string;
  /** A path naming this folder itself (for readdir). */
  self(): string;
  /** Opens the sub-folder `name` without following a link; creates it first when `create`. */
  child(name: string, create: boolean, field: string): Promise<DirHandle>;
  /** Throws 403 unless the folder still lies below `root` (its real path, checked now). */
  verify(root: string, field: string): Promise<void>;
  /** Opens the file `name` in this folder without following a final link, checked to be what was opened. */
  openFile(name: string, how: FileOpenMode, field: string): Promise<FileHandle>;
  close(): Promise<void>;
}

/** read: an existing file; create: a new file (EEXIST if anything is there); write: new or existing, not truncated. */
export type FileOpenMode = "read" | "create" | "write";

export type DirOpener = (rootReal: string, create: boolean, field: string) => Promise<DirHandle>;

const errno = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;
// Absent on Windows; 0 there keeps the flags valid.
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
// Linux's O_PATH (not in Node's constants; the same value on x64 and arm64): a folder is opened for lookups
// only, so a folder on the way that may be traversed but not listed (mode 711) still opens.
const O_PATH = process.platform === "linux" ? 0o10000000 : 0;
// A FIFO planted under a file's name must not hang the request in open().
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;
const FILE_FLAGS: Record<FileOpenMode, number> = {
  read: constants.O_RDONLY,
  create: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
  write: constants.O_WRONLY | constants.O_CREAT,
};

function swapped(field: string, where: string): AppError {
  const message = `'${where}' is a symbolic link or junction now (it changed during the request); refused`;
  return new AppError("PATH_NOT_ALLOWED", `${field}: ${message}`, { details: [{ field, message }] });
}

function moved(field: string, where: string, now: string): AppError {
  const message = `the folder '${where}' now leads to '${now}' (a folder on the way was moved, or replaced by a link or junction, during the request); refused`;
  return new AppError("PATH_NOT_ALLOWED", `${field}: ${message}`, { details: [{ field, message }] });
}

/** After an O_NOFOLLOW open failed with ELOOP/ENOTDIR: a link there is a 403, anything else the OS error. */
async function explainNoFollow(err: unknown, at: string, where: string, field: string): Promise<never> {
  const code = errno(err);
  if (code === "ELOOP" || code === "ENOTDIR" || code === "EMLINK") {
    const st = await lstat(at).catch(() => undefined);
    if (code === "ELOOP" || st?.isSymbolicLink()) throw swapped(field, where);
  }
  throw err;
}

async function mkdirIfMissing(p: string): Promise<void> {
  try {
    await mkdir(p);
  } catch (err) {
    if (errno(err) !== "EEXIST") throw err;
  }
}

/** Linux: folders held open, names looked up through /proc/self/fd. */
class ProcFdDir implements DirHandle {
  constructor(
    private readonly fh: FileHandle,
    readonly path: string,
  ) {}

  at(name: string): string {
    return `/proc/self/fd/${this.fh.fd}/${name}`;
  }

  self(): string {
    return `/proc/self/fd/${this.fh.fd}`;
  }

  async child(name: string, create: boolean, field: string): Promise<DirHandle> {
    const at = this.at(name);
    const where = join(this.path, name);
    if (create) await mkdirIfMissing(at);
    try {
      return new ProcFdDir(await open(at, constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_PATH), where);
    } catch (err) {
      return explainNoFollow(err, at, where, field);
    }
  }

  async verify(root: string, field: string): Promise<void> {
    // The kernel's current name of the open folder: it stays right even if the folder was renamed meanwhile.
    const now = await readlink(this.self());
    if (!isUnder(now, root, "posix")) throw moved(field, this.path, now);
  }

  async openFile(name: string, how: FileOpenMode, field: string): Promise<FileHandle> {
    const at = this.at(name);
    try {
      return await open(at, FILE_FLAGS[how] | O_NOFOLLOW | O_NONBLOCK, 0o666);
    } catch (err) {
      return explainNoFollow(err, at, join(this.path, name), field);
    }
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** Windows (and any host without /proc/self/fd): plain paths, each step checked just before it is used. */
class CheckedPathDir implements DirHandle {
  constructor(readonly path: string) {}

  at(name: string): string {
    return join(this.path, name);
  }

  self(): string {
    return this.path;
  }

  async child(name: string, create: boolean, field: string): Promise<DirHandle> {
    const at = this.at(name);
    if (create) {
      await this.stillHere(field);
      await mkdirIfMissing(at);
    }
    const st = await lstat(at);
    if (st.isSymbolicLink()) throw swapped(field, at);
    if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${at}`), { code: "ENOTDIR" });
    return new CheckedPathDir(at);
  }

  async verify(root: string, field: string): Promise<void> {
    const now = await this.stillHere(field);
    if (!isUnder(now, root, hostFlavour())) throw moved(field, this.path, now);
  }

  /** No link or junction anywhere on the folder's path right now: its real path is the path itself. */
  private async stillHere(field: string): Promise<string> {
    const now = await realpath(this.path);
    const flavour = hostFlavour();
    if (comparable(now, flavour) !== comparable(this.path, flavour)) throw moved(field, this.path, now);
    return now;
  }

  async openFile(name: string, how: FileOpenMode, field: string): Promise<FileHandle> {
    const at = this.at(name);
    if (how !== "create") {
      const st = await lstat(at).catch((err) => (how === "write" && errno(err) === "ENOENT" ? undefined : Promise.reject(err)));
      if (st?.isSymbolicLink()) throw swapped(field, at);
    }
    await this.stillHere(field);
    const fh = await open(at, FILE_FLAGS[how], 0o666);
    try {
      // The file opened must be the one at the checked path: same volume and file id, not a link.
      const [opened, there] = await Promise.all([fh.stat(), lstat(at)]);
      if (there.isSymbolicLink() || differentFiles(opened, there)) throw swapped(field, at);
      return fh;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async close(): Promise<void> {}
}

/** Provably the same file: same device and the same (reported) file id. */
export function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino !== 0 && a.ino === b.ino;
}

/** Provably different files (a file system that reports no file ids cannot tell; then only the path check counts). */
function differentFiles(a: Stats, b: Stats): boolean {
  return a.dev !== b.dev || (a.ino !== 0 && b.ino !== 0 && a.ino !== b.ino);
}

/** Linux: walks the allowed folder's real path from `/`, refusing a link at any step (it has none when checked). */
export const openProcFdRoot: DirOpener = async (rootReal, create, field) => {
  let dir: DirHandle = new ProcFdDir(await open("/", constants.O_RDONLY | O_DIRECTORY | O_PATH), "/");
  try {
    for (const name of rootReal.split("/").filter((n) => n !== "")) {
      const next = await dir.child(name, create, field);
      await dir.close();
      dir = next;
    }
    return dir;
  } catch (err) {
    await dir.close();
    throw err;
  }
};

/** Windows and hosts without /proc/self/fd: plain paths, checked (exported so Linux tests can run it too). */
export const openCheckedPathRoot: DirOpener = async (rootReal, create, field) => {
  if (create) await mkdir(rootReal, { recursive: true });
  const dir = new CheckedPathDir(rootReal);
  if ((await lstat(rootReal)).isSymbolicLink()) throw swapped(field, rootReal);
  return dir;
};

/** Deno refuses /proc/self without --allow-all (a path there would bypass its permissions): checked paths then. */
const hasProcFd = () => {
  if (process.platform !== "linux") return false;
  try {
    return existsSync("/proc/self/fd");
  } catch {
    return false;
  }
};

/** Handles through /proc/self/fd where the host has them (Linux), checked paths elsewhere. */
export function hostDirOpener(): { open: DirOpener; closesRace: boolean } {
  if (hasProcFd()) return { open: openProcFdRoot, closesRace: true };
  return { open: openCheckedPathRoot, closesRace: false };
}

const COPY_CHUNK = 1 << 20;

/**
 * Copies the whole content of one open file into another (already empty). On Linux the kernel copies between
 * the two open files (/proc/self/fd/<fd> names the open file itself, no path is walked); elsewhere in chunks.
 */
export async function copyContent(input: FileHandle, output: FileHandle, viaKernel = hasProcFd()): Promise<void> {
  if (viaKernel) return copyFile(`/proc/self/fd/${input.fd}`, `/proc/self/fd/${output.fd}`);
  const buf = Buffer.allocUnsafe(COPY_CHUNK);
  for (let pos = 0; ; ) {
    const { bytesRead } = await input.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return;
    for (let off = 0; off < bytesRead; ) off += (await output.write(buf, off, bytesRead - off, pos + off)).bytesWritten;
    pos += bytesRead;
  }
}

/**
 * Opens the folder `names` below the allowed folder `rootReal` (its real path), one step at a time without
 * following links, creating missing folders when `create`, and verifies where it ended up.
 */
export async function openBelow(opener: DirOpener, rootReal: string, names: readonly string[], create: boolean, field: string): Promise<DirHandle> {
  let dir = await opener(rootReal, create, field);
  try {
    for (const name of names) {
      const next = await dir.child(name, create, field);
      await dir.close();
      dir = next;
    }
    await dir.verify(rootReal, field);
    return dir;
  } catch (err) {
    await dir.close();
    throw err;
  }
}
