// Copy and move between an allowed pair of folders (files.copy / files.move): both paths resolved inside the same
// pair, then worked through folder handles so a folder swapped for a link after the check cannot lead outside.
import { link, lstat, rename, unlink } from "node:fs/promises";
import { AppError } from "../../platform/core/errors";
import type { FileContext } from "./file-context";
import { openSource, writeCopy } from "./file-content";
import { sameFile } from "./dir-handle";
import { errno, isADirectory, isTargetExists, notADir, notFound, sameAsSource, targetExists } from "./file-errors";
import { resolveInside, samePath, type AllowedRoot } from "./path-resolve";
import { isUnder, normaliseRequestPath } from "./path-rules";

export interface TransferRequest {
  fromFile: string;
  toFile: string;
  overwrite: boolean;
  preserveTimestamp?: boolean;
}

/** A copy's answer: the normalised request, and whether anything was copied (not when the target stayed). */
export type CopyResult = Required<TransferRequest> & { copied: boolean; message?: string };

async function resolvePair(x: FileContext, req: TransferRequest, kind: "copy" | "move") {
  const dirs = await x.dirs();
  const src = normaliseRequestPath(req.fromFile, "fromFile", x.flavour, dirs.allowUnc);
  const dst = normaliseRequestPath(req.toFile, "toFile", x.flavour, dirs.allowUnc);
  const under = (p: string, r: AllowedRoot) => isUnder(p, r.configured, x.flavour) || isUnder(p, r.real, x.flavour);
  const candidates = dirs[kind].filter((pair) => under(src, pair.from) && under(dst, pair.to));
  if (candidates.length === 0) {
    throw new AppError(
      "PATH_NOT_ALLOWED",
      `no files.${kind} entry allows fromFile → toFile (fromFile must be below its 'from' folder and toFile below 'to' of the same entry)`,
      { details: [{ field: "fromFile/toFile", message: "not an allowed pair" }] },
    );
  }
  let firstError: unknown;
  for (const pair of candidates) {
    try {
      const s = await resolveInside(src, [pair.from], "fromFile", x.flavour, x.fs);
      const d = await resolveInside(dst, [pair.to], "toFile", x.flavour, x.fs);
      // An allowed folder itself is a folder: it has no parent inside the allowed folder to open.
      if (samePath(s.real, s.root, x.flavour)) throw isADirectory();
      if (samePath(d.real, d.root, x.flavour)) throw notADir("toFile: is an existing directory; give the full target file name");
      return { src, dst, s, d, pair };
    } catch (err) {
      firstError ??= err;
    }
  }
  throw firstError;
}

/** `nothingCopied` is told when an existing target stayed (overwrite false): Butler's 201 that copied nothing. */
export async function copyFile(x: FileContext, req: TransferRequest, nothingCopied: () => void): Promise<CopyResult> {
  const preserveTimestamp = req.preserveTimestamp ?? false;
  const { src, dst, s, d } = await resolvePair(x, req, "copy");
  const echo = { fromFile: src, toFile: dst, overwrite: req.overwrite, preserveTimestamp };
  if (samePath(s.real, d.real, x.flavour)) throw sameAsSource();
  const srcDir = await x.openParentOf(s, "fromFile", false).catch(notFound("fromFile"));
  try {
    const { input, st } = await openSource(srcDir, x.api.basename(s.real));
    try {
      const dstDir = await x.openParentOf(d, "toFile", true);
      try {
        await writeCopy(input, st, { dir: dstDir, name: x.api.basename(d.real), overwrite: req.overwrite, keepTimes: preserveTimestamp, flavour: x.flavour });
      } catch (err) {
        // Butler answered 201 and left an existing target alone when overwrite was false; load scripts rely on
        // that to copy "if not there yet". The answer and the audit log say nothing was copied.
        if (!req.overwrite && isTargetExists(err)) {
          nothingCopied();
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
}

export async function moveFile(x: FileContext, req: TransferRequest): Promise<Omit<TransferRequest, "preserveTimestamp">> {
  const { src, dst, d, s, pair } = await resolvePair(x, req, "move");
  if (samePath(s.real, d.real, x.flavour)) throw sameAsSource();
  // The named entry itself is moved (a final link is not followed): its real folder plus its name.
  const fromParent = await resolveInside(x.api.dirname(src), [pair.from], "fromFile", x.flavour, x.fs);
  const fromName = x.api.basename(src);
  const srcDir = await x.openDir(fromParent, "fromFile", false).catch(notFound("fromFile"));
  try {
    const from = srcDir.at(fromName);
    const st = await lstat(from).catch(notFound("fromFile"));
    // Moving a link moves the link itself; a relative one would then point somewhere else from its new folder,
    // possibly outside every allowed folder. Links are copied (their target) but never moved.
    if (st.isSymbolicLink()) {
      throw new AppError("PATH_NOT_ALLOWED", "fromFile: is a symbolic link; move the file it points to instead", {
        details: [{ field: "fromFile", message: "symbolic link" }],
      });
    }
    if (st.isDirectory()) throw isADirectory();
    const dstDir = await x.openParentOf(d, "toFile", true);
    try {
      const toName = x.api.basename(d.real);
      const to = dstDir.at(toName);
      const existing = await lstat(to).catch((err) => (errno(err) === "ENOENT" ? undefined : Promise.reject(err)));
      if (existing?.isDirectory()) throw notADir("toFile: is an existing directory; give the full target file name");
      if (existing && !req.overwrite) throw targetExists();
      if (existing && sameFile(existing, st)) throw sameAsSource();
      // Right before acting: both folders are still below their allowed folders.
      await srcDir.verify(fromParent.root, "fromFile");
      await dstDir.verify(d.root, "toFile");
      if (!req.overwrite && (await linkThenUnlink(from, to))) return { fromFile: src, toFile: dst, overwrite: false };
      try {
        await rename(from, to);
      } catch (err) {
        if (errno(err) !== "EXDEV") throw err;
        const { input, st: opened } = await openSource(srcDir, fromName);
        try {
          await writeCopy(input, opened, { dir: dstDir, name: toName, overwrite: req.overwrite, keepTimes: true, flavour: x.flavour });
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
}

/**
 * link + unlink fails atomically if the target appeared meanwhile; rename would replace it silently. False when
 * the file system cannot link (another device, no hard links): the caller renames or copies instead.
 */
async function linkThenUnlink(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    await unlink(from);
    return true;
  } catch (err) {
    if (errno(err) === "EEXIST") throw targetExists();
    return false;
  }
}
