// Real-path resolution of a request path that is lexically inside an allowed folder: walks it one name at a
// time from the folder's real path, following symbolic links and junctions only while their targets stay
// inside an allowed folder. Nothing outside the allowed folders is ever stat'ed, so answers cannot reveal
// whether an outside path exists.
import { lstat, readlink, realpath } from "node:fs/promises";
import { AppError } from "../../platform/core/errors";
import { comparable, hostFlavour, isUnder, pathApi, type PathFlavour } from "./path-rules";

/** The file-system calls the resolver makes; node:fs/promises in production. */
export interface ResolverFs {
  lstat(p: string): Promise<{ isSymbolicLink(): boolean; isDirectory(): boolean }>;
  readlink(p: string): Promise<string>;
  realpath(p: string): Promise<string>;
}

export const nodeResolverFs: ResolverFs = { lstat, readlink, realpath };

/** An allowed folder as configured and as it really is on disk. */
export interface AllowedRoot {
  configured: string;
  /** The real path, resolved when Steward started (or when the folder first existed). */
  real: string;
  /** Where the configured path leads now, when that is no longer `real` (a link re-pointed since start). */
  movedTo?: string;
}

/**
 * The real path of a folder; for one that does not exist yet, the real path of its nearest existing parent
 * with the missing names appended, so that it contains no link either way.
 */
export async function realPathOrNearest(dir: string, flavour: PathFlavour, fs: ResolverFs = nodeResolverFs): Promise<{ real: string; exists: boolean }> {
  const api = pathApi(flavour);
  const missing: string[] = [];
  let cur = dir;
  for (;;) {
    try {
      return { real: api.join(await fs.realpath(cur), ...[...missing].reverse()), exists: missing.length === 0 };
    } catch {
      const up = api.dirname(cur);
      if (up === cur) return { real: dir, exists: false };
      missing.push(api.basename(cur));
      cur = up;
    }
  }
}

export interface Resolved {
  /** The real path (links resolved; a missing tail appended as written). */
  real: string;
  /** The allowed folder (real form) it lies in. */
  root: string;
  /** True if every component exists. */
  exists: boolean;
}

const MAX_LINK_HOPS = 40;

/** Maps the real-path forms Windows reports for junctions (\\?\C:\…, \\?\UNC\…) back to plain paths. */
function plainLinkTarget(target: string, flavour: PathFlavour): string {
  if (flavour !== "win32") return target;
  if (/^\\\\\?\\UNC\\/i.test(target)) return `\\\\${target.slice(8)}`;
  if (/^\\\\\?\\[a-zA-Z]:/.test(target) || /^\\\?\?\\[a-zA-Z]:/.test(target)) return target.slice(4);
  return target;
}

/** Real paths of configured folders (a folder that does not exist yet: see realPathOrNearest). */
export async function realRoots(dirs: readonly string[], fs: ResolverFs = nodeResolverFs, flavour: PathFlavour = hostFlavour()): Promise<AllowedRoot[]> {
  return Promise.all(dirs.map(async (configured) => ({ configured, real: (await realPathOrNearest(configured, flavour, fs)).real })));
}

function findRoot(p: string, roots: readonly AllowedRoot[], flavour: PathFlavour): { root: AllowedRoot; viaReal: boolean } | undefined {
  // Longest match first, so nested allowed folders resolve against the innermost one.
  let best: { root: AllowedRoot; viaReal: boolean; len: number } | undefined;
  for (const root of roots) {
    for (const [form, viaReal] of [
      [root.real, true],
      [root.configured, false],
    ] as const) {
      if (isUnder(p, form, flavour) && (!best || form.length > best.len)) best = { root, viaReal, len: form.length };
    }
  }
  return best;
}

/**
 * Resolves `p` (normalised, absolute) against `roots`. Throws 403 when it is outside every root or a link on
 * the way leads outside; 400 on link loops. The first decision is lexical, before any file-system call.
 */
export async function resolveInside(
  p: string,
  roots: readonly AllowedRoot[],
  field: string,
  flavour: PathFlavour,
  fs: ResolverFs = nodeResolverFs,
): Promise<Resolved> {
  const api = pathApi(flavour);
  const outside = (why: string) => new AppError("PATH_NOT_ALLOWED", `${field}: ${why}`, { details: [{ field, message: why }] });
  let current = p;
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    const match = findRoot(current, roots, flavour);
    if (!match) throw outside(hop === 0 ? "is outside the allowed directories" : "leads (through a symbolic link or junction) outside the allowed directories");
    if (match.root.movedTo !== undefined) {
      throw outside(
        `the allowed folder ${match.root.configured} now leads to ${match.root.movedTo}, not to ${match.root.real} as when Steward started; restart Steward to accept the new location`,
      );
    }
    const base = match.viaReal ? match.root.real : match.root.configured;
    // The part below the root, cut by length (isUnder matched it): win32.relative folds case its own way and
    // could answer "..\\…" for a look-alike, which would then be walked upwards out of the root.
    const rest = current.slice(base.length).replace(flavour === "win32" ? /^[\\/]+/ : /^\/+/, "");
    const names = rest === "" ? [] : rest.split(api.sep);
    if (names.includes("..")) throw outside("is outside the allowed directories");
    let cur = match.root.real;
    let restarted = false;
    let exists = true;
    for (let i = 0; i < names.length; i++) {
      const next = api.join(cur, names[i]!);
      let st: { isSymbolicLink(): boolean; isDirectory(): boolean };
      try {
        st = await fs.lstat(next);
      } catch {
        // Missing (or not a directory on the way): the rest is appended as written; it is still inside.
        cur = api.join(next, ...names.slice(i + 1));
        exists = false;
        break;
      }
      if (st.isSymbolicLink()) {
        let raw: string;
        try {
          raw = await fs.readlink(next);
        } catch {
          // No longer a link (swapped back meanwhile, EINVAL) or gone: walk the same path again (one hop used).
          restarted = true;
          break;
        }
        const target = plainLinkTarget(raw, flavour);
        const abs = api.normalize(api.isAbsolute(target) ? target : api.join(cur, target));
        current = api.join(abs, ...names.slice(i + 1));
        restarted = true;
        break;
      }
      cur = next;
    }
    if (restarted) continue;
    const real = cur;
    const inRoot = roots.find((r) => isUnder(real, r.real, flavour));
    if (!inRoot) throw outside("leads outside the allowed directories");
    return { real, root: inRoot.real, exists };
  }
  throw new AppError("BAD_REQUEST", `${field}: too many levels of symbolic links`, { details: [{ field, message: "link loop" }] });
}

/** True when two resolved paths name the same entry. */
export function samePath(a: string, b: string, flavour: PathFlavour): boolean {
  return comparable(a, flavour) === comparable(b, flavour);
}
