// The whitelisted file operations behind /v4/filecopy, /filemove, /filedelete, /createdir and /createdirqvd:
// every path is checked lexically, then resolved inside its allowed folder, before any file is touched.
import { constants } from "node:fs";
import { copyFile, link, lstat, mkdir, rename, rm, rmdir, stat, unlink, utimes } from "node:fs/promises";
import type { Logger } from "pino";
import type { AuditActor, AuditLog } from "../audit/audit-log";
import { AppError, isAppError } from "../core/errors";
import type { MetricsRegistry } from "../core/metrics";
import { isUnder, normaliseRequestPath, pathApi, type PathFlavour } from "./path-rules";
import { resolveInside, samePath, type AllowedRoot, type ResolverFs, nodeResolverFs } from "./path-resolve";

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

  /** The named entry itself (a final link is not followed): the real parent plus the last name. */
  async function entryOf(p: string, roots: AllowedRoot[], field: string): Promise<string> {
    const parent = await resolveInside(api.dirname(p), roots, field, flavour, fs);
    return api.join(parent.real, api.basename(p));
  }

  const notADir = (v: string) => new AppError("CONFLICT", v);

  async function resolvePair(req: TransferRequest, kind: "copy" | "move") {
    const dirs = await deps.dirs();
    const pairs = dirs[kind];
    const setting = `files.${kind}`;
    const src = normaliseRequestPath(req.fromFile, "fromFile", flavour, dirs.allowUnc);
    const dst = normaliseRequestPath(req.toFile, "toFile", flavour, dirs.allowUnc);
    const under = (p: string, r: AllowedRoot) => isUnder(p, r.configured, flavour) || isUnder(p, r.real, flavour);
    const candidates = pairs.filter((pair) => under(src, pair.from) && under(dst, pair.to));
    if (candidates.length === 0) {
      throw new AppError("PATH_NOT_ALLOWED", `no ${setting} entry allows fromFile → toFile (fromFile must be below its 'from' folder and toFile below 'to' of the same entry)`, {
        details: [{ field: "fromFile/toFile", message: "not an allowed pair" }],
      });
    }
    let firstError: unknown;
    for (const pair of candidates) {
      try {
        const s = await resolveInside(src, [pair.from], "fromFile", flavour, fs);
        const d = await resolveInside(dst, [pair.to], "toFile", flavour, fs);
        return { src, dst, s, d, pair };
      } catch (err) {
        firstError ??= err;
      }
    }
    throw firstError;
  }

  async function sourceFile(real: string): Promise<import("node:fs").Stats> {
    let st: import("node:fs").Stats;
    try {
      st = await stat(real);
    } catch (err) {
      if (errno(err) === "ENOENT" || errno(err) === "ENOTDIR") throw new AppError("NOT_FOUND", "fromFile: does not exist", { details: [{ field: "fromFile", message: "not found" }] });
      throw err;
    }
    if (st.isDirectory()) throw new AppError("BAD_REQUEST", "fromFile: is a directory; only files can be copied or moved", { details: [{ field: "fromFile", message: "is a directory" }] });
    return st;
  }

  /** 409 when the target is a directory, or exists and may not be replaced; true when it exists (and may be). */
  async function checkTarget(real: string, overwrite: boolean): Promise<boolean> {
    try {
      const st = await stat(real);
      if (st.isDirectory()) throw notADir("toFile: is an existing directory; give the full target file name");
      if (!overwrite) throw new AppError("CONFLICT", "toFile: exists; set overwrite: true to replace it", { details: [{ field: "toFile", message: "exists" }] });
      return true;
    } catch (err) {
      if (isAppError(err)) throw err;
      if (errno(err) !== "ENOENT") throw err;
      return false;
    }
  }

  const targetStays = (e: unknown) => isAppError(e) && e.code === "CONFLICT" && e.message.startsWith("toFile: exists");

  return {
    async copy(req, actor) {
      const preserveTimestamp = req.preserveTimestamp ?? false;
      const details: Record<string, unknown> = { overwrite: req.overwrite, preserveTimestamp };
      return audited("file.copy", `${req.fromFile} → ${req.toFile}`, actor, details, async () => {
        const { src, dst, s, d } = await resolvePair(req, "copy");
        const st = await sourceFile(s.real);
        if (samePath(s.real, d.real, flavour)) throw new AppError("BAD_REQUEST", "toFile: is the same file as fromFile");
        const echo = { fromFile: src, toFile: dst, overwrite: req.overwrite, preserveTimestamp };
        // Butler answered 201 and left an existing target alone when overwrite was false; load scripts rely on
        // that to copy "if not there yet". The answer and the audit log say that nothing was copied.
        const notCopied = () => {
          details.copied = false;
          return { ...echo, copied: false, message: "toFile exists and overwrite is false: nothing was copied" };
        };
        try {
          await checkTarget(d.real, req.overwrite);
        } catch (err) {
          if (targetStays(err)) return notCopied();
          throw err;
        }
        await mkdir(api.dirname(d.real), { recursive: true });
        try {
          await copyFile(s.real, d.real, req.overwrite ? 0 : constants.COPYFILE_EXCL);
        } catch (err) {
          // The target appeared between the check and the copy: still never replaced without overwrite.
          if (!req.overwrite && errno(err) === "EEXIST") return notCopied();
          throw err;
        }
        if (preserveTimestamp) await utimes(d.real, st.atime, st.mtime);
        return { ...echo, copied: true };
      });
    },

    async move(req, actor) {
      return audited("file.move", `${req.fromFile} → ${req.toFile}`, actor, { overwrite: req.overwrite }, async () => {
        const { src, dst, s, d, pair } = await resolvePair(req, "move");
        const st = await sourceFile(s.real);
        if (samePath(s.real, d.real, flavour)) throw new AppError("BAD_REQUEST", "toFile: is the same file as fromFile");
        await checkTarget(d.real, req.overwrite);
        const from = await entryOf(src, [pair.from], "fromFile");
        // Moving a link moves the link itself; a relative one would then point somewhere else from its new
        // folder, possibly outside every allowed folder. Links are copied (their target) but never moved.
        if ((await lstat(from)).isSymbolicLink()) {
          throw new AppError("PATH_NOT_ALLOWED", "fromFile: is a symbolic link; move the file it points to instead", { details: [{ field: "fromFile", message: "symbolic link" }] });
        }
        await mkdir(api.dirname(d.real), { recursive: true });
        if (!req.overwrite) {
          // link + unlink fails atomically if the target appeared meanwhile; rename would replace it silently.
          try {
            await link(from, d.real);
            await unlink(from);
            return { fromFile: src, toFile: dst, overwrite: false };
          } catch (err) {
            if (errno(err) === "EEXIST") throw new AppError("CONFLICT", "toFile: exists; set overwrite: true to replace it");
            // Cross-device or a file system without hard links: fall through to rename/copy.
          }
        }
        try {
          await rename(from, d.real);
        } catch (err) {
          if (errno(err) !== "EXDEV") throw err;
          await copyFile(s.real, d.real, req.overwrite ? 0 : constants.COPYFILE_EXCL);
          await utimes(d.real, st.atime, st.mtime);
          await unlink(from);
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
        const entry = await entryOf(p, dirs.delete, "deleteFile");
        let st: import("node:fs").Stats;
        try {
          st = await lstat(entry);
        } catch (err) {
          if (errno(err) === "ENOENT" || errno(err) === "ENOTDIR") throw new AppError("NOT_FOUND", "deleteFile: does not exist", { details: [{ field: "deleteFile", message: "not found" }] });
          throw err;
        }
        if (st.isSymbolicLink()) {
          // Removes the link (or junction) itself, never what it points to.
          try {
            await unlink(entry);
          } catch (err) {
            if (errno(err) !== "EPERM" && errno(err) !== "EISDIR") throw err;
            await rmdir(entry);
          }
        } else if (st.isDirectory()) {
          if (!dirs.allowDirectoryDelete) throw new AppError("PATH_NOT_ALLOWED", "deleteFile: is a directory; deleting directories is off (files.allowDirectoryDelete)");
          await rm(entry, { recursive: true });
        } else {
          await unlink(entry);
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

  async function makeDir(p: string, roots: AllowedRoot[]): Promise<void> {
    const r = await resolveInside(p, roots, "directory", flavour, fs);
    try {
      const st = await stat(r.real);
      if (!st.isDirectory()) throw new AppError("CONFLICT", "directory: a file with that name exists");
      return;
    } catch (err) {
      if (isAppError(err)) throw err;
      if (errno(err) !== "ENOENT" && errno(err) !== "ENOTDIR") throw err;
    }
    await mkdir(r.real, { recursive: true });
  }
}
