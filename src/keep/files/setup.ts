// Wires the file operations into the app when the `files` section exists: configured folders are made
// absolute against the config file's folder and checked once; their real paths are resolved once at start
// (or when a folder first exists) and each request checks that the configured path still leads there.
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { FilesConfig } from "./config";
import type { MetricsRegistry } from "../../platform/core/metrics";
import type { Router } from "../../platform/http/route";
import { createFileOps, type AllowedDirs, type FileOps } from "./file-ops";
import { hostFlavour, normaliseConfiguredDir, pathApi, type PathFlavour } from "./path-rules";
import { nodeResolverFs, realPathOrNearest, type AllowedRoot, type ResolverFs } from "./path-resolve";
import { registerFileRoutes } from "./routes";

export interface FilesSetupDeps {
  baseDir: string;
  audit: AuditLog;
  log: Logger;
  metrics: MetricsRegistry;
  router: Router;
  flavour?: PathFlavour;
  fs?: ResolverFs;
}

/** A configured folder made absolute against the config's folder and checked; throws CONFIG_INVALID naming `setting`. */
export function resolveConfiguredDir(d: string, setting: string, baseDir: string, flavour: PathFlavour, allowUnc: boolean): string {
  const api = pathApi(flavour);
  // A Windows-looking folder on a non-Windows host is reported as such instead of being made relative.
  const looksWindows = flavour === "posix" && /^[a-zA-Z]:|\\/.test(d);
  const absolute = !looksWindows && !api.isAbsolute(d) ? api.resolve(baseDir, d) : d;
  return normaliseConfiguredDir(absolute, setting, flavour, allowUnc);
}

/** Returns the operations when `files` is configured, else undefined (then no file routes exist). */
export function setupFiles(cfg: FilesConfig | undefined, deps: FilesSetupDeps): FileOps | undefined {
  if (!cfg) return undefined;
  const flavour = deps.flavour ?? hostFlavour();
  const fs = deps.fs ?? nodeResolverFs;
  const dir = (d: string, setting: string) => resolveConfiguredDir(d, setting, deps.baseDir, flavour, cfg.allowUnc);
  const configured = {
    copy: cfg.copy.map((p, i) => ({ from: dir(p.from, `files.copy[${i}].from`), to: dir(p.to, `files.copy[${i}].to`) })),
    move: cfg.move.map((p, i) => ({ from: dir(p.from, `files.move[${i}].from`), to: dir(p.to, `files.move[${i}].to`) })),
    delete: cfg.delete.map((d, i) => dir(d, `files.delete[${i}]`)),
    createDir: cfg.createDir.map((d, i) => dir(d, `files.createDir[${i}]`)),
    qvdRoot: cfg.qvdRoot === undefined ? undefined : dir(cfg.qvdRoot, "files.qvdRoot"),
  };
  // An allowed folder that is itself a link (or lies below one) keeps the target it had at start: re-pointing
  // the link later must not silently widen what the API may touch.
  const pinned = new Map<string, string>();
  const realRoots = (list: readonly string[], fs: ResolverFs): Promise<AllowedRoot[]> =>
    Promise.all(
      list.map(async (configured) => {
        const now = await realPathOrNearest(configured, flavour, fs);
        const first = pinned.get(configured);
        if (first === undefined) {
          if (now.exists) pinned.set(configured, now.real);
          return { configured, real: now.real };
        }
        return now.exists && now.real !== first ? { configured, real: first, movedTo: now.real } : { configured, real: first };
      }),
    );
  const dirs = async (): Promise<AllowedDirs> => {
    const [copyFrom, copyTo, moveFrom, moveTo, del, create, qvd] = await Promise.all([
      realRoots(
        configured.copy.map((p) => p.from),
        fs,
      ),
      realRoots(
        configured.copy.map((p) => p.to),
        fs,
      ),
      realRoots(
        configured.move.map((p) => p.from),
        fs,
      ),
      realRoots(
        configured.move.map((p) => p.to),
        fs,
      ),
      realRoots(configured.delete, fs),
      realRoots(configured.createDir, fs),
      realRoots(configured.qvdRoot ? [configured.qvdRoot] : [], fs),
    ]);
    return {
      copy: copyFrom.map((from, i) => ({ from, to: copyTo[i]! })),
      move: moveFrom.map((from, i) => ({ from, to: moveTo[i]! })),
      delete: del,
      createDir: create,
      ...(qvd[0] ? { qvdRoot: qvd[0] } : {}),
      allowUnc: cfg.allowUnc,
      allowDirectoryDelete: cfg.allowDirectoryDelete,
    };
  };
  void dirs().catch(() => undefined); // pins the folders that exist at start
  const ops = createFileOps({ dirs, flavour, audit: deps.audit, log: deps.log.child({ module: "files" }), metrics: deps.metrics, fs });
  registerFileRoutes(deps.router, ops);
  return ops;
}
