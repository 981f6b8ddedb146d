// The once-per-machine build the PostgreSQL template, the compiled binaries and the Wine shim share.
import { expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildOncePerMachine } from "../../helpers/machine-cache";

const entryIn = (root: string, build: (staging: string) => Promise<void> | void) => {
  const dir = join(root, "entry");
  return { dir, ready: join(dir, "ready"), staleMs: 60_000, what: "the test entry's lock", intervalMs: 10, build };
};

test("two workers asking at once: one builds, both find the entry whole, the lock is gone", async () => {
  const root = mkdtempSync(join(tmpdir(), "machine-cache-"));
  let builds = 0;
  const entry = entryIn(root, async (staging) => {
    builds++;
    mkdirSync(staging);
    await Bun.sleep(50);
    writeFileSync(join(staging, "ready"), "built");
  });
  await Promise.all([buildOncePerMachine(entry), buildOncePerMachine(entry)]);
  expect(builds).toBe(1);
  expect(readFileSync(entry.ready, "utf8")).toBe("built");
  expect(existsSync(`${entry.dir}.lock`)).toBe(false);
  expect(existsSync(`${entry.dir}.building`)).toBe(false);
});

test("a build that fails leaves neither the entry nor its staging, and the next caller builds it", async () => {
  const root = mkdtempSync(join(tmpdir(), "machine-cache-"));
  const failing = entryIn(root, (staging) => {
    mkdirSync(staging);
    writeFileSync(join(staging, "half"), "x");
    throw new Error("compiler crashed");
  });
  await expect(buildOncePerMachine(failing)).rejects.toThrow("compiler crashed");
  expect(existsSync(failing.dir)).toBe(false);
  expect(existsSync(`${failing.dir}.building`)).toBe(false);
  expect(existsSync(`${failing.dir}.lock`)).toBe(false);
  await buildOncePerMachine(entryIn(root, (staging) => void (mkdirSync(staging), writeFileSync(join(staging, "ready"), "ok"))));
  expect(readFileSync(failing.ready, "utf8")).toBe("ok");
});

test("a lock left by a killed process is taken over once it is older than staleMs", async () => {
  const root = mkdtempSync(join(tmpdir(), "machine-cache-"));
  const entry = entryIn(root, (staging) => void (mkdirSync(staging), writeFileSync(join(staging, "ready"), "ok")));
  mkdirSync(`${entry.dir}.lock`);
  const old = new Date(Date.now() - 120_000);
  utimesSync(`${entry.dir}.lock`, old, old);
  await buildOncePerMachine(entry);
  expect(readFileSync(entry.ready, "utf8")).toBe("ok");
});
