// Real-path resolution of a request path that is lexically inside an allowed folder: walks it one name at a
// time from the folder's real path, following symbolic links and junctions only while their targets stay
// inside an allowed folder. Nothing outside the allowed folders is ever stat'ed, so answers cannot reveal
// whether an outside path exists.
import { lstat, readlink, realpath } from "node:fs/promises";
import { AppError } from "../core/errors";
import { comparable, isUnder, pathApi, type PathFlavour } from "./path-rules";

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
  real: string;
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

/** Real paths of configured folders; a folder that does not exist yet keeps its configured form. */
export async function realRoots(dirs: readonly string[], fs: ResolverFs = nodeResolverFs): Promise<AllowedRoot[]> {
  return Promise.all(
    dirs.map(async (configured) => {
      try {
        return { configured, real: await fs.realpath(configured) };
      } catch {
        return { configured, real: configured };
      }
    }),
  );
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
export async function resolveInside(p: string, roots: readonly AllowedRoot[], field: string, flavour: PathFlavour, fs: ResolverFs = nodeResolverFs): Promise<Resolved> {
  const api = pathApi(flavour);
  const outside = (why: string) =>
    new AppError("PATH_NOT_ALLOWED", `${field}: ${why}`, { details: [{ field, message: why }] });
  let current = p;
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    const match = findRoot(current, roots, flavour);
    if (!match) throw outside(hop === 0 ? "is outside the allowed directories" : "leads (through a symbolic link or junction) outside the allowed directories");
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
        const target = plainLinkTarget(await fs.readlink(next), flavour);
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
