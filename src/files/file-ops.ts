// The whitelisted file operations behind /v4/filecopy, /filemove, /filedelete, /createdir and /createdirqvd:
// every path is checked lexically, then resolved inside its allowed folder, before any file is touched; the
// operation itself then works through folders opened without following links (dir-handle.ts), so a folder
// swapped for a link after the check cannot lead it outside.
import type { Stats } from "node:fs";
import { link, lstat, readdir, rename, rmdir, unlink, type FileHandle } from "node:fs/promises";
import type { Logger } from "pino";
import type { AuditActor, AuditLog } from "../audit/audit-log";
import { AppError, isAppError } from "../core/errors";
import type { MetricsRegistry } from "../core/metrics";
import { isUnder, normaliseRequestPath, pathApi, type PathFlavour } from "./path-rules";
import { resolveInside, samePath, type AllowedRoot, type ResolverFs, nodeResolverFs } from "./path-resolve";
import { copyContent, hostDirOpener, openBelow, sameFile, type DirHandle, type DirOpener } from "./dir-handle";

export interface AllowedDirs {
  copy: Array<{ from: AllowedRoot; to: AllowedRoot }>;
  move: Array<{ from: AllowedRoot; to: AllowedRoot }>;
  delete: AllowedRoot[];
  createDir: AllowedRoot[];
  qvdRoot?: AllowedRoot;
  allowUnc: boolean;
  allowDirectoryDelete: boolean;
}

export interface TransferRequest {
  fromFile: string;
  toFile: string;
  overwrite: boolean;
  preserveTimestamp?: boolean;
}

/** A copy's answer: the normalised request, and whether anything was copied (not when the target stayed). */
export type CopyResult = Required<TransferRequest> & { copied: boolean; message?: string };

export interface FileOps {
  copy(req: TransferRequest, actor: AuditActor): Promise<CopyResult>;
  move(req: TransferRequest, actor: AuditActor): Promise<Omit<TransferRequest, "preserveTimestamp">>;
  remove(deleteFile: string, actor: AuditActor): Promise<void>;
  createDir(directory: string, actor: AuditActor): Promise<{ directory: string }>;
  createQvdDir(directory: string, actor: AuditActor): Promise<{ directory: string }>;
}

export interface FileOpsDeps {
  /** Allowed folders with their current real paths (resolved per request: folders may be created or relinked). */
  dirs: () => Promise<AllowedDirs>;
  flavour: PathFlavour;
  audit: AuditLog;
  log: Logger;
  metrics: MetricsRegistry;
  fs?: ResolverFs;
  /** How folders are opened for the operation itself; the host's safest way by default. */
  dirOpener?: DirOpener;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

/** Operating-system errors mapped to API errors; anything unexpected stays a 500. */
function fromOsError(err: unknown, what: string): AppError {
  if (isAppError(err)) return err;
  const code = errno(err);
  if (code === "EACCES" || code === "EPERM") return new AppError("FORBIDDEN", `${what}: the operating system denied access (${code})`, { cause: err });
  if (code === "EEXIST" || code === "ENOTEMPTY") return new AppError("CONFLICT", `${what}: the target exists`, { cause: err });
  if (code === "ENOENT") return new AppError("NOT_FOUND", `${what}: a path does not exist`, { cause: err });
  if (code === "ENOTDIR") return new AppError("CONFLICT", `${what}: a folder on the way is a file`, { cause: err });
  // A name longer than the file system allows is the caller's mistake, not an internal error.
  if (code === "ENAMETOOLONG") return new AppError("BAD_REQUEST", `${what}: a name in the path is too long for the file system`, { cause: err });
  return new AppError("INTERNAL", `${what} failed (${code ?? (err as Error).message})`, { cause: err });
}

export function createFileOps(deps: FileOpsDeps): FileOps {
  const { flavour, audit } = deps;
  const api = pathApi(flavour);
  const fs = deps.fs ?? nodeResolverFs;
  const opener = deps.dirOpener ?? hostDirOpener().open;
  const ops = deps.metrics.counter("steward_files_operations_total", "File operations by operation and result.");

  async function audited<T>(action: string, target: string, actor: AuditActor, details: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      audit.record({ actor, action, target, result: "ok", details });
      ops.inc({ op: action, result: "ok" });
      return out;
    } catch (err) {
      const e = fromOsError(err, action);
      const result = e.status === 403 ? "denied" : "failed";
      audit.record({ actor, action, target, result, details: { ...details, status: e.status, error: e.message } });
      ops.inc({ op: action, result });
      if (e.status >= 500) deps.log.error({ err: (err as Error).message, action, target }, "file operation failed");
      throw e;
    }
  }

