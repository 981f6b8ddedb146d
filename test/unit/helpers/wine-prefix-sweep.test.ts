// The Wine prefixes of test runs (about 700 MB each) do not pile up: the sweep removes those of processes that are
// gone and the ones older test versions kept in the clone, and never the folder of a process still running.
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DEFAULT_WINE_PREFIX, removeStaleWinePrefixes } from "../../helpers/wine";

const host = hostname().replace(/[^A-Za-z0-9.-]/g, "_");
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function fakePrefix(dir: string): string {
  mkdirSync(join(dir, "prefix", "drive_c"), { recursive: true });
  writeFileSync(join(dir, "prefix", "system.reg"), "WINE REGISTRY Version 2\n");
  made.push(dir);
  return dir;
}

test("the run's prefix is in the system's temp folder, named after this host and process", () => {
  expect(DEFAULT_WINE_PREFIX).toBe(join(tmpdir(), `steward-wine-${host}-${process.pid}`, "prefix"));
  expect(DEFAULT_WINE_PREFIX.startsWith(resolve(import.meta.dir, "../../.."))).toBe(false);
});

test("removes the prefixes of finished processes and the clone's old .tmp prefixes, keeps live ones", async () => {
  const gone = Bun.spawn(["true"]);
  await gone.exited;
  const dead = fakePrefix(join(tmpdir(), `steward-wine-${host}-${gone.pid}`));
  // A live process's folder (not this process's own: the Wine tests of this run may be using it).
  const parent = fakePrefix(join(tmpdir(), `steward-wine-${host}-${process.ppid}`));
  const otherHost = fakePrefix(join(tmpdir(), `steward-wine-some-other-host-${gone.pid}`));
  const legacy = fakePrefix(resolve(import.meta.dir, "../../../.tmp/wineprefix-sweep-test"));

  const removed = removeStaleWinePrefixes();

  expect(removed).toContain(dead);
  expect(removed).toContain(legacy);
  expect(existsSync(dead)).toBe(false);
  expect(existsSync(legacy)).toBe(false);
  for (const kept of [parent, otherHost]) expect(existsSync(kept)).toBe(true);
});
