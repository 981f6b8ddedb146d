// The answers a file operation gives when the file system says no: operating-system errors mapped to API errors
// (anything unexpected stays a 500), and the few conflicts every operation names the same way.
import { AppError, isAppError } from "../../platform/core/errors";

export const errno = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

export function fromOsError(err: unknown, what: string): AppError {
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

/** A missing path (or a file where a folder should be) as 404 naming the request's field; anything else rethrown. */
export const notFound = (field: string) => (err: unknown) => {
  if (errno(err) === "ENOENT" || errno(err) === "ENOTDIR")
    throw new AppError("NOT_FOUND", `${field}: does not exist`, { details: [{ field, message: "not found" }] });
  throw err;
};

export const notADir = (message: string) => new AppError("CONFLICT", message);

export const targetExists = () =>
  new AppError("CONFLICT", "toFile: exists; set overwrite: true to replace it", { details: [{ field: "toFile", message: "exists" }] });

export const isTargetExists = (e: unknown) => e instanceof AppError && e.code === "CONFLICT" && e.message.startsWith("toFile: exists;");

export const sameAsSource = () => new AppError("BAD_REQUEST", "toFile: is the same file as fromFile");

export const isADirectory = () =>
  new AppError("BAD_REQUEST", "fromFile: is a directory; only files can be copied or moved", { details: [{ field: "fromFile", message: "is a directory" }] });