  /** The names of `real` below the allowed folder `root` (both real paths, `real` inside `root`). */
  const namesBelow = (real: string, root: string) =>
    real
      .slice(root.length)
      .split(api.sep)
      .filter((n) => n !== "");

  /** Opens the folder holding the resolved entry; with `create`, missing folders on the way are made. */
  const openParentOf = (r: { real: string; root: string }, field: string, create: boolean) =>
    openBelow(opener, r.root, namesBelow(api.dirname(r.real), r.root), create, field);

  const notFound = (field: string) => (err: unknown) => {
    if (errno(err) === "ENOENT" || errno(err) === "ENOTDIR")
      throw new AppError("NOT_FOUND", `${field}: does not exist`, { details: [{ field, message: "not found" }] });
    throw err;
  };
  const notADir = (v: string) => new AppError("CONFLICT", v);
  const targetExists = () =>
    new AppError("CONFLICT", "toFile: exists; set overwrite: true to replace it", { details: [{ field: "toFile", message: "exists" }] });
  const isTargetExists = (e: unknown) => e instanceof AppError && e.code === "CONFLICT" && e.message.startsWith("toFile: exists;");
  const sameAsSource = () => new AppError("BAD_REQUEST", "toFile: is the same file as fromFile");

  async function resolvePair(req: TransferRequest, kind: "copy" | "move") {
    const dirs = await deps.dirs();
    const pairs = dirs[kind];
    const setting = `files.${kind}`;
    const src = normaliseRequestPath(req.fromFile, "fromFile", flavour, dirs.allowUnc);
    const dst = normaliseRequestPath(req.toFile, "toFile", flavour, dirs.allowUnc);
    const under = (p: string, r: AllowedRoot) => isUnder(p, r.configured, flavour) || isUnder(p, r.real, flavour);
    const candidates = pairs.filter((pair) => under(src, pair.from) && under(dst, pair.to));
    if (candidates.length === 0) {
      throw new AppError(
        "PATH_NOT_ALLOWED",
        `no ${setting} entry allows fromFile → toFile (fromFile must be below its 'from' folder and toFile below 'to' of the same entry)`,
        {
          details: [{ field: "fromFile/toFile", message: "not an allowed pair" }],
        },
      );
    }
    let firstError: unknown;
    for (const pair of candidates) {
      try {
        const s = await resolveInside(src, [pair.from], "fromFile", flavour, fs);
        const d = await resolveInside(dst, [pair.to], "toFile", flavour, fs);
        // An allowed folder itself is a folder: it has no parent inside the allowed folder to open.
        if (samePath(s.real, s.root, flavour))
          throw new AppError("BAD_REQUEST", "fromFile: is a directory; only files can be copied or moved", {
            details: [{ field: "fromFile", message: "is a directory" }],
          });
        if (samePath(d.real, d.root, flavour)) throw notADir("toFile: is an existing directory; give the full target file name");
        return { src, dst, s, d, pair };
      } catch (err) {
        firstError ??= err;
      }
    }
    throw firstError;
  }

