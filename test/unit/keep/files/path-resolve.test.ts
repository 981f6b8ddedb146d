// Real-path resolution: links followed only while they stay inside, missing tails kept, nothing outside
// the allowed folders looked at. POSIX on real temp folders; Windows junction targets (\\?\C:\…) with a
// recorded in-memory file system, since no Windows file system runs on this host.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AppError } from "../../../../src/platform/core/errors";
import { realRoots, resolveInside, type ResolverFs } from "../../../../src/keep/files/path-resolve";
import { createTempDir } from "../../../helpers/temp-dir";

const tmp = createTempDir();
afterAll(() => tmp.remove());

async function statusOf(p: Promise<unknown>): Promise<number | string> {
  try {
    return ((await p) as { real: string }).real;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).status;
  }
}

describe("posix resolution on real folders", () => {
  const root = join(tmp.path, "root");
  const other = join(tmp.path, "other");
  mkdirSync(join(root, "sub"), { recursive: true });
  mkdirSync(other, { recursive: true });
  writeFileSync(join(root, "sub", "f.txt"), "x");
  symlinkSync(join(root, "sub"), join(root, "to-sub"));
  symlinkSync(other, join(root, "to-other"));
  symlinkSync(tmp.path, join(tmp.path, "alias"));

  test("follows inside links, keeps missing tails, refuses outside links", async () => {
    const roots = await realRoots([root]);
    expect(await statusOf(resolveInside(`${root}/to-sub/f.txt`, roots, "p", "posix"))).toBe(join(root, "sub", "f.txt"));
    expect(await statusOf(resolveInside(`${root}/sub/new/deeper.txt`, roots, "p", "posix"))).toBe(join(root, "sub", "new", "deeper.txt"));
    expect(await statusOf(resolveInside(`${root}/to-other/x`, roots, "p", "posix"))).toBe(403);
    expect(await statusOf(resolveInside(`${other}/x`, roots, "p", "posix"))).toBe(403);
  });

  test("a link to another allowed folder is followed", async () => {
    const roots = await realRoots([root, other]);
    expect(await statusOf(resolveInside(`${root}/to-other/x`, roots, "p", "posix"))).toBe(join(other, "x"));
  });

  test("a root configured through a link matches requests in either form", async () => {
    const roots = await realRoots([join(tmp.path, "alias", "root")]);
    expect(roots[0]!.real).toBe(root);
    expect(await statusOf(resolveInside(`${tmp.path}/alias/root/sub/f.txt`, roots, "p", "posix"))).toBe(join(root, "sub", "f.txt"));
    expect(await statusOf(resolveInside(`${root}/sub/f.txt`, roots, "p", "posix"))).toBe(join(root, "sub", "f.txt"));
  });

  test("a folder that does not exist yet gets its nearest existing parent's real path (no link left in it)", async () => {
    const roots = await realRoots([join(tmp.path, "alias", "root", "not-yet", "deeper")]);
    expect(roots[0]!.real).toBe(join(root, "not-yet", "deeper"));
  });

  test("nothing outside the allowed folder is stat'ed", async () => {
    const seen: string[] = [];
    const spyFs: ResolverFs = {
      lstat: async (p) => (seen.push(p), (await import("node:fs/promises")).lstat(p)),
      readlink: async (p) => (seen.push(p), (await import("node:fs/promises")).readlink(p)),
      realpath: async (p) => (await import("node:fs/promises")).realpath(p),
    };
    const roots = await realRoots([root], spyFs);
    await statusOf(resolveInside(`${root}/to-other/secret/x`, roots, "p", "posix", spyFs));
    await statusOf(resolveInside(`${other}/x`, roots, "p", "posix", spyFs));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((p) => p.startsWith(`${root}/`))).toBe(true);
  });
});

describe("win32 resolution (junction targets as Windows reports them)", () => {
  // A tiny recorded file system: C:\Data\qvd with a junction "link" and a symlink "up".
  function windowsFs(links: Record<string, string>, dirs: string[]): ResolverFs {
    const lower = (p: string) => p.toLowerCase();
    const isDir = new Set(dirs.map(lower));
    const linkMap = new Map(Object.entries(links).map(([k, v]) => [lower(k), v]));
    const enoent = () => Object.assign(new Error("ENOENT"), { code: "ENOENT" });
    return {
      lstat: async (p) => {
        if (linkMap.has(lower(p))) return { isSymbolicLink: () => true, isDirectory: () => false };
        if (isDir.has(lower(p))) return { isSymbolicLink: () => false, isDirectory: () => true };
        throw enoent();
      },
      readlink: async (p) => linkMap.get(lower(p)) ?? Promise.reject(enoent()),
      realpath: async (p) => {
        if (isDir.has(lower(p))) return p;
        throw enoent();
      },
    };
  }
  const fs = windowsFs(
    {
      "C:\\Data\\qvd\\junction-in": "\\\\?\\C:\\Data\\qvd\\archive\\",
      "C:\\Data\\qvd\\junction-out": "\\\\?\\C:\\Windows\\",
      "C:\\Data\\qvd\\unc-out": "\\\\?\\UNC\\evil\\share",
      "C:\\Data\\qvd\\rel-up": "..\\..\\Users",
    },
    ["C:\\Data\\qvd", "C:\\Data\\qvd\\archive"],
  );

  test("junction prefixes are understood; inside ok, outside refused, case ignored", async () => {
    const roots = await realRoots(["C:\\Data\\qvd"], fs);
    expect(await statusOf(resolveInside("c:\\data\\QVD\\junction-in\\2025\\x.qvd", roots, "p", "win32", fs))).toBe("C:\\Data\\qvd\\archive\\2025\\x.qvd");
    expect(await statusOf(resolveInside("C:\\Data\\qvd\\junction-out\\win.ini", roots, "p", "win32", fs))).toBe(403);
    expect(await statusOf(resolveInside("C:\\Data\\qvd\\unc-out\\x", roots, "p", "win32", fs))).toBe(403);
    expect(await statusOf(resolveInside("C:\\Data\\qvd\\rel-up\\x", roots, "p", "win32", fs))).toBe(403);
    expect(await statusOf(resolveInside("C:\\Data\\qvd-evil\\x", roots, "p", "win32", fs))).toBe(403);
  });
});
