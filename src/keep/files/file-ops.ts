// The whitelisted file operations behind /v4/filecopy, /filemove, /filedelete, /createdir and /createdirqvd:
// every path is checked lexically, then resolved inside its allowed folder, before any file is touched; the
// operation itself then works through folders opened without following links (dir-handle.ts), so a folder
// swapped for a link after the check cannot lead it outside. Each operation is audited and counted here.
import type { AuditActor } from "../../platform/audit/audit-log";
import { createFileContext, type FileOpsDeps } from "./file-context";
import { fromOsError } from "./file-errors";
import { createDirectory, createQvdDirectory, removePath } from "./file-folders";
import { type CopyResult, copyFile, moveFile, type TransferRequest } from "./file-transfer";

export type { AllowedDirs, FileOpsDeps } from "./file-context";
export type { CopyResult, TransferRequest } from "./file-transfer";

export interface FileOps {
  copy(req: TransferRequest, actor: AuditActor): Promise<CopyResult>;
  move(req: TransferRequest, actor: AuditActor): Promise<Omit<TransferRequest, "preserveTimestamp">>;
  remove(deleteFile: string, actor: AuditActor): Promise<void>;
  createDir(directory: string, actor: AuditActor): Promise<{ directory: string }>;
  createQvdDir(directory: string, actor: AuditActor): Promise<{ directory: string }>;
}

export function createFileOps(deps: FileOpsDeps): FileOps {
  const x = createFileContext(deps);
  const ops = deps.metrics.counter("steward_files_operations_total", "File operations by operation and result.");

  async function audited<T>(action: string, target: string, actor: AuditActor, details: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      deps.audit.record({ actor, action, target, result: "ok", details });
      ops.inc({ op: action, result: "ok" });
      return out;
    } catch (err) {
      const e = fromOsError(err, action);
      const result = e.status === 403 ? "denied" : "failed";
      deps.audit.record({ actor, action, target, result, details: { ...details, status: e.status, error: e.message } });
      ops.inc({ op: action, result });
      if (e.status >= 500) deps.log.error({ err: (err as Error).message, action, target }, "file operation failed");
      throw e;
    }
  }

  return {
    copy(req, actor) {
      const details: Record<string, unknown> = { overwrite: req.overwrite, preserveTimestamp: req.preserveTimestamp ?? false };
      return audited("file.copy", `${req.fromFile} → ${req.toFile}`, actor, details, () =>
        copyFile(x, req, () => {
          details.copied = false;
        }),
      );
    },
    move: (req, actor) => audited("file.move", `${req.fromFile} → ${req.toFile}`, actor, { overwrite: req.overwrite }, () => moveFile(x, req)),
    remove: (deleteFile, actor) => audited("file.delete", deleteFile, actor, {}, () => removePath(x, deleteFile)),
    createDir: (directory, actor) => audited("file.mkdir", directory, actor, {}, () => createDirectory(x, directory)),
    createQvdDir: (directory, actor) => audited("file.mkdir-qvd", directory, actor, {}, () => createQvdDirectory(x, directory)),
  };
}