  /** Opens the source file for reading through its folder's handle: 404 when missing, 400 when not a file. */
  async function openSource(dir: DirHandle, name: string): Promise<{ input: FileHandle; st: Stats }> {
    const input = await dir.openFile(name, "read", "fromFile").catch((err) => {
      if (errno(err) === "EISDIR")
        throw new AppError("BAD_REQUEST", "fromFile: is a directory; only files can be copied or moved", {
          details: [{ field: "fromFile", message: "is a directory" }],
        });
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

  /** Writes the open source into `name` of the target folder, never through a link and never onto itself. */
  async function writeCopy(input: FileHandle, st: Stats, dir: DirHandle, name: string, overwrite: boolean, keepTimes: boolean): Promise<void> {
    const output = await dir.openFile(name, overwrite ? "write" : "create", "toFile").catch(async (err) => {
      const code = errno(err);
      if (code === "EISDIR" || (code === "EEXIST" && (await lstat(dir.at(name)).catch(() => undefined))?.isDirectory())) {
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
      if (flavour === "posix") await output.chmod(st.mode & 0o777);
      if (keepTimes) await output.utimes(st.atime, st.mtime);
      done = true;
    } finally {
      await output.close();
      // A file this request created and could not fill is removed again, if the name still holds that file.
      if (!done && !overwrite && target) await removeIfSame(dir.at(name), target);
    }
  }

  /**
   * Deletes a folder's content through handles; a sub-folder that became a link is removed itself, never
   * followed. Each removal is preceded by a check that the folder is still below `root` (without handles,
   * on Windows, that re-check is what keeps the window small).
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

  async function removeIfSame(at: string, created: Stats): Promise<void> {
    const there = await lstat(at).catch(() => undefined);
    if (there && sameFile(there, created)) await unlink(at).catch(() => undefined);
  }

  /** Unlinks a file or a link (a Windows junction or directory link needs rmdir). */
  async function removeEntry(at: string): Promise<void> {
    try {
      await unlink(at);
    } catch (err) {
      if (errno(err) === "ENOENT") return;
      if (errno(err) !== "EPERM" && errno(err) !== "EISDIR") throw err;
      await rmdir(at);
    }
  }

  return {
    async copy(req, actor) {
      const preserveTimestamp = req.preserveTimestamp ?? false;
      const details: Record<string, unknown> = { overwrite: req.overwrite, preserveTimestamp };
      return audited("file.copy", `${req.fromFile} → ${req.toFile}`, actor, details, async (): Promise<CopyResult> => {
        const { src, dst, s, d } = await resolvePair(req, "copy");
        const echo = { fromFile: src, toFile: dst, overwrite: req.overwrite, preserveTimestamp };
        if (samePath(s.real, d.real, flavour)) throw sameAsSource();
        const srcDir = await openParentOf(s, "fromFile", false).catch(notFound("fromFile"));
        try {
          const { input, st } = await openSource(srcDir, api.basename(s.real));
          try {
            const dstDir = await openParentOf(d, "toFile", true);
            try {
              await writeCopy(input, st, dstDir, api.basename(d.real), req.overwrite, preserveTimestamp);
            } catch (err) {
              // Butler answered 201 and left an existing target alone when overwrite was false; load scripts
              // rely on that to copy "if not there yet". The answer and the audit log say nothing was copied.
              if (!req.overwrite && isTargetExists(err)) {
                details.copied = false;
                return { ...echo, copied: false, message: "toFile exists and overwrite is false: nothing was copied" };
              }
              throw err;
            } finally {
              await dstDir.close();
            }
          } finally {
            await input.close();
          }
        } finally {
          await srcDir.close();
        }
        return { ...echo, copied: true };
      });
    },

    async move(req, actor) {
      return audited("file.move", `${req.fromFile} → ${req.toFile}`, actor, { overwrite: req.overwrite }, async () => {
        const { src, dst, s, d, pair } = await resolvePair(req, "move");
        if (samePath(s.real, d.real, flavour)) throw sameAsSource();
        // The named entry itself is moved (a final link is not followed): its real folder plus its name.
        const fromParent = await resolveInside(api.dirname(src), [pair.from], "fromFile", flavour, fs);
        const fromName = api.basename(src);
        const srcDir = await openBelow(opener, fromParent.root, namesBelow(fromParent.real, fromParent.root), false, "fromFile").catch(notFound("fromFile"));
        try {
          const from = srcDir.at(fromName);
          const st = await lstat(from).catch(notFound("fromFile"));
          // Moving a link moves the link itself; a relative one would then point somewhere else from its new
          // folder, possibly outside every allowed folder. Links are copied (their target) but never moved.
          if (st.isSymbolicLink()) {
            throw new AppError("PATH_NOT_ALLOWED", "fromFile: is a symbolic link; move the file it points to instead", {
              details: [{ field: "fromFile", message: "symbolic link" }],
            });
          }
          if (st.isDirectory())
            throw new AppError("BAD_REQUEST", "fromFile: is a directory; only files can be copied or moved", {
              details: [{ field: "fromFile", message: "is a directory" }],
            });
          const dstDir = await openParentOf(d, "toFile", true);
          try {
            const toName = api.basename(d.real);
            const to = dstDir.at(toName);
            const existing = await lstat(to).catch((err) => (errno(err) === "ENOENT" ? undefined : Promise.reject(err)));
            if (existing?.isDirectory()) throw notADir("toFile: is an existing directory; give the full target file name");
            if (existing && !req.overwrite) throw targetExists();
            if (existing && sameFile(existing, st)) throw sameAsSource();
            // Right before acting: both folders are still below their allowed folders.
            await srcDir.verify(fromParent.root, "fromFile");
            await dstDir.verify(d.root, "toFile");
            if (!req.overwrite) {
              // link + unlink fails atomically if the target appeared meanwhile; rename would replace it silently.
              try {
                await link(from, to);
                await unlink(from);
                return { fromFile: src, toFile: dst, overwrite: false };
              } catch (err) {
                if (errno(err) === "EEXIST") throw targetExists();
                // Cross-device or a file system without hard links: fall through to rename/copy.
              }
            }
            try {
              await rename(from, to);
            } catch (err) {
              if (errno(err) !== "EXDEV") throw err;
              const { input, st: opened } = await openSource(srcDir, fromName);
              try {
                await writeCopy(input, opened, dstDir, toName, req.overwrite, true);
              } finally {
                await input.close();
              }
              await unlink(from);
            }
          } finally {
            await dstDir.close();
          }
        } finally {
          await srcDir.close();
        }
        return { fromFile: src, toFile: dst, overwrite: req.overwrite };
      });
    },

    async remove(deleteFile, actor) {
      return audited("file.delete", deleteFile, actor, {}, async () => {
        const dirs = await deps.dirs();
        const p = normaliseRequestPath(deleteFile, "deleteFile", flavour, dirs.allowUnc);
        const r = await resolveInside(p, dirs.delete, "deleteFile", flavour, fs);
        if (dirs.delete.some((root) => samePath(r.real, root.real, flavour) || samePath(p, root.configured, flavour))) {
          throw new AppError("PATH_NOT_ALLOWED", "deleteFile: is an allowed folder itself and cannot be deleted");
        }
        // The named entry itself (a final link is removed, not followed): its real folder plus its name.
        const parent = await resolveInside(api.dirname(p), dirs.delete, "deleteFile", flavour, fs);
        const name = api.basename(p);
        const dir = await openBelow(opener, parent.root, namesBelow(parent.real, parent.root), false, "deleteFile").catch(notFound("deleteFile"));
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
      });
    },

    async createDir(directory, actor) {
      return audited("file.mkdir", directory, actor, {}, async () => {
        const dirs = await deps.dirs();
        const p = normaliseRequestPath(directory, "directory", flavour, dirs.allowUnc);
        await makeDir(p, dirs.createDir);
        return { directory: p };
      });
    },

    async createQvdDir(directory, actor) {
      return audited("file.mkdir-qvd", directory, actor, {}, async () => {
        const dirs = await deps.dirs();
        if (!dirs.qvdRoot) throw new AppError("PATH_NOT_ALLOWED", "directory: createdirqvd needs files.qvdRoot in the config");
        if (/^[a-zA-Z]:/.test(directory) || /^[\\/]{2}/.test(directory)) {
          throw new AppError("BAD_REQUEST", "directory: must be relative to files.qvdRoot (no drive letter or UNC path)");
        }
        // Butler joined the directory onto its QVD root, so a leading separator is accepted and dropped.
        const relative = directory.replace(/^[\\/]+/, "");
        if (relative === "") throw new AppError("BAD_REQUEST", "directory: must name a folder below files.qvdRoot");
        const joined = `${dirs.qvdRoot.configured}${flavour === "win32" ? "\\" : "/"}${relative}`;
        const p = normaliseRequestPath(joined, "directory", flavour, dirs.allowUnc);
        await makeDir(p, [dirs.qvdRoot]);
        return { directory };
      });
    },
  };

  /** Creates the folder and its missing parents one at a time, each inside the one opened before. */
  async function makeDir(p: string, roots: AllowedRoot[]): Promise<void> {
    const r = await resolveInside(p, roots, "directory", flavour, fs);
    const dir = await openBelow(opener, r.root, namesBelow(r.real, r.root), true, "directory").catch((err) => {
      if (errno(err) === "ENOTDIR" || errno(err) === "EEXIST")
        throw new AppError("CONFLICT", "directory: a file with that name exists (or a folder on the way is a file)");
      throw err;
    });
    await dir.close();
  }
}
