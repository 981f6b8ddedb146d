// The folder-handle primitives on their own: a link anywhere on the way is refused at open time, a folder
// renamed after it was opened is still the one used, and file content is copied between open files whole.
import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../../../src/platform/core/errors";
import { copyContent, openBelow, openCheckedPathRoot, openProcFdRoot } from "../../../../src/keep/files/dir-handle";
import { findExecutable } from "../../../helpers/executables";
import { createTempDir } from "../../../helpers/temp-dir";

const tmp = createTempDir("steward-dir-handle-");
afterAll(() => tmp.remove());
const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (err) => (err instanceof AppError ? err.status : (err as NodeJS.ErrnoException).code),
  );

describe.each([
  ["folder handles", openProcFdRoot],
  ["checked paths", openCheckedPathRoot],
] as const)("%s", (how, opener) => {
  const root = join(tmp.path, how.replace(" ", "-"));
  mkdirSync(join(root, "a", "b"), { recursive: true });
  mkdirSync(join(tmp.path, `${how}-outside`), { recursive: true });
  symlinkSync(join(tmp.path, `${how}-outside`), join(root, "a", "out"));
  symlinkSync(join(root, "a", "b"), join(root, "a", "in"));

  test("a link on the way is refused, even one that stays inside (the guard resolved those already)", async () => {
    expect(await statusOf(openBelow(opener, root, ["a", "out"], false, "p"))).toBe(403);
    expect(await statusOf(openBelow(opener, root, ["a", "in"], false, "p"))).toBe(403);
    expect(await statusOf(openBelow(opener, root, ["a", "out", "new"], true, "p"))).toBe(403);
    const dir = await openBelow(opener, root, ["a", "b"], false, "p");
    await dir.close();
  });

  test("a missing folder is created one level at a time; a missing one without create is ENOENT", async () => {
    expect(await statusOf(openBelow(opener, root, ["a", "x", "y"], false, "p"))).toBe("ENOENT");
    const dir = await openBelow(opener, root, ["a", "x", "y"], true, "p");
    await dir.close();
  });

  test("a final link is not opened as a file", async () => {
    const dir = await openBelow(opener, root, ["a"], false, "p");
    try {
      writeFileSync(join(tmp.path, `${how}-outside`, "f.txt"), "outside");
      symlinkSync(join(tmp.path, `${how}-outside`, "f.txt"), join(root, "a", "f-link"));
      expect(await statusOf(dir.openFile("f-link", "read", "p"))).toBe(403);
      expect(await statusOf(dir.openFile("f-link", "write", "p"))).toBe(403);
      expect(readFileSync(join(tmp.path, `${how}-outside`, "f.txt"), "utf8")).toBe("outside");
    } finally {
      await dir.close();
    }
  });
});

test("a folder renamed after it was opened by handle is still the one written to", async () => {
  const root = join(tmp.path, "renamed");
  mkdirSync(join(root, "sub"), { recursive: true });
  const dir = await openBelow(openProcFdRoot, root, ["sub"], false, "p");
  try {
    renameSync(join(root, "sub"), join(root, "sub-moved"));
    symlinkSync(tmp.path, join(root, "sub"));
    const fh = await dir.openFile("x.txt", "create", "p");
    await fh.close();
    expect(readFileSync(join(root, "sub-moved", "x.txt"), "utf8")).toBe("");
    await dir.verify(root, "p");
    await expect(dir.verify(join(tmp.path, "elsewhere"), "p")).rejects.toThrow("during the request");
  } finally {
    await dir.close();
  }
});

test.each([true, false])("copyContent copies every byte (kernel copy: %p)", async (viaKernel) => {
  const data = randomBytes(2.5 * 1024 * 1024 + 7);
  const src = join(tmp.path, `src-${viaKernel}.bin`);
  const dst = join(tmp.path, `dst-${viaKernel}.bin`);
  writeFileSync(src, data);
  const input = await open(src, "r");
  const output = await open(dst, "w");
  try {
    await copyContent(input, output, viaKernel);
  } finally {
    await input.close();
    await output.close();
  }
  expect(readFileSync(dst).equals(data)).toBe(true);
});

// Folders are opened for lookups only (O_PATH): a folder on the way that the service account may traverse but
// not list (mode 711, common for home folders) must not break the file API. Needs an unprivileged user: run as
// nobody through setpriv when the tests run as root (root reads every folder anyway).
const setpriv = process.getuid?.() === 0 ? findExecutable(["setpriv"]) : undefined;
test.skipIf(!setpriv)("a folder on the way that may be traversed but not listed still opens", () => {
  const base = join(tmp.path, "traverse-only");
  mkdirSync(join(base, "allowed"), { recursive: true });
  chmodSync(tmp.path, 0o755);
  chmodSync(base, 0o711);
  chmodSync(join(base, "allowed"), 0o777);
  const script = join(tmp.path, "as-nobody.ts");
  const module = join(import.meta.dir, "../../../../src/keep/files/dir-handle.ts");
  writeFileSync(
    script,
    `import { openBelow, openProcFdRoot } from ${JSON.stringify(module)};
const dir = await openBelow(openProcFdRoot, ${JSON.stringify(join(base, "allowed"))}, ["sub"], true, "p");
const fh = await dir.openFile("x.txt", "create", "p");
await fh.write("written as nobody");
await fh.close();
await dir.close();
`,
  );
  chmodSync(script, 0o644);
  execFileSync(setpriv!, ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, script], { stdio: "pipe", timeout: 30_000 });
  expect(readFileSync(join(base, "allowed", "sub", "x.txt"), "utf8")).toBe("written as nobody");
});
