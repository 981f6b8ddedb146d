// What every file operation shares: the configured folders, the path flavour of the host, and how a resolved path
// is opened as a chain of folder handles below its allowed folder.
import type { Logger } from "pino";
import type { AuditLog } from "../../platform/audit/audit-log";
import type { MetricsRegistry } from "../../platform/core/metrics";
import { type DirHandle, type DirOpener, hostDirOpener, openBelow } from "./dir-handle";
import type { AllowedRoot, ResolverFs } from "./path-resolve";
import { nodeResolverFs } from "./path-resolve";
import { type PathFlavour, pathApi } from "./path-rules";

export interface AllowedDirs {
  copy: Array<{ from: AllowedRoot; to: AllowedRoot }>;
  move: Array<{ from: AllowedRoot; to: AllowedRoot }>;
  delete: AllowedRoot[];
  createDir: AllowedRoot[];
  qvdRoot?: AllowedRoot;
  allowUnc: boolean;
  allowDirectoryDelete: boolean;
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

export interface FileContext {
  dirs: () => Promise<AllowedDirs>;
  flavour: PathFlavour;
  api: ReturnType<typeof pathApi>;
  fs: ResolverFs;
  opener: DirOpener;
  /** The names of `real` below the allowed folder `root` (both real paths, `real` inside `root`). */
  namesBelow(real: string, root: string): string[];
  /** Opens the folder holding the resolved entry; with `create`, missing folders on the way are made. */
  openParentOf(r: { real: string; root: string }, field: string, create: boolean): Promise<DirHandle>;
  /** Opens the folder `real` itself (a chain of handles from `root`). */
  openDir(r: { real: string; root: string }, field: string, create: boolean): Promise<DirHandle>;
}

export function createFileContext(deps: FileOpsDeps): FileContext {
  const api = pathApi(deps.flavour);
  const opener = deps.dirOpener ?? hostDirOpener().open;
  const namesBelow = (real: string, root: string) =>
    real
      .slice(root.length)
      .split(api.sep)
      .filter((n) => n !== "");
  return {
    dirs: deps.dirs,
    flavour: deps.flavour,
    api,
    fs: deps.fs ?? nodeResolverFs,
    opener,
    namesBelow,
    openParentOf: (r, field, create) => openBelow(opener, r.root, namesBelow(api.dirname(r.real), r.root), create, field),
    openDir: (r, field, create) => openBelow(opener, r.root, namesBelow(r.real, r.root), create, field),
  };
}
